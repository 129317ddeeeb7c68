-- Every registered version of one market's system, newest first.
SELECT *
FROM propflow.model_registry
WHERE market = @market AND system_id = @system_id
ORDER BY registered_at DESC
