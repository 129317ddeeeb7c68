# One deployment of one entry point: its own identity with only the roles it
# needs, the gen2 function, its trigger, and a dead-letter topic it fails over to.
#
# Two deliveries. eventarc: an event function with an Eventarc Pub/Sub trigger
# (540 s limit). workflow: for work longer than a Pub/Sub push may wait (600 s),
# an HTTP function that a delivery workflow of its own calls once per message
# (runner.yaml): Eventarc starts the workflow and Workflows acknowledges at once,
# so no ack deadline can run out, and redeliver the message, while the function runs.

locals {
  eventarc     = var.delivery == "eventarc"
  workflow     = var.delivery == "workflow"
  storage      = var.trigger_bucket != null # a bucket's finalized objects trigger it, not a topic's messages
  event_type   = local.storage ? "google.cloud.storage.object.v1.finalized" : "google.cloud.pubsub.topic.v1.messagePublished"
  agent_member = "serviceAccount:${var.pubsub_service_agent}"
  model_roles  = { none = [], read = ["roles/storage.objectViewer"], write = ["roles/storage.objectViewer", "roles/storage.objectCreator"] }

  # Pub/Sub's default backoff for Eventarc subscriptions, and the runner's between its attempts.
  retry_backoff = { minimum_s = 10, maximum_s = 600 }

  # Workflows waits at most 1,800 s for an HTTP call (runner.yaml asks for all of it), so a
  # workflow-delivered function must time out before that: the runner then always hears how an
  # attempt ended (a 504 if it ran out of time) instead of giving up on one that may still run.
  workflows_http_timeout_s = 1800

  # Eventarc's subscription waits this long for an acknowledgement (its default can be 10 s):
  # the function's own timeout, within Pub/Sub's 10..600 s; Workflows acknowledges as soon as
  # the execution starts, so the runner's trigger needs far less.
  ack_deadline_s = local.eventarc ? max(10, min(var.settings.timeout_seconds, 600)) : 60

  # account_id allows 30 characters: a longer name keeps its start and a hash of the rest.
  identities = {
    for role, name in { function = var.name, runner = "${var.name}-run", trigger = "${var.name}-evt" } : role =>
    length(name) <= 30 ? name : "${trimsuffix(substr(name, 0, 23), "-")}-${substr(sha1(name), 0, 6)}"
  }
  function_member = "serviceAccount:${google_service_account.this.email}"
  # Who calls the function: Eventarc with the function's identity, or the runner workflow.
  invoker_member = local.workflow ? "serviceAccount:${google_service_account.runner[0].email}" : local.function_member

  # The Eventarc trigger whose subscription gets the dead-letter policy below.
  eventarc_trigger = local.eventarc ? google_cloudfunctions2_function.this.event_trigger[0].trigger : google_eventarc_trigger.runner[0].id
}

resource "google_service_account" "this" {
  project      = var.project_id
  account_id   = local.identities.function
  display_name = "Propflow function ${var.name}"
}

resource "google_project_iam_member" "bigquery_jobs" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = local.function_member
}

resource "google_bigquery_dataset_iam_member" "data" {
  project    = var.project_id
  dataset_id = var.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = local.function_member
}

resource "google_pubsub_topic_iam_member" "publish" {
  for_each = var.publish_topic_ids
  project  = var.project_id
  topic    = each.value
  role     = "roles/pubsub.publisher"
  member   = local.function_member
}

resource "google_storage_bucket_iam_member" "models" {
  for_each = toset(local.model_roles[var.models_access])
  bucket   = var.models_bucket
  role     = each.value
  member   = local.function_member
}

# A function a bucket triggers reads the objects it is told about, and only in that bucket.
resource "google_storage_bucket_iam_member" "trigger_bucket" {
  count  = local.storage ? 1 : 0
  bucket = var.trigger_bucket
  role   = "roles/storage.objectViewer"
  member = local.function_member
}

resource "google_secret_manager_secret_iam_member" "webhook" {
  count     = var.webhook_secret_id == null ? 0 : 1
  secret_id = var.webhook_secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.function_member
}

resource "google_cloudfunctions2_function" "this" {
  project  = var.project_id
  location = var.region
  name     = var.name
  labels   = var.labels

  build_config {
    runtime     = "python311"
    entry_point = var.entry_point
    source {
      storage_source {
        bucket = var.source_archive.bucket
        object = var.source_archive.object
      }
    }
  }

  service_config {
    available_memory                 = var.settings.memory
    available_cpu                    = var.settings.cpu
    timeout_seconds                  = var.settings.timeout_seconds
    min_instance_count               = var.settings.min_instances
    max_instance_count               = var.settings.max_instances
    max_instance_request_concurrency = var.settings.concurrency
    environment_variables            = var.environment
    service_account_email            = google_service_account.this.email
    ingress_settings                 = "ALLOW_INTERNAL_ONLY" # Eventarc and Workflows in this project count as internal
    all_traffic_on_latest_revision   = true
  }

  dynamic "event_trigger" {
    for_each = local.eventarc ? [local.event_type] : []
    content {
      trigger_region        = var.region
      event_type            = event_trigger.value
      pubsub_topic          = var.trigger_topic_id
      retry_policy          = "RETRY_POLICY_RETRY"
      service_account_email = google_service_account.this.email

      # A storage trigger: objects finalized in this bucket (Eventarc delivers them through a Pub/Sub
      # subscription of its own, which gets the dead-letter policy below like a topic's).
      dynamic "event_filters" {
        for_each = local.storage ? [var.trigger_bucket] : []
        content {
          attribute = "bucket"
          value     = event_filters.value
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = (var.trigger_topic_id == null) != (var.trigger_bucket == null)
      error_message = "A function is triggered by one topic (trigger_topic_id) or one bucket (trigger_bucket)."
    }
    precondition {
      condition     = !(local.storage && local.workflow)
      error_message = "Storage triggers use eventarc delivery: the delivery workflow relays Pub/Sub messages."
    }
    precondition {
      condition     = local.workflow ? var.settings.timeout_seconds < local.workflows_http_timeout_s : var.settings.timeout_seconds <= 540
      error_message = "timeout_seconds must be at most 540 for eventarc delivery, below ${local.workflows_http_timeout_s} for workflow delivery (the runner must outwait an attempt)."
    }
  }
}

# The function's caller may invoke it: Eventarc (as the function's identity) or the runner workflow.
resource "google_cloud_run_service_iam_member" "invoker" {
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.this.name
  role     = "roles/run.invoker"
  member   = local.invoker_member
}

resource "google_project_iam_member" "event_receiver" {
  count   = local.eventarc ? 1 : 0
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = local.function_member
}

resource "google_pubsub_topic" "dead_letter" {
  project                    = var.project_id
  name                       = "${var.name}-dead-letter"
  labels                     = var.labels
  message_retention_duration = "604800s"
}

# Holds dead letters for inspection and replay; never expires.
resource "google_pubsub_subscription" "dead_letter" {
  project                    = var.project_id
  name                       = "${var.name}-dead-letter"
  topic                      = google_pubsub_topic.dead_letter.id
  labels                     = var.labels
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_topic_iam_member" "dead_letter_forwarder" {
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter.id
  role    = "roles/pubsub.publisher"
  member  = local.agent_member
}

# --- workflow delivery: Eventarc -> the runner workflow -> the function over HTTP

# The runner's identity: it calls the function and dead-letters what it gives up on.
resource "google_service_account" "runner" {
  count        = local.workflow ? 1 : 0
  project      = var.project_id
  account_id   = local.identities.runner
  display_name = "Propflow ${var.name}: delivery workflow"
}

resource "google_pubsub_topic_iam_member" "runner_dead_letters" {
  count   = local.workflow ? 1 : 0
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter.id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runner[0].email}"
}

# The trigger's identity: it only starts runner executions. Workflows IAM is project-wide
# (no per-workflow binding in the provider). Pub/Sub events need no eventarc.eventReceiver.
resource "google_service_account" "trigger" {
  count        = local.workflow ? 1 : 0
  project      = var.project_id
  account_id   = local.identities.trigger
  display_name = "Propflow ${var.name}: Eventarc trigger of the delivery workflow"
}

resource "google_project_iam_member" "trigger_starts_runner" {
  count   = local.workflow ? 1 : 0
  project = var.project_id
  role    = "roles/workflows.invoker"
  member  = "serviceAccount:${google_service_account.trigger[0].email}"
}

resource "google_workflows_workflow" "runner" {
  count           = local.workflow ? 1 : 0
  project         = var.project_id
  region          = var.region
  name            = "${var.name}-runner"
  description     = "Delivers each ${var.name} trigger message to the function over HTTP, up to ${var.max_delivery_attempts} attempts, then dead-letters it."
  service_account = google_service_account.runner[0].id
  call_log_level  = "LOG_ERRORS_ONLY"
  labels          = var.labels
  # Holds no state: rebuilt from runner.yaml, so destroy and replacement must not be refused.
  deletion_protection = false
  source_contents = templatefile("${path.module}/runner.yaml", {
    function_uri      = google_cloudfunctions2_function.this.service_config[0].uri
    dead_letter_topic = google_pubsub_topic.dead_letter.id
    max_attempts      = var.max_delivery_attempts
    initial_backoff_s = local.retry_backoff.minimum_s
    max_backoff_s     = local.retry_backoff.maximum_s
  })
}

resource "google_eventarc_trigger" "runner" {
  count           = local.workflow ? 1 : 0
  project         = var.project_id
  location        = var.region
  name            = "${var.name}-runner"
  service_account = google_service_account.trigger[0].email
  labels          = var.labels

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.pubsub.topic.v1.messagePublished"
  }

  transport {
    pubsub {
      topic = var.trigger_topic_id
    }
  }

  destination {
    workflow = google_workflows_workflow.runner[0].id
  }

  depends_on = [google_project_iam_member.trigger_starts_runner]
}

# --- Eventarc's subscription (either delivery)

# Eventarc owns the trigger's subscription and the provider cannot set its dead-letter policy
# or ack deadline (google_eventarc_trigger 6.50 has no such argument:
# hashicorp/terraform-provider-google#17697, #17701), so gcloud sets them after every change
# that may have given Eventarc a new subscription: the trigger, the policy, and any redeploy of
# the function (a new source archive or settings). A redeploy outside Terraform may reset it
# too: re-run this step with `terraform apply -replace` on it (README, Deploy).
resource "terraform_data" "eventarc_dead_letter" {
  triggers_replace = [
    local.eventarc_trigger,
    google_pubsub_topic.dead_letter.id,
    var.max_delivery_attempts,
    local.ack_deadline_s,
    sha256(jsonencode([var.source_archive, var.entry_point, var.settings, var.environment])),
  ]

  provisioner "local-exec" {
    interpreter = ["bash", "-euo", "pipefail", "-c"]
    command     = <<-EOT
      sub=$(gcloud eventarc triggers describe "$TRIGGER" --project "$PROJECT" --location "$REGION" \
        --format='value(transport.pubsub.subscription)')
      gcloud pubsub subscriptions update "$sub" --project "$PROJECT" --ack-deadline "$ACK_DEADLINE" \
        --dead-letter-topic "$DEAD_LETTER" --max-delivery-attempts "$ATTEMPTS" \
        --min-retry-delay "$MIN_BACKOFF" --max-retry-delay "$MAX_BACKOFF"
      gcloud pubsub subscriptions add-iam-policy-binding "$sub" --project "$PROJECT" \
        --member "$AGENT" --role roles/pubsub.subscriber
    EOT
    environment = {
      TRIGGER      = local.eventarc_trigger
      PROJECT      = var.project_id
      REGION       = var.region
      ACK_DEADLINE = local.ack_deadline_s
      DEAD_LETTER  = google_pubsub_topic.dead_letter.id
      ATTEMPTS     = var.max_delivery_attempts
      MIN_BACKOFF  = "${local.retry_backoff.minimum_s}s"
      MAX_BACKOFF  = "${local.retry_backoff.maximum_s}s"
      AGENT        = local.agent_member
    }
  }
}
