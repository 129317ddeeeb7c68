output "function_name" {
  description = "Name of the deployed function."
  value       = google_cloudfunctions2_function.this.name
}

output "uri" {
  description = "HTTPS endpoint of the function's service."
  value       = google_cloudfunctions2_function.this.service_config[0].uri
}

output "service_account_email" {
  description = "The function's own service account."
  value       = google_service_account.this.email
}

output "dead_letter_topic" {
  description = "Topic that receives the messages the function could not handle."
  value       = google_pubsub_topic.dead_letter.id
}

output "dead_letter_subscription" {
  description = "Subscription holding the dead letters for inspection and replay."
  value       = google_pubsub_subscription.dead_letter.id
}

output "runner_workflow" {
  description = "The delivery workflow that calls the function (workflow delivery), or null."
  value       = one(google_workflows_workflow.runner[*].id)
}
