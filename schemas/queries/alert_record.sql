-- The alert recorded under an id, on any date: an id names one alert.
SELECT game_date, market, system_id, level
FROM propflow.alerts
WHERE alert_id = @alert_id
