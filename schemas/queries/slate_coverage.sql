-- For one market and date: entities on each run's slate and how many each system scored.
WITH slate AS (
  SELECT run_id, COUNT(*) AS entities
  FROM propflow.features
  WHERE market = @market AND game_date = @game_date
  GROUP BY run_id
)
SELECT s.run_id, s.entities, p.system_id, COUNTIF(p.status = 'scored') AS scored
FROM slate AS s
LEFT JOIN propflow.predictions AS p
  ON p.market = @market AND p.game_date = @game_date AND p.run_id = s.run_id
GROUP BY s.run_id, s.entities, p.system_id
