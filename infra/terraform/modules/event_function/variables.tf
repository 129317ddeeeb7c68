variable "project_id" {
  type        = string
  description = "Google Cloud project the function runs in."
}

variable "region" {
  type        = string
  description = "Region of the function and its trigger."
}

variable "name" {
  type        = string
  description = "Deployed function name (also names its service account and dead-letter topic)."
}

variable "entry_point" {
  type        = string
  description = "Python function in main.py that handles the event."
}

variable "source_archive" {
  type = object({
    bucket = string
    object = string
  })
  description = "Cloud Storage object of the packaged source (named by content hash, so a new hash redeploys)."
}

variable "trigger_topic_id" {
  type        = string
  description = "Pub/Sub topic (projects/P/topics/T) whose messages trigger the function, or null when a bucket does."
  default     = null
}

variable "trigger_bucket" {
  type        = string
  description = "Cloud Storage bucket whose finalized objects trigger the function (which may then read them), or null when a topic does."
  default     = null

  validation {
    condition     = var.trigger_bucket == null || try(length(var.trigger_bucket) > 0, false)
    error_message = "trigger_bucket is a bucket name or null."
  }
}

variable "delivery" {
  type        = string
  description = "eventarc: event function with an Eventarc Pub/Sub trigger (540 s limit); workflow: HTTP function that a delivery workflow calls once per message (timeout below 1,800 s), for work longer than a Pub/Sub push may wait."
  default     = "eventarc"

  validation {
    condition     = contains(["eventarc", "workflow"], var.delivery)
    error_message = "delivery is eventarc or workflow."
  }
}

variable "settings" {
  type = object({
    memory          = optional(string, "1Gi")
    cpu             = optional(string, "1")
    timeout_seconds = optional(number, 540)
    min_instances   = optional(number, 0)
    max_instances   = optional(number, 10)
    concurrency     = optional(number, 1)
  })
  description = "Runtime size and scaling of the function."
  default     = {}
}

variable "environment" {
  type        = map(string)
  description = "Environment variables of the function (PROPFLOW_* settings, SYSTEM_ID)."
  default     = {}
}

variable "dataset_id" {
  type        = string
  description = "BigQuery dataset the function reads and writes (every function writes the processed_events ledger)."
}

variable "publish_topic_ids" {
  type        = map(string)
  description = "Topic name -> topic id the function publishes to."
  default     = {}
}

variable "models_bucket" {
  type        = string
  description = "Bucket holding model artifacts."
}

variable "models_access" {
  type        = string
  description = "Access to the model bucket: none, read (scorers) or write (training)."
  default     = "none"
}

variable "webhook_secret_id" {
  type        = string
  description = "Secret Manager secret id (projects/P/secrets/S) the function may read, or null."
  default     = null
}

variable "max_delivery_attempts" {
  type        = number
  description = "Deliveries before a message goes to the dead-letter topic (Eventarc's subscription, and the runner's attempts for workflow delivery)."
  default     = 5

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "Pub/Sub's dead-letter policy takes 5 to 100 delivery attempts."
  }
}

variable "pubsub_service_agent" {
  type        = string
  description = "The project's Pub/Sub service agent, which forwards messages to the dead-letter topic."
}

variable "labels" {
  type        = map(string)
  description = "Labels on every resource that takes them."
  default     = {}
}
