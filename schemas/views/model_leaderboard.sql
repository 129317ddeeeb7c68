-- All time, per market, run and system: sample sizes, hit rate, MAE vs the line's, ROI
-- (what a pick is and how each metric counts: grade_metrics).
SELECT
  market, run_id, system_id,
  COUNT(*) AS predictions,
  COUNTIF(graded) AS graded,
  COUNTIF(pick) AS picks,
  COUNTIF(result = 'WIN') AS wins,
  COUNTIF(result = 'LOSS') AS losses,
  COUNTIF(result = 'PUSH') AS pushes,
  COUNTIF(result = 'VOID') AS voids,
  AVG(hit) AS hit_rate,
  AVG(abs_error) AS mae,
  AVG(line_abs_error) AS line_mae,
  SAFE_DIVIDE(COUNTIF(beat_line), COUNT(beat_line)) AS beat_line_rate,  -- of the rows with an actual
  SUM(pick_units) AS units,
  AVG(pick_units) AS roi
FROM propflow.grade_metrics
GROUP BY market, run_id, system_id
