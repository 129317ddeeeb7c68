-- The latest date a market has results of: a line on or after it may be for a game whose results are still to come.
SELECT MAX(game_date) AS last_date
FROM propflow.outcomes
WHERE market = @market
