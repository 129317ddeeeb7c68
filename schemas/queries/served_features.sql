-- The feature rows a run served for one market over the window ending on @game_date.
SELECT game_date, game_id, entity_id, features_json, defaulted, as_of, line_at, quality_score
FROM propflow.features
WHERE market = @market AND run_id = @run_id
  AND game_date > DATE_SUB(@game_date, INTERVAL @days DAY) AND game_date <= @game_date
