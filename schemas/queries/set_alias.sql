-- Point an alias at a version, atomically: the row is written only if the alias
-- still points where the caller saw it (@expected; NULL when it pointed nowhere),
-- so two racing promotes cannot both win. A MERGE, so BigQuery serialises it.
MERGE propflow.model_alias_history AS T
USING (
  SELECT
    @market AS market, @system_id AS system_id, @alias AS alias, @version AS version,
    @expected AS previous_version, @set_at AS set_at, @set_by AS set_by, @reason AS reason
  FROM (SELECT 1 AS one)
  WHERE @expected IS NOT DISTINCT FROM (
    SELECT ANY_VALUE(version)
    FROM (
      SELECT version
      FROM propflow.model_alias_history
      WHERE market = @market AND system_id = @system_id AND alias = @alias
      ORDER BY set_at DESC
      LIMIT 1
    )
  )
) AS S
ON FALSE
WHEN NOT MATCHED THEN
  INSERT (market, system_id, alias, version, previous_version, set_at, set_by, reason)
  VALUES (S.market, S.system_id, S.alias, S.version, S.previous_version, S.set_at, S.set_by, S.reason)
