-- For one market, date and run: entities on the slate and how many each system scored.
WITH slate AS (
  SELECT COUNT(*) AS entities
  FROM propflow.features
  WHERE market = @market AND game_date = @game_date AND run_id = @run_id
)
SELECT s.entities, p.system_id, COUNTIF(p.status = 'scored') AS scored
FROM slate AS s
LEFT JOIN propflow.predictions AS p
  ON p.market = @market AND p.game_date = @game_date AND p.run_id = @run_id
GROUP BY s.entities, p.system_id
