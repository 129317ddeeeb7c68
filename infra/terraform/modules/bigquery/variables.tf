variable "project_id" {
  type        = string
  description = "Google Cloud project of the dataset."
}

variable "dataset" {
  type = object({
    id                  = optional(string, "propflow")
    location            = optional(string, "US")
    deletion_protection = optional(bool, true)
  })
  description = "The warehouse dataset: id (PROPFLOW_DATASET), location, and whether tables are protected from destroy."
  default     = {}
}

variable "schemas_dir" {
  type        = string
  description = "The repository's schemas/ folder: tables/*.json, tables.json (partition, clustering), views/*.sql."
}

variable "labels" {
  type        = map(string)
  description = "Labels on the dataset and its tables."
  default     = {}
}
