-- The report's time series: per system and day, units won and errors against the line's.
SELECT
  system_id,
  game_date,
  COUNTIF(result IN ('WIN', 'LOSS', 'PUSH')) AS picks,
  COALESCE(SUM(profit_units), 0) AS units,
  COUNT(abs_error) AS graded,
  SUM(abs_error) AS abs_error_sum,
  COUNT(line_abs_error) AS line_graded,
  SUM(line_abs_error) AS line_abs_error_sum
FROM propflow.grades
WHERE run_id = @run_id AND market = @market
GROUP BY system_id, game_date
ORDER BY system_id, game_date
