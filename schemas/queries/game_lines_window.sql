-- Game spreads and totals of a sport between two dates (known before the games).
SELECT game_id, game_date, home_team, away_team, spread, total
FROM propflow.game_lines
WHERE sport = @sport AND game_date >= @since AND game_date <= @until
