-- Every system next to the ensemble, one row per system and entity.
SELECT
  s.market, s.game_date, s.run_id, s.entity_id, s.entity_name, s.line,
  s.system_id, s.status, s.mean, s.p_over, s.edge, s.confidence, s.recommendation,
  e.mean AS ensemble_mean,
  e.recommendation AS ensemble_recommendation,
  s.mean - e.mean AS diff_from_ensemble,
  s.recommendation = e.recommendation AS agrees_with_ensemble
FROM propflow.predictions AS s
LEFT JOIN propflow.predictions AS e
  ON e.system_id = 'ensemble'
  AND e.run_id = s.run_id AND e.market = s.market
  AND e.game_date = s.game_date AND e.entity_id = s.entity_id
WHERE s.system_id != 'ensemble'
