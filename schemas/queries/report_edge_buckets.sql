-- The report's hit rate and ROI by the size of the edge (|mean - line|) a pick was made on
-- (what a pick is and how each metric counts: grade_metrics).
WITH picks AS (
  SELECT
    system_id, result, hit, pick_units,
    CASE
      WHEN ABS(mean - line) < 1 THEN 0
      WHEN ABS(mean - line) < 2 THEN 1
      WHEN ABS(mean - line) < 3 THEN 2
      WHEN ABS(mean - line) < 5 THEN 3
      ELSE 4
    END AS bucket
  FROM propflow.grade_metrics
  WHERE run_id = @run_id AND market = @market AND pick
)
SELECT
  system_id,
  bucket,
  CASE bucket WHEN 0 THEN '<1' WHEN 1 THEN '1-2' WHEN 2 THEN '2-3' WHEN 3 THEN '3-5' ELSE '5+' END AS edge,
  COUNT(*) AS picks,
  COUNTIF(result = 'WIN') AS wins,
  COUNTIF(result = 'LOSS') AS losses,
  AVG(hit) AS hit_rate,
  SUM(pick_units) AS units,
  AVG(pick_units) AS roi
FROM picks
GROUP BY system_id, bucket
ORDER BY system_id, bucket
