-- Enable or disable one registered version (a disabled version is never served).
UPDATE propflow.model_registry
SET enabled = @enabled
WHERE market = @market AND system_id = @system_id AND version = @version
