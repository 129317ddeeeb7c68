terraform {
  required_version = ">= 1.5.0"

  required_providers {
    # 6.50.x: the schema tests/infra checks every resource against (provider_schema.py); move both together.
    google = {
      source  = "hashicorp/google"
      version = "~> 6.50.0"
    }
  }
}
