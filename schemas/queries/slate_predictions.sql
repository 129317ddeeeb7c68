-- Every system's predictions for one slate, the ensemble's excluded.
SELECT *
FROM propflow.predictions
WHERE market = @market AND game_date = @game_date AND run_id = @run_id AND system_id != 'ensemble'
ORDER BY entity_id, system_id
