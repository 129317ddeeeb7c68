-- All time, per market, run and system: sample sizes, hit rate, MAE vs the line's, ROI.
SELECT
  market, run_id, system_id,
  COUNT(*) AS predictions,
  COUNTIF(actual IS NOT NULL) AS graded,
  COUNTIF(result IS NOT NULL) AS picks,
  COUNTIF(result = 'WIN') AS wins,
  COUNTIF(result = 'LOSS') AS losses,
  COUNTIF(result = 'PUSH') AS pushes,
  COUNTIF(result = 'VOID') AS voids,
  SAFE_DIVIDE(COUNTIF(result = 'WIN'), COUNTIF(result IN ('WIN', 'LOSS'))) AS hit_rate,
  AVG(abs_error) AS mae,
  AVG(line_abs_error) AS line_mae,
  AVG(IF(beat_line, 1.0, 0.0)) AS beat_line_rate,
  SUM(profit_units) AS units,
  SAFE_DIVIDE(SUM(profit_units), COUNTIF(result IN ('WIN', 'LOSS', 'PUSH'))) AS roi
FROM propflow.grades
GROUP BY market, run_id, system_id
