-- Each book's opening and closing line of every entity-game, over every snapshot loaded (whatever file or
-- load it came in): the first and the last, with how many snapshots lie between and how far the line moved.
WITH ranked AS (
  SELECT
    market, game_date, game_id, entity_id, entity_name, book, snapshot_at, line, over_price, under_price,
    ROW_NUMBER() OVER (PARTITION BY market, game_id, entity_id, book ORDER BY snapshot_at) AS first_n,
    ROW_NUMBER() OVER (PARTITION BY market, game_id, entity_id, book ORDER BY snapshot_at DESC) AS last_n,
    COUNT(*) OVER (PARTITION BY market, game_id, entity_id, book) AS snapshots
  FROM propflow.prop_lines
)
SELECT
  o.market, o.game_date, o.game_id, o.entity_id, c.entity_name, o.book, o.snapshots,
  o.snapshot_at AS opening_at, o.line AS opening_line,
  o.over_price AS opening_over_price, o.under_price AS opening_under_price,
  c.snapshot_at AS closing_at, c.line AS closing_line,
  c.over_price AS closing_over_price, c.under_price AS closing_under_price,
  c.line - o.line AS line_move
FROM ranked AS o
JOIN ranked AS c USING (market, game_id, entity_id, book)
WHERE o.first_n = 1 AND c.last_n = 1
