-- Outcomes the feature store may use for a slate: strictly before its date.
SELECT entity_id, entity_name, game_id, game_date, team, opponent, home, status, actual, workload, details_json
FROM propflow.outcomes
WHERE market = @market AND game_date >= @since AND game_date < @game_date
