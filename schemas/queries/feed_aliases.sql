-- The names a market's entities go by besides their results' name (crosswalk feeds, `propflow entities alias`).
SELECT entity_id, name, display
FROM propflow.entity_aliases
WHERE market = @market
