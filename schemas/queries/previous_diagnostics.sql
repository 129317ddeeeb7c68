-- The diagnostics rows of the day before @game_date, to tell what changed.
SELECT system_id, hit_rate_7d, alert_level
FROM propflow.diagnostics_daily
WHERE market = @market AND game_date = DATE_SUB(@game_date, INTERVAL 1 DAY)
