-- The report's model MAE next to the line's, per system and month (grade_metrics counts them).
SELECT
  system_id,
  FORMAT_DATE('%Y-%m', game_date) AS month,
  COUNT(abs_error) AS graded,
  AVG(abs_error) AS mae,
  AVG(line_abs_error) AS line_mae
FROM propflow.grade_metrics
WHERE run_id = @run_id AND market = @market
GROUP BY system_id, month
ORDER BY system_id, month
