# One deployment of one entry point: its own identity with only the roles it
# needs, the gen2 function, its trigger, and a dead-letter topic it fails over to.

locals {
  eventarc      = var.delivery == "eventarc"
  sa_member     = "serviceAccount:${google_service_account.this.email}"
  agent_member  = "serviceAccount:${var.pubsub_service_agent}"
  model_roles   = { none = [], read = ["roles/storage.objectViewer"], write = ["roles/storage.objectViewer", "roles/storage.objectCreator"] }
  retry_backoff = { minimum = "10s", maximum = "600s" }
}

resource "google_service_account" "this" {
  project = var.project_id
  # account_id allows 30 characters: a longer name keeps its start and a hash of the rest.
  account_id   = length(var.name) <= 30 ? var.name : "${trimsuffix(substr(var.name, 0, 23), "-")}-${substr(sha1(var.name), 0, 6)}"
  display_name = "Propflow function ${var.name}"
}

resource "google_project_iam_member" "bigquery_jobs" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = local.sa_member
}

resource "google_bigquery_dataset_iam_member" "data" {
  project    = var.project_id
  dataset_id = var.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = local.sa_member
}

resource "google_pubsub_topic_iam_member" "publish" {
  for_each = var.publish_topic_ids
  project  = var.project_id
  topic    = each.value
  role     = "roles/pubsub.publisher"
  member   = local.sa_member
}

resource "google_storage_bucket_iam_member" "models" {
  for_each = toset(local.model_roles[var.models_access])
  bucket   = var.models_bucket
  role     = each.value
  member   = local.sa_member
}

resource "google_secret_manager_secret_iam_member" "webhook" {
  count     = var.webhook_secret_id == null ? 0 : 1
  secret_id = var.webhook_secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.sa_member
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
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
  }

  dynamic "event_trigger" {
    for_each = local.eventarc ? [var.trigger_topic_id] : []
    content {
      trigger_region        = var.region
      event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
      pubsub_topic          = event_trigger.value
      retry_policy          = "RETRY_POLICY_RETRY"
      service_account_email = google_service_account.this.email
    }
  }
}

# The trigger (Eventarc or the push subscription) calls the function as its own identity.
resource "google_cloud_run_service_iam_member" "invoker" {
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.this.name
  role     = "roles/run.invoker"
  member   = local.sa_member
}

resource "google_project_iam_member" "event_receiver" {
  count   = local.eventarc ? 1 : 0
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = local.sa_member
}

resource "google_pubsub_topic" "dead_letter" {
  project                    = var.project_id
  name                       = "${var.name}-dead-letter"
  labels                     = var.labels
  message_retention_duration = "604800s"
}

# Holds dead letters for inspection and `propflow replay --event`; never expires.
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

# push delivery: our own subscription, so it carries the dead-letter and retry policy.
resource "google_pubsub_subscription" "push" {
  count   = local.eventarc ? 0 : 1
  project = var.project_id
  name    = var.name
  topic   = var.trigger_topic_id
  labels  = var.labels
  # The longest Pub/Sub allows; a longer run is redelivered, refused while the
  # single instance is busy, then acknowledged by the processed_events ledger.
  ack_deadline_seconds = 600

  push_config {
    push_endpoint = google_cloudfunctions2_function.this.service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.this.email
    }
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  retry_policy {
    minimum_backoff = local.retry_backoff.minimum
    maximum_backoff = local.retry_backoff.maximum
  }

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription_iam_member" "push_forwarder" {
  count        = local.eventarc ? 0 : 1
  project      = var.project_id
  subscription = google_pubsub_subscription.push[0].name
  role         = "roles/pubsub.subscriber"
  member       = local.agent_member
}

# Eventarc delivery: Eventarc owns the trigger's subscription and the provider
# cannot set its dead-letter policy (hashicorp/terraform-provider-google#17697),
# so it is attached with gcloud whenever the trigger or the policy changes.
resource "terraform_data" "eventarc_dead_letter" {
  count = local.eventarc ? 1 : 0
  triggers_replace = [
    google_cloudfunctions2_function.this.event_trigger[0].trigger,
    google_pubsub_topic.dead_letter.id,
    var.max_delivery_attempts,
  ]

  provisioner "local-exec" {
    interpreter = ["bash", "-euo", "pipefail", "-c"]
    command     = <<-EOT
      sub=$(gcloud eventarc triggers describe "$TRIGGER" --project "$PROJECT" --location "$REGION" \
        --format='value(transport.pubsub.subscription)')
      gcloud pubsub subscriptions update "$sub" --project "$PROJECT" \
        --dead-letter-topic "$DEAD_LETTER" --max-delivery-attempts "$ATTEMPTS" \
        --min-retry-delay "$MIN_BACKOFF" --max-retry-delay "$MAX_BACKOFF"
      gcloud pubsub subscriptions add-iam-policy-binding "$sub" --project "$PROJECT" \
        --member "$AGENT" --role roles/pubsub.subscriber
    EOT
    environment = {
      TRIGGER     = google_cloudfunctions2_function.this.event_trigger[0].trigger
      PROJECT     = var.project_id
      REGION      = var.region
      DEAD_LETTER = google_pubsub_topic.dead_letter.id
      ATTEMPTS    = var.max_delivery_attempts
      MIN_BACKOFF = local.retry_backoff.minimum
      MAX_BACKOFF = local.retry_backoff.maximum
      AGENT       = local.agent_member
    }
  }
}
