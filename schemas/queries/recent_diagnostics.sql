-- The diagnostics rows of the days before @game_date (the last @days), newest first.
SELECT game_date, system_id, hit_rate_7d, mae_gap_7d, sharpness_status, primary_cause, alert_level
FROM propflow.diagnostics_daily
WHERE market = @market AND game_date < @game_date AND game_date >= DATE_SUB(@game_date, INTERVAL @days DAY)
ORDER BY game_date DESC
