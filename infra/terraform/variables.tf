variable "project_id" {
  type        = string
  description = "Google Cloud project to deploy into."
}

variable "region" {
  type        = string
  description = "Region of the functions, triggers, schedules and workflow."
  default     = "us-central1"
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every deployed name (functions, topics, buckets, service accounts)."
  default     = "propflow"
}

variable "systems" {
  type = map(object({
    memory        = optional(string, "2Gi")
    cpu           = optional(string, "1")
    min_instances = optional(number, 0)
    max_instances = optional(number, 10)
  }))
  description = "Prediction systems (shared/contract/markets.yaml ids) -> scorer size: one scorer deployment per key. Adding a system is one more key."
}

variable "markets" {
  type        = list(string)
  description = "Markets (shared/contract/markets.yaml ids) the weekly retrain requests."
  default     = ["nba_points", "nba_pra", "mlb_strikeouts"]
}

variable "functions" {
  type = map(object({
    memory          = optional(string, "1Gi")
    cpu             = optional(string, "1")
    min_instances   = optional(number, 0)
    max_instances   = optional(number, 10)
    timeout_seconds = optional(number, 540)
  }))
  description = "Entry point (feature_store, ensemble, training, ...) -> size, for every one but the scorers (see systems). Setting it replaces the default, so keep training's entry; training's timeout and instance count come from its delivery (main.tf, workflow_delivered)."
  default = {
    training = { memory = "4Gi", cpu = "2" }
  }
}

variable "dataset" {
  type = object({
    id                  = optional(string, "propflow")
    location            = optional(string, "US")
    deletion_protection = optional(bool, true)
  })
  description = "The BigQuery dataset (PROPFLOW_DATASET): id, location, and whether tables refuse terraform destroy."
  default     = {}
}

variable "models_bucket" {
  type = object({
    name                     = optional(string)
    location                 = optional(string, "US")
    noncurrent_versions_kept = optional(number, 10)
  })
  description = "Versioned bucket of model artifacts (PROPFLOW_BUCKET); name defaults to <project>-<prefix>-models."
  default     = {}
}

variable "landing_bucket" {
  type = object({
    name                 = optional(string)
    noncurrent_days_kept = optional(number, 30)
  })
  description = "Versioned bucket feed files land in as <feed>/<file> (PROPFLOW_LANDING_BUCKET), in var.region; name defaults to <project>-<prefix>-landing. A replaced generation is deleted this many days after it was replaced."
  default     = {}

  validation {
    condition     = var.landing_bucket.noncurrent_days_kept >= 1
    error_message = "landing_bucket.noncurrent_days_kept is at least 1 day."
  }
}

variable "schedules" {
  type = object({
    time_zone   = optional(string, "Etc/UTC")
    slates_due  = optional(string, "0 * * * *")
    diagnostics = optional(string, "0 9 * * *")
    retrain     = optional(string, "0 6 * * 1")
  })
  description = "Cloud Scheduler crontabs: the hourly slate clock (a slate is posted at the first tick at or after its market's prediction hour, so keep it on the hour; the same tick sweeps each market's ensemble deadline, markets.yaml), daily diagnostics, the weekly retrain."
  default     = {}
}

variable "package_dir" {
  type        = string
  description = "Folder written by `propflow package`: manifest.json and one <source>-<hash>.zip per function folder."
  default     = "../../build/functions"
}

variable "notification_channels" {
  type        = list(string)
  description = "Cloud Monitoring notification channel ids the alert policies notify."
  default     = []
}

variable "log_level" {
  type        = string
  description = "PROPFLOW_LOG_LEVEL of every function."
  default     = "INFO"
}

variable "labels" {
  type        = map(string)
  description = "Labels on every resource that takes them."
  default     = { app = "propflow" }
}
