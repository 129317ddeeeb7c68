-- Graded rows of one market over a window ending on @game_date, with the day's coverage inputs.
SELECT system_id, game_date, recommendation, result, error, abs_error, line_abs_error, beat_line, actual
FROM propflow.grades
WHERE market = @market AND game_date > DATE_SUB(@game_date, INTERVAL @days DAY) AND game_date <= @game_date
