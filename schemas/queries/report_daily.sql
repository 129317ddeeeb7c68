-- The report's time series: per system and day, picks and units won (grade_metrics counts them).
SELECT
  system_id,
  game_date,
  COUNTIF(pick) AS picks,
  COALESCE(SUM(pick_units), 0) AS units
FROM propflow.grade_metrics
WHERE run_id = @run_id AND market = @market
GROUP BY system_id, game_date
ORDER BY system_id, game_date
