-- The book's lines of a game-final's day: every market with lines for its game that day, and the game each
-- entity of its market had a line in that day.
SELECT DISTINCT market, game_id, entity_id
FROM propflow.prop_lines
WHERE game_date = @game_date AND (game_id = @game_id OR market = @market)
