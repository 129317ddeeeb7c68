-- The games of a market, between two dates, with predictions stored: the ones a game-final has something to grade.
SELECT DISTINCT game_id
FROM propflow.predictions
WHERE market = @market AND game_date BETWEEN @first_date AND @last_date
