-- Every generation of one landed object the ingest function has recorded, oldest first.
SELECT generation, feed, status, reason, report, replaced, written, ingested_at
FROM propflow.ingest_objects
WHERE bucket = @bucket AND name = @object_name
ORDER BY generation
