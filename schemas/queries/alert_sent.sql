-- Was this alert, or one with the same market, system, level and title, already sent that day?
SELECT COUNT(*) AS sent
FROM propflow.alerts
WHERE game_date = @game_date AND delivery_status = 'sent'
  AND (alert_id = @alert_id OR (market = @market AND level = @level AND title = @title))
