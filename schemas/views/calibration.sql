-- Is P(over) honest? Predicted P(over) (pushes excluded) in 5-point buckets against how
-- often the over came in, per market, run and system, with the count behind each bucket.
WITH decided AS (
  SELECT
    market, run_id, system_id,
    SAFE_DIVIDE(p_over, 1 - COALESCE(p_push, 0)) AS p,
    IF(went_over, 1.0, 0.0) AS y
  FROM propflow.grades
  WHERE went_over IS NOT NULL AND p_over IS NOT NULL
)
SELECT
  market, run_id, system_id,
  LEAST(FLOOR(p * 20), 19) / 20 AS bucket_low,
  LEAST(FLOOR(p * 20), 19) / 20 + 0.05 AS bucket_high,
  COUNT(*) AS n,
  AVG(p) AS mean_p_over,
  AVG(y) AS over_rate
FROM decided
GROUP BY market, run_id, system_id, bucket_low, bucket_high
