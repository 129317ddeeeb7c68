-- Each system's MAE over the graded days before a slate (adaptive ensemble weights).
SELECT system_id, COUNT(*) AS graded, AVG(abs_error) AS mae
FROM propflow.grades
WHERE market = @market
  AND game_date < @game_date
  AND game_date >= DATE_SUB(@game_date, INTERVAL @days DAY)
  AND abs_error IS NOT NULL
  AND system_id != 'ensemble'
GROUP BY system_id
