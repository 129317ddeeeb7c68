-- Of a run's predictions for games already final on @game_date, the share that is graded.
SELECT
  COUNT(*) AS final_predictions,
  COUNTIF(g.entity_id IS NOT NULL) AS graded
FROM propflow.predictions AS p
JOIN (SELECT DISTINCT game_id FROM propflow.outcomes WHERE market = @market AND game_date = @game_date) AS o
  USING (game_id)
LEFT JOIN propflow.grades AS g
  ON g.run_id = p.run_id AND g.market = p.market AND g.game_date = p.game_date
  AND g.system_id = p.system_id AND g.entity_id = p.entity_id
WHERE p.market = @market AND p.game_date = @game_date AND p.run_id = @run_id
