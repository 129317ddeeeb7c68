# Propflow on Google Cloud: every topic, function, trigger, table, bucket,
# identity, schedule and alert. Run `propflow package` before plan/apply.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  apis = [
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "eventarc.googleapis.com",
    "eventarcpublishing.googleapis.com", # asked for by Eventarc's Pub/Sub -> Workflows setup
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
    "workflowexecutions.googleapis.com", # the scheduler and Eventarc start executions through it
    "workflows.googleapis.com",
  ]

  pubsub_service_agent = "service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  models_bucket        = coalesce(var.models_bucket.name, "${var.project_id}-${var.name_prefix}-models")
  landing_bucket       = coalesce(var.landing_bucket.name, "${var.project_id}-${var.name_prefix}-landing")

  # Bucket role in the wiring (shared/contract/topology.BUCKETS) -> the bucket.
  trigger_buckets = { landing = google_storage_bucket.landing.name }

  # Source folder -> archive file name, written by `propflow package`.
  archives = jsondecode(file("${var.package_dir}/manifest.json"))

  # Entry points whose work can outlast a Pub/Sub push (600 s) or the 540 s event limit: an HTTP
  # function that a delivery workflow calls once per message (modules/event_function, runner.yaml),
  # so a long retrain is never redelivered while it runs. Its timeout stays below Workflows' 1,800 s
  # wait for a call, so the workflow hears how every attempt ended; one instance per market, since
  # the weekly retrain requests every market at once.
  workflow_delivered = {
    training = { timeout_seconds = 1740, max_instances = max(1, length(var.markets)) }
  }

  # Deliveries of one event before it goes to <function>-dead-letter, by delivery; monitoring.tf quotes them.
  max_delivery_attempts = { eventarc = 5, workflow = 5 }
  delivery = {
    for name, d in module.wiring.deployments : name => contains(keys(local.workflow_delivered), d.function) ? "workflow" : "eventarc"
  }

  base_env = {
    PROPFLOW_BACKEND        = "gcp"
    PROPFLOW_GCP_PROJECT    = var.project_id
    PROPFLOW_DATASET        = module.bigquery.dataset_id
    PROPFLOW_BUCKET         = google_storage_bucket.models.name
    PROPFLOW_LANDING_BUCKET = google_storage_bucket.landing.name
    PROPFLOW_LOG_LEVEL      = var.log_level
  }
}

resource "google_project_service" "apis" {
  for_each           = toset(local.apis)
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

module "wiring" {
  source     = "./modules/wiring"
  system_ids = keys(var.systems)
}

resource "google_pubsub_topic" "events" {
  for_each                   = toset(module.wiring.topics)
  project                    = var.project_id
  name                       = each.value
  labels                     = var.labels
  message_retention_duration = "604800s"
  depends_on                 = [google_project_service.apis]
}

module "bigquery" {
  source      = "./modules/bigquery"
  project_id  = var.project_id
  dataset     = var.dataset
  schemas_dir = "${path.module}/../../schemas"
  labels      = var.labels
  depends_on  = [google_project_service.apis]
}

resource "google_storage_bucket" "models" {
  project                     = var.project_id
  name                        = local.models_bucket
  location                    = var.models_bucket.location
  labels                      = var.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  # Every artifact version is kept for rollback; the registry points at the live ones.
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      num_newer_versions = var.models_bucket.noncurrent_versions_kept
      with_state         = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }
}

# Feed files land here as <feed>/<file>; each object finalized triggers the ingest function. In the
# functions' region, since an Eventarc storage trigger must be in its bucket's location. Every rewrite of
# a name is kept as a generation (the ledger ingest_objects names the generation each row came from) until
# lifecycle deletes noncurrent ones; the live file stays, so a feed's history can be reloaded from here.
resource "google_storage_bucket" "landing" {
  project                     = var.project_id
  name                        = local.landing_bucket
  location                    = var.region
  labels                      = var.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.landing_bucket.noncurrent_days_kept
    }
    action {
      type = "Delete"
    }
  }
}

# Storage triggers reach Eventarc through Pub/Sub: the project's Cloud Storage service agent publishes
# the object notifications, which it may not do by default.
data "google_storage_project_service_account" "this" {
  project = var.project_id
}

resource "google_project_iam_member" "storage_agent_publishes" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.this.email_address}"
}

resource "google_storage_bucket" "sources" {
  project                     = var.project_id
  name                        = "${var.project_id}-${var.name_prefix}-sources"
  location                    = var.models_bucket.location
  labels                      = var.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }
}

# Archives are named by content hash: a changed source is a new object, which redeploys its functions;
# the previous archives stay for rollback.
resource "google_storage_bucket_object" "sources" {
  for_each = local.archives
  bucket   = google_storage_bucket.sources.name
  name     = "functions/${each.value}"
  source   = "${var.package_dir}/${each.value}"
}

# The URL itself is added out of band (README, Deploy), so it never sits in state.
resource "google_secret_manager_secret" "alert_webhook" {
  project   = var.project_id
  secret_id = "${var.name_prefix}-alert-webhook"
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

module "functions" {
  source   = "./modules/event_function"
  for_each = module.wiring.deployments

  project_id  = var.project_id
  region      = var.region
  name        = "${var.name_prefix}-${each.key}"
  entry_point = each.value.function
  source_archive = {
    bucket = google_storage_bucket.sources.name
    object = google_storage_bucket_object.sources[module.wiring.sources[each.key]].name
  }
  # A trigger is a topic or a bucket (by its role in the wiring).
  trigger_topic_id = each.value.topic == null ? null : google_pubsub_topic.events[each.value.topic].id
  trigger_bucket   = each.value.bucket == null ? null : local.trigger_buckets[each.value.bucket]
  delivery         = local.delivery[each.key]
  settings = merge(
    try(var.functions[each.value.function], {}),
    try(var.systems[each.value.env.SYSTEM_ID], {}),
    try(local.workflow_delivered[each.value.function], {}),
  )
  max_delivery_attempts = local.max_delivery_attempts[local.delivery[each.key]]

  environment = merge(
    local.base_env,
    each.value.env,
    # A storage-triggered function reads feed specs: the user's are in its archive's folder feeds/
    # (shared/ops/packaging.FEEDS_FOLDER), relative to the archive's root, where a function runs.
    each.value.bucket == null ? {} : { PROPFLOW_FEEDS_DIR = "feeds" },
    module.wiring.access[each.key].webhook ? { PROPFLOW_ALERT_WEBHOOK_SECRET = "${google_secret_manager_secret.alert_webhook.id}/versions/latest" } : {},
  )
  dataset_id           = module.bigquery.dataset_id
  publish_topic_ids    = { for t in module.wiring.access[each.key].publishes : t => google_pubsub_topic.events[t].id }
  models_bucket        = google_storage_bucket.models.name
  models_access        = module.wiring.access[each.key].models
  webhook_secret_id    = module.wiring.access[each.key].webhook ? google_secret_manager_secret.alert_webhook.id : null
  pubsub_service_agent = local.pubsub_service_agent
  labels               = var.labels

  depends_on = [google_project_service.apis, google_project_iam_member.storage_agent_publishes]
}
