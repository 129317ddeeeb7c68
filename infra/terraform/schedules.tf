# Cloud Scheduler: the hourly slate clock, the daily diagnostics and the weekly
# retrain. The first two publish a fixed body ({} means every open slate /
# yesterday, every market); retrain-requested needs a train_end date, which a
# fixed body cannot carry, so the weekly job runs a workflow that dates it.

# Every hour, each market whose prediction hour has come gets its slate posted
# (lines-posted, once per set of visible lines), and each slate whose market's
# ensemble deadline has passed with systems missing gets ensemble-deadline: the
# clock that no file landing can supply, one per market's own hours.
resource "google_cloud_scheduler_job" "slates_due" {
  project   = var.project_id
  region    = var.region
  name      = "${var.name_prefix}-slates-due"
  schedule  = var.schedules.slates_due
  time_zone = var.schedules.time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.events["slates-due"].id
    data       = base64encode("{}")
  }

  depends_on = [google_project_service.apis]
}

resource "google_cloud_scheduler_job" "diagnostics" {
  project   = var.project_id
  region    = var.region
  name      = "${var.name_prefix}-diagnostics-daily"
  schedule  = var.schedules.diagnostics
  time_zone = var.schedules.time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.events["diagnostics-daily"].id
    data       = base64encode("{}")
  }

  depends_on = [google_project_service.apis]
}

resource "google_service_account" "retrain_scheduler" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-retrain-scheduler"
  display_name = "Propflow weekly retrain: starts the retrain workflow"
}

resource "google_project_iam_member" "retrain_scheduler_invokes_workflows" {
  project = var.project_id
  role    = "roles/workflows.invoker"
  member  = "serviceAccount:${google_service_account.retrain_scheduler.email}"
}

resource "google_service_account" "retrain_workflow" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-retrain-workflow"
  display_name = "Propflow weekly retrain: publishes retrain-requested"
}

resource "google_pubsub_topic_iam_member" "retrain_workflow_publishes" {
  project = var.project_id
  topic   = google_pubsub_topic.events["retrain-requested"].id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.retrain_workflow.email}"
}

resource "google_workflows_workflow" "retrain" {
  project         = var.project_id
  region          = var.region
  name            = "${var.name_prefix}-retrain"
  description     = "Publishes one retrain-requested per market with train_end = yesterday (UTC)."
  service_account = google_service_account.retrain_workflow.id
  labels          = var.labels
  # The provider refuses to delete a workflow by default (since 6.11); this one holds no state and is
  # rebuilt from workflows/retrain.yaml, so destroy and replacement must go through.
  deletion_protection = false
  source_contents = templatefile("${path.module}/workflows/retrain.yaml", {
    topic = google_pubsub_topic.events["retrain-requested"].id
  })

  depends_on = [google_project_service.apis]
}

resource "google_cloud_scheduler_job" "retrain" {
  project   = var.project_id
  region    = var.region
  name      = "${var.name_prefix}-retrain-weekly"
  schedule  = var.schedules.retrain
  time_zone = var.schedules.time_zone

  http_target {
    http_method = "POST"
    uri         = "https://workflowexecutions.googleapis.com/v1/${google_workflows_workflow.retrain.id}/executions"
    body        = base64encode(jsonencode({ argument = jsonencode({ markets = var.markets }) }))

    oauth_token {
      service_account_email = google_service_account.retrain_scheduler.email
    }
  }

  depends_on = [google_project_service.apis]
}
