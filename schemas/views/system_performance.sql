-- The last 30 days of each market (ending on its latest graded date), per system.
WITH latest AS (
  SELECT market, MAX(game_date) AS last_date
  FROM propflow.grades
  GROUP BY market
)
SELECT
  g.market, g.run_id, g.system_id,
  COUNTIF(g.result IN ('WIN', 'LOSS', 'PUSH')) AS picks,
  SAFE_DIVIDE(COUNTIF(g.result = 'WIN'), COUNTIF(g.result IN ('WIN', 'LOSS'))) AS hit_rate,
  AVG(g.abs_error) AS mae,
  AVG(g.line_abs_error) AS line_mae,
  SAFE_DIVIDE(SUM(g.profit_units), COUNTIF(g.result IN ('WIN', 'LOSS', 'PUSH'))) AS roi
FROM propflow.grades AS g
JOIN latest AS l ON g.market = l.market
WHERE g.game_date > DATE_SUB(l.last_date, INTERVAL 30 DAY)
GROUP BY g.market, g.run_id, g.system_id
