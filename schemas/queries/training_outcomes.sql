-- Outcomes a model may be trained on: everything up to and including @train_end.
SELECT entity_id, entity_name, game_id, game_date, team, opponent, home, status, actual, workload, details_json
FROM propflow.outcomes
WHERE market = @market AND game_date <= @train_end
