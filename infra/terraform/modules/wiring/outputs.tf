output "topics" {
  description = "Every event topic name."
  value       = local.topics
}

output "triggers" {
  description = "Entry point -> trigger topic."
  value       = local.triggers
}

output "deployments" {
  description = "Deployment name -> { function, topic, env }: one per entry point, one scorer per system."
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
