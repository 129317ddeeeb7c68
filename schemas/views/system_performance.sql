-- The last 30 days of each market (ending on its latest graded date), per system
-- (what a pick is and how each metric counts: grade_metrics).
WITH latest AS (
  SELECT market, MAX(game_date) AS last_date
  FROM propflow.grades
  GROUP BY market
)
SELECT
  g.market, g.run_id, g.system_id,
  COUNTIF(g.pick) AS picks,
  AVG(g.hit) AS hit_rate,
  AVG(g.abs_error) AS mae,
  AVG(g.line_abs_error) AS line_mae,
  AVG(g.pick_units) AS roi
FROM propflow.grade_metrics AS g
JOIN latest AS l ON g.market = l.market
WHERE g.game_date > DATE_SUB(l.last_date, INTERVAL 30 DAY)
GROUP BY g.market, g.run_id, g.system_id
