-- Slates of a market and date where systems reported but the ensemble has fewer rows
-- than there are entities: what the deadline sweep still has to combine.
SELECT run_id
FROM propflow.predictions
WHERE market = @market AND game_date = @game_date
GROUP BY run_id
HAVING COUNTIF(system_id = 'ensemble') < COUNT(DISTINCT IF(system_id != 'ensemble', entity_id, NULL))
