-- How far apart the systems are on each entity. Classes use the default
-- agreement thresholds of shared/markets.yaml (spread < 1.0 strong, > 2.0 weak).
WITH scored AS (
  SELECT market, game_date, run_id, entity_id, system_id, mean, recommendation
  FROM propflow.predictions
  WHERE system_id != 'ensemble' AND status = 'scored'
)
SELECT
  market, game_date, run_id, entity_id,
  COUNT(*) AS systems,
  MIN(mean) AS min_mean,
  MAX(mean) AS max_mean,
  MAX(mean) - MIN(mean) AS spread,
  CASE
    WHEN MAX(mean) - MIN(mean) < 1.0 THEN 'strong'
    WHEN MAX(mean) - MIN(mean) > 2.0 THEN 'weak'
    ELSE 'moderate'
  END AS agreement,
  COUNT(DISTINCT recommendation) = 1 AS same_recommendation
FROM scored
GROUP BY market, game_date, run_id, entity_id
