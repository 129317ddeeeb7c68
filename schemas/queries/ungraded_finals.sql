-- Games of a slate date that are final (outcomes in) but have predictions without grades:
-- a game-final that arrived before its predictions.
SELECT DISTINCT p.game_id
FROM propflow.predictions AS p
JOIN propflow.outcomes AS o
  ON o.market = p.market AND o.game_date = p.game_date AND o.game_id = p.game_id
LEFT JOIN propflow.grades AS g
  ON g.run_id = p.run_id AND g.market = p.market AND g.game_date = p.game_date
  AND g.system_id = p.system_id AND g.entity_id = p.entity_id
WHERE p.market = @market AND p.game_date = @game_date AND g.entity_id IS NULL
