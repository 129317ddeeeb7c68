-- What each alias of a market's systems pointed at, and when, newest first.
SELECT market, system_id, alias, version, previous_version, set_at, set_by, reason
FROM propflow.model_alias_history
WHERE market = @market
ORDER BY set_at DESC
