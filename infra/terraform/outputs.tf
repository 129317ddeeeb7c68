output "functions" {
  description = "Deployment name -> { function, trigger topic or bucket, delivery, service account, dead-letter topic, delivery workflow (or null) }."
  value = {
    for name, d in module.wiring.deployments : name => {
      function          = module.functions[name].function_name
      topic             = d.topic
      bucket            = d.bucket == null ? null : local.trigger_buckets[d.bucket]
      delivery          = local.delivery[name]
      service_account   = module.functions[name].service_account_email
      dead_letter_topic = module.functions[name].dead_letter_topic
      delivery_workflow = module.functions[name].runner_workflow
    }
  }
}

output "topics" {
  description = "Event topic name -> topic id."
  value       = { for name, t in google_pubsub_topic.events : name => t.id }
}

output "dataset_id" {
  description = "The BigQuery dataset (PROPFLOW_DATASET)."
  value       = module.bigquery.dataset_id
}

output "models_bucket" {
  description = "The versioned model bucket (PROPFLOW_BUCKET)."
  value       = google_storage_bucket.models.name
}

output "landing_bucket" {
  description = "The bucket feed files land in as <feed>/<file> (PROPFLOW_LANDING_BUCKET); each one finalized is ingested."
  value       = google_storage_bucket.landing.name
}

output "alert_webhook_secret" {
  description = "Secret Manager secret to add the Slack webhook URL to (gcloud secrets versions add)."
  value       = google_secret_manager_secret.alert_webhook.id
}
