-- The ensemble's picks on each market's latest slate, most confident first.
SELECT
  p.market, p.game_date, p.run_id, p.game_id, p.entity_id, p.entity_name,
  p.recommendation, p.line, p.mean, p.edge, p.p_over, p.confidence,
  p.over_price, p.under_price, p.red_flags, p.components_json
FROM propflow.predictions AS p
JOIN (
  SELECT market, MAX(game_date) AS game_date
  FROM propflow.predictions
  WHERE system_id = 'ensemble'
  GROUP BY market
) AS latest
  ON p.market = latest.market AND p.game_date = latest.game_date
WHERE p.system_id = 'ensemble' AND p.recommendation IN ('OVER', 'UNDER')
ORDER BY p.confidence DESC
