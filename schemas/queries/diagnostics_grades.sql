-- A run's graded rows of one market over the window ending on @game_date, with what the headline
-- intervals count (shared/domain/intervals.py).
SELECT system_id, game_date, entity_id, mean, line, actual, recommendation, result, error, abs_error,
  line_abs_error, beat_line, price, profit_units, p_over, p_push, went_over, market_p_over, clv_prob, clv_line
FROM propflow.grades
WHERE market = @market AND run_id = @run_id
  AND game_date > DATE_SUB(@game_date, INTERVAL @days DAY) AND game_date <= @game_date
