-- The slate: every entity with a line for the market and date, at its latest
-- snapshot at or before the prediction time (@as_of), with its opening line.
-- One row per entity: the most recent snapshot wins; among books, consensus, then book name.
WITH visible AS (
  SELECT
    *,
    FIRST_VALUE(line) OVER (
      PARTITION BY game_id, entity_id, book ORDER BY snapshot_at
    ) AS opening_line
  FROM propflow.prop_lines
  WHERE market = @market AND game_date = @game_date AND snapshot_at <= @as_of
)
SELECT
  entity_id, entity_name, game_id, home_team, away_team, book, snapshot_at,
  line, over_price, under_price, opening_line
FROM visible
QUALIFY ROW_NUMBER() OVER (PARTITION BY entity_id ORDER BY snapshot_at DESC, book = 'consensus' DESC, book) = 1
