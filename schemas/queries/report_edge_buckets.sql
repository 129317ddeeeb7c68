-- The report's hit rate and ROI by the size of the edge (|mean - line|) a pick was made on.
WITH picks AS (
  SELECT
    system_id, result, profit_units,
    CASE
      WHEN ABS(mean - line) < 1 THEN 0
      WHEN ABS(mean - line) < 2 THEN 1
      WHEN ABS(mean - line) < 3 THEN 2
      WHEN ABS(mean - line) < 5 THEN 3
      ELSE 4
    END AS bucket
  FROM propflow.grades
  WHERE run_id = @run_id AND market = @market AND result IN ('WIN', 'LOSS', 'PUSH')
)
SELECT
  system_id,
  bucket,
  CASE bucket WHEN 0 THEN '<1' WHEN 1 THEN '1-2' WHEN 2 THEN '2-3' WHEN 3 THEN '3-5' ELSE '5+' END AS edge,
  COUNT(*) AS picks,
  COUNTIF(result = 'WIN') AS wins,
  COUNTIF(result = 'LOSS') AS losses,
  SAFE_DIVIDE(COUNTIF(result = 'WIN'), COUNTIF(result IN ('WIN', 'LOSS'))) AS hit_rate,
  SUM(profit_units) AS units,
  SUM(profit_units) / COUNT(*) AS roi
FROM picks
GROUP BY system_id, bucket
ORDER BY system_id, bucket
