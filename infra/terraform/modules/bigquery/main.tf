# The warehouse, read from schemas/: one table per tables/<name>.json with its
# partition and clustering from tables.json, one view per views/<name>.sql.

locals {
  tables = toset([for f in fileset("${var.schemas_dir}/tables", "*.json") : trimsuffix(f, ".json")])
  views  = toset([for f in fileset("${var.schemas_dir}/views", "*.sql") : trimsuffix(f, ".sql")])
  specs  = jsondecode(file("${var.schemas_dir}/tables.json"))
  # BigQuery checks a view's query when it creates the view, so the views other views read
  # (grade_metrics) are created first, by their own resource; those may read only tables.
  view_sql      = { for v in local.views : v => file("${var.schemas_dir}/views/${v}.sql") }
  read_by_views = toset([for v in local.views : v if anytrue([for sql in values(local.view_sql) : length(regexall("\\bpropflow\\.${v}\\b", sql)) > 0])])
  # The SQL names tables propflow.<table> (shared/contract/sql.py); here they get this project and dataset.
  view_query = { for v, sql in local.view_sql : v => replace(sql, "/\\bpropflow\\./", "`${var.project_id}`.${var.dataset.id}.") }
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

resource "google_bigquery_table" "read_by_views" {
  for_each            = local.read_by_views
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.this.dataset_id
  table_id            = each.key
  deletion_protection = false
  labels              = var.labels

  view {
    query          = local.view_query[each.key]
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.tables]
}

resource "google_bigquery_table" "views" {
  for_each            = setsubtract(local.views, local.read_by_views)
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.this.dataset_id
  table_id            = each.key
  deletion_protection = false
  labels              = var.labels

  view {
    query          = local.view_query[each.key]
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.tables, google_bigquery_table.read_by_views]
}
