-- For every entity-game of a market up to @until: the line as the platform saw it at
-- prediction time (@hour UTC on game day), its opening line and prices, and, for
-- evaluation only, the closing line. Where several books post, consensus wins, then book name.
WITH closing AS (
  SELECT game_id, entity_id, line AS closing_line
  FROM propflow.prop_lines
  WHERE market = @market AND game_date >= @since AND game_date <= @until
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY game_id, entity_id ORDER BY snapshot_at DESC, book = 'consensus' DESC, book
  ) = 1
),
visible AS (
  SELECT
    game_id, entity_id, book, snapshot_at, line, over_price, under_price,
    FIRST_VALUE(line) OVER (PARTITION BY game_id, entity_id, book ORDER BY snapshot_at) AS opening_line
  FROM propflow.prop_lines
  WHERE market = @market AND game_date >= @since AND game_date <= @until
    AND snapshot_at <= TIMESTAMP_ADD(TIMESTAMP(game_date), INTERVAL @hour HOUR)
)
SELECT v.entity_id, v.game_id, v.line, v.opening_line, v.over_price, v.under_price, c.closing_line
FROM visible AS v
JOIN closing AS c USING (game_id, entity_id)
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY v.game_id, v.entity_id ORDER BY v.snapshot_at DESC, v.book = 'consensus' DESC, v.book
) = 1
