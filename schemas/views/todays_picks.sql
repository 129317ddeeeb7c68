-- The ensemble's picks on each market's latest slate, most confident first, each beside its offer as it
-- stands now. A slate is scored once, at its market's prediction hour; a line or price that moved since is
-- not re-scored (backtests score at that hour too), so such a pick is shown `stale`: the offer it was
-- decided at is no longer the latest one.
WITH latest AS (
  SELECT market, MAX(game_date) AS game_date
  FROM propflow.predictions
  WHERE system_id = 'ensemble'
  GROUP BY market
),
offers AS (
  -- The latest snapshot per entity, chosen as the slate chooses: consensus first, then book name.
  SELECT l.market, l.game_id, l.entity_id, l.line, l.over_price, l.under_price, l.snapshot_at
  FROM propflow.prop_lines AS l
  JOIN latest ON l.market = latest.market
  WHERE l.game_date = latest.game_date
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY l.market, l.game_id, l.entity_id ORDER BY l.snapshot_at DESC, l.book = 'consensus' DESC, l.book
  ) = 1
)
SELECT
  p.market, p.game_date, p.run_id, p.game_id, p.entity_id, p.entity_name,
  p.recommendation, p.line, p.mean, p.edge, p.p_over, p.confidence,
  p.over_price, p.under_price, p.red_flags, p.components_json,
  o.line AS current_line, o.over_price AS current_over_price, o.under_price AS current_under_price,
  o.snapshot_at AS current_at,
  o.entity_id IS NULL OR o.line != p.line
    OR o.over_price IS DISTINCT FROM p.over_price OR o.under_price IS DISTINCT FROM p.under_price AS stale
FROM propflow.predictions AS p
JOIN latest
  ON p.market = latest.market AND p.game_date = latest.game_date
LEFT JOIN offers AS o
  ON p.market = o.market AND p.game_id = o.game_id AND p.entity_id = o.entity_id
WHERE p.system_id = 'ensemble' AND p.recommendation IN ('OVER', 'UNDER')
ORDER BY p.confidence DESC
