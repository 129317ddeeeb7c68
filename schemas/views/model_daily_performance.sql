-- Per model version and day: graded rows, picks, results, MAE against the line's.
SELECT
  market, system_id, model_id, model_version, game_date, run_id,
  COUNTIF(actual IS NOT NULL) AS graded,
  COUNTIF(result IS NOT NULL) AS picks,
  COUNTIF(result = 'WIN') AS wins,
  COUNTIF(result = 'LOSS') AS losses,
  COUNTIF(result = 'PUSH') AS pushes,
  COUNTIF(result = 'VOID') AS voids,
  SAFE_DIVIDE(COUNTIF(result = 'WIN'), COUNTIF(result IN ('WIN', 'LOSS'))) AS hit_rate,
  AVG(abs_error) AS mae,
  AVG(line_abs_error) AS line_mae,
  SUM(profit_units) AS units
FROM propflow.grades
GROUP BY market, system_id, model_id, model_version, game_date, run_id
