-- The model an alias points at now: the latest alias row, joined to its registry entry.
WITH current_alias AS (
  SELECT version
  FROM propflow.model_alias_history
  WHERE market = @market AND system_id = @system_id AND alias = @alias
  QUALIFY ROW_NUMBER() OVER (ORDER BY set_at DESC) = 1
)
SELECT r.*
FROM propflow.model_registry AS r
JOIN current_alias AS a ON r.version = a.version
WHERE r.market = @market AND r.system_id = @system_id
