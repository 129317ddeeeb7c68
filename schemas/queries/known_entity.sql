-- Whether a market knows an entity (it has results or aliases): an alias must point at one.
SELECT entity_id, ANY_VALUE(entity_name) AS entity_name
FROM (
  SELECT entity_id, entity_name FROM propflow.outcomes WHERE market = @market AND entity_id = @entity_id
  UNION ALL
  SELECT entity_id, name AS entity_name FROM propflow.entity_aliases WHERE market = @market AND entity_id = @entity_id
)
GROUP BY entity_id
