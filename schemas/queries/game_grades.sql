-- The grades already written for one game (what a correction replaces).
SELECT run_id, system_id, entity_id, actual, result, outcome_status
FROM propflow.grades
WHERE market = @market AND game_date = @game_date AND game_id = @game_id
