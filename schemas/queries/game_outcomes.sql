-- The final stat lines of one game.
SELECT entity_id, status, actual, workload
FROM propflow.outcomes
WHERE market = @market AND game_date = @game_date AND game_id = @game_id
