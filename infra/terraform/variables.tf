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

variable "schedules" {
  type = object({
    time_zone         = optional(string, "Etc/UTC")
    diagnostics       = optional(string, "0 9 * * *")
    ensemble_deadline = optional(string, "30 18 * * *")
    retrain           = optional(string, "0 6 * * 1")
  })
  description = "Cloud Scheduler crontabs: daily diagnostics, the ensemble deadline sweep, the weekly retrain."
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
