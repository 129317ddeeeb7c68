-- The latest availability report of each entity on a slate, as known at @as_of.
SELECT entity_id, status
FROM propflow.availability
WHERE market = @market AND game_date = @game_date AND reported_at <= @as_of
QUALIFY ROW_NUMBER() OVER (PARTITION BY entity_id ORDER BY reported_at DESC) = 1
