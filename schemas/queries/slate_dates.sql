-- The dates of a market with posted lines between two dates (the days a replay visits).
SELECT DISTINCT game_date
FROM propflow.prop_lines
WHERE market = @market AND game_date >= @since AND game_date <= @until
ORDER BY game_date
