"""Google Cloud: BigQuery, Cloud Storage, Pub/Sub. The only code that imports google.*."""
