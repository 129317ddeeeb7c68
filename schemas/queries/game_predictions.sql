-- Everything predicted for one game, every run, every system and the ensemble.
SELECT *
FROM propflow.predictions
WHERE market = @market AND game_date = @game_date AND game_id = @game_id
