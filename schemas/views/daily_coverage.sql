-- Systems per entity on each slate: healthy when min = max = active systems.
WITH per_entity AS (
  SELECT
    f.market, f.game_date, f.run_id, f.entity_id,
    COUNT(DISTINCT IF(p.status = 'scored', p.system_id, NULL)) AS systems_scored,
    COUNT(DISTINCT p.system_id) AS systems_reported
  FROM propflow.features AS f
  LEFT JOIN propflow.predictions AS p
    ON p.market = f.market AND p.game_date = f.game_date
    AND p.run_id = f.run_id AND p.entity_id = f.entity_id
    AND p.system_id != 'ensemble'
  GROUP BY f.market, f.game_date, f.run_id, f.entity_id
)
SELECT
  market, game_date, run_id,
  COUNT(*) AS entities,
  MIN(systems_scored) AS min_systems,
  MAX(systems_scored) AS max_systems,
  MIN(systems_reported) AS min_systems_reported
FROM per_entity
GROUP BY market, game_date, run_id
