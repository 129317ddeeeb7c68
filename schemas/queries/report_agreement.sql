-- The report's fleet view per day: how far apart the systems were, and how many scored each entity.
WITH agreement AS (
  SELECT
    game_date,
    AVG(spread) AS mean_spread,
    AVG(IF(agreement = 'strong', 1.0, 0.0)) AS strong_share,
    AVG(IF(agreement = 'weak', 1.0, 0.0)) AS weak_share
  FROM propflow.system_agreement
  WHERE run_id = @run_id AND market = @market
  GROUP BY game_date
)
SELECT c.game_date, c.entities, c.min_systems, c.max_systems, a.mean_spread, a.strong_share, a.weak_share
FROM propflow.daily_coverage AS c
LEFT JOIN agreement AS a ON a.game_date = c.game_date
WHERE c.run_id = @run_id AND c.market = @market
ORDER BY c.game_date
