-- A run's grade rows of one market, with what the intervals of shared/domain/intervals.py resample (by
-- game_date) and count (shared/domain/metrics.py, the grade_metrics view's rules in pandas). The same
-- population as backtest_report.sql: with @production_only, only the entity-games production graded too.
SELECT g.system_id, g.game_date, g.result, g.price, g.profit_units, g.abs_error, g.line_abs_error, g.p_over,
  g.p_push, g.went_over, g.market_p_over, g.clv_prob, g.clv_line
FROM propflow.grades AS g
WHERE g.run_id = @run_id AND g.market = @market
  AND (NOT @production_only OR EXISTS (
    SELECT 1 FROM propflow.grades AS p
    WHERE p.run_id = 'live' AND p.market = g.market AND p.game_id = g.game_id AND p.entity_id = g.entity_id
  ))
ORDER BY g.system_id = 'ensemble', g.system_id, g.game_date
