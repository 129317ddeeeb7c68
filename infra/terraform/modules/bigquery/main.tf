# The warehouse, read from schemas/: one table per tables/<name>.json with its
# partition and clustering from tables.json, one view per views/<name>.sql.

locals {
  tables = toset([for f in fileset("${var.schemas_dir}/tables", "*.json") : trimsuffix(f, ".json")])
  views  = toset([for f in fileset("${var.schemas_dir}/views", "*.sql") : trimsuffix(f, ".sql")])
  specs  = jsondecode(file("${var.schemas_dir}/tables.json"))
}

resource "google_bigquery_dataset" "this" {
  project    = var.project_id
  dataset_id = var.dataset.id
  location   = var.dataset.location
  labels     = var.labels
}

resource "google_bigquery_table" "tables" {
  for_each            = local.tables
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.this.dataset_id
  table_id            = each.key
  schema              = file("${var.schemas_dir}/tables/${each.key}.json")
  clustering          = try(local.specs[each.key].cluster, null)
  deletion_protection = var.dataset.deletion_protection
  labels              = var.labels

  dynamic "time_partitioning" {
    for_each = try(local.specs[each.key].partition, null) == null ? [] : [local.specs[each.key].partition]
    content {
      type  = "DAY"
      field = time_partitioning.value
    }
  }
}

resource "google_bigquery_table" "views" {
  for_each            = local.views
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.this.dataset_id
  table_id            = each.key
  deletion_protection = false
  labels              = var.labels

  view {
    # The SQL names tables propflow.<table> (shared/contract/sql.py); here they get this project and dataset.
    query          = replace(file("${var.schemas_dir}/views/${each.key}.sql"), "/\\bpropflow\\./", "`${var.project_id}`.${var.dataset.id}.")
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.tables]
}
