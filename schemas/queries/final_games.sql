-- The games of a market and date whose outcomes are in the warehouse.
SELECT DISTINCT game_id
FROM propflow.outcomes
WHERE market = @market AND game_date = @game_date
ORDER BY game_id
