-- The closing line and prices of every entity of one game (last snapshot; consensus first).
SELECT entity_id, line AS closing_line, over_price AS closing_over_price, under_price AS closing_under_price
FROM propflow.prop_lines
WHERE market = @market AND game_date = @game_date AND game_id = @game_id
QUALIFY ROW_NUMBER() OVER (PARTITION BY entity_id ORDER BY snapshot_at DESC, book = 'consensus' DESC, book) = 1
