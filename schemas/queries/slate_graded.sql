-- How many of a slate's predictions of one run are graded already.
SELECT COUNT(*) AS graded
FROM propflow.grades
WHERE market = @market AND game_date = @game_date AND run_id = @run_id
