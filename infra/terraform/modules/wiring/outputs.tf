output "topics" {
  description = "Every event topic name."
  value       = local.topics
}

output "triggers" {
  description = "Entry point -> trigger topic."
  value       = local.triggers
}

output "buckets" {
  description = "Bucket roles that trigger functions (the root module names the buckets)."
  value       = local.buckets
}

output "storage_triggers" {
  description = "Entry point -> the bucket role whose finalized objects trigger it."
  value       = local.storage_triggers
}

output "deployments" {
  description = "Deployment name -> { function, topic, bucket, env }: one per entry point, one scorer per system; a trigger is a topic or a bucket."
  value       = local.deployments
}

output "sources" {
  description = "Deployment name -> the folder under functions/ that holds its code."
  value       = { for name, d in local.deployments : name => lookup(local.sources, d.function, d.function) }
}

output "access" {
  description = "Deployment name -> { publishes, models, webhook }: what its service account may touch."
  value       = { for name, d in local.deployments : name => local.access[d.function] }
}
