# Alerts for operators: a function answering with errors, and dead letters piling up.

locals {
  # What the deliveries do, in the alert texts, from the settings that make them do it (main.tf).
  delivery_text = join("", [
    "Eventarc delivers an event up to ${local.max_delivery_attempts.eventarc} times; ",
    "${join(", ", sort(keys(local.workflow_delivered)))}: its delivery workflow makes up to ",
    "${local.max_delivery_attempts.workflow} attempts, and stops at once on a timeout (504), a lost connection ",
    "or a 4xx other than 429. ",
    "Then the message goes to <function>-dead-letter.",
  ])
}

resource "google_monitoring_alert_policy" "function_errors" {
  project               = var.project_id
  display_name          = "${var.name_prefix}: function errors"
  combiner              = "OR"
  notification_channels = var.notification_channels

  conditions {
    display_name = "5xx responses from a ${var.name_prefix} function"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"run.googleapis.com/request_count\" AND metric.labels.response_code_class = \"5xx\" AND resource.labels.service_name = starts_with(\"${var.name_prefix}-\")"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.labels.service_name"]
      }
    }
  }

  documentation {
    content   = "A function raised (a transient fault its delivery retries). Check its logs. ${local.delivery_text}"
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.apis]
}

resource "google_monitoring_alert_policy" "dead_letter_backlog" {
  project               = var.project_id
  display_name          = "${var.name_prefix}: dead letters waiting"
  combiner              = "OR"
  notification_channels = var.notification_channels

  conditions {
    display_name = "Undelivered messages in a ${var.name_prefix} dead-letter subscription"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.labels.subscription_id = monitoring.regex.full_match(\"${var.name_prefix}-.*-dead-letter\")"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "300s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    content   = "Events a function gave up on. ${local.delivery_text} Pull them from that subscription (the delivery workflow adds the attributes dead_letter_reason, delivery_attempts and original_message_id), fix the cause, then publish each again on its topic: every function writes by key, so a repeat is safe. Events rejected as poison are not here: they are acknowledged and kept in processed_events (`propflow replay --event ID`, README, Reliability)."
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.apis]
}
