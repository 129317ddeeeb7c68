-- Per model version and day: graded rows, picks, results, MAE against the line's
-- (what a pick is and how each metric counts: grade_metrics).
SELECT
  market, system_id, model_id, model_version, game_date, run_id,
  COUNTIF(graded) AS graded,
  COUNTIF(pick) AS picks,
  COUNTIF(result = 'WIN') AS wins,
  COUNTIF(result = 'LOSS') AS losses,
  COUNTIF(result = 'PUSH') AS pushes,
  COUNTIF(result = 'VOID') AS voids,
  AVG(hit) AS hit_rate,
  AVG(abs_error) AS mae,
  AVG(line_abs_error) AS line_mae,
  SUM(pick_units) AS units
FROM propflow.grade_metrics
GROUP BY market, system_id, model_id, model_version, game_date, run_id
