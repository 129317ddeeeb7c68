-- A market's results a feed's rows are matched against: the rows' dates, and the games before them (latest teams).
SELECT game_date, game_id, entity_id, entity_name, team
FROM propflow.outcomes
WHERE market = @market AND game_date BETWEEN @since AND @until
