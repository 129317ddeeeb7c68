-- The dates a game's outcomes are stored on, whatever the date: a game id names one game, and the outcomes
-- key holds no date, so a final dated otherwise would move them out of their graded slate.
SELECT DISTINCT game_date
FROM propflow.outcomes
WHERE market = @market AND game_id = @game_id
