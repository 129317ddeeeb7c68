-- The feature rows of one slate (one market, date and run).
SELECT *
FROM propflow.features
WHERE market = @market AND game_date = @game_date AND run_id = @run_id
ORDER BY entity_id
