-- Two systems on exactly the same graded entity-games: who was closer, how often.
SELECT
  a.market, a.run_id,
  a.system_id AS system_a,
  b.system_id AS system_b,
  COUNT(*) AS games,
  AVG(a.abs_error) AS mae_a,
  AVG(b.abs_error) AS mae_b,
  AVG(IF(a.abs_error < b.abs_error, 1.0, 0.0)) AS a_closer_rate,
  AVG(IF(b.abs_error < a.abs_error, 1.0, 0.0)) AS b_closer_rate
FROM propflow.grades AS a
JOIN propflow.grades AS b
  ON a.run_id = b.run_id AND a.market = b.market
  AND a.game_date = b.game_date AND a.entity_id = b.entity_id
  AND a.system_id < b.system_id
WHERE a.actual IS NOT NULL AND a.mean IS NOT NULL AND b.mean IS NOT NULL
GROUP BY a.market, a.run_id, a.system_id, b.system_id
