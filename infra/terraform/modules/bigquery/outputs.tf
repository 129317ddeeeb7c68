output "dataset_id" {
  description = "The dataset's id."
  value       = google_bigquery_dataset.this.dataset_id
}

output "tables" {
  description = "Table name -> table id."
  value       = { for name, t in google_bigquery_table.tables : name => t.id }
}

output "views" {
  description = "View name -> table id."
  value       = { for name, v in merge(google_bigquery_table.read_by_views, google_bigquery_table.views) : name => v.id }
}
