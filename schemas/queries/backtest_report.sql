-- Per system of one run: picks, hit rate, ROI, MAE against the line's, Brier against the
-- market's (what a pick is and how each metric counts: the grade_metrics view). With
-- @production_only, only the entity-games production (run 'live') graded too: backtest and
-- production numbers differ mostly because their populations differ.
WITH population AS (
  SELECT g.*
  FROM propflow.grade_metrics AS g
  WHERE g.run_id = @run_id AND g.market = @market
    AND (NOT @production_only OR EXISTS (
      SELECT 1 FROM propflow.grades AS p
      WHERE p.run_id = 'live' AND p.market = g.market AND p.game_id = g.game_id AND p.entity_id = g.entity_id
    ))
)
SELECT
  system_id,
  COUNTIF(graded) AS graded,
  COUNTIF(pick) AS picks,
  AVG(hit) AS hit_rate,
  AVG(pick_units) AS roi,
  SUM(pick_units) AS units,
  AVG(abs_error) AS mae,
  AVG(line_abs_error) AS line_mae,
  AVG(IF(went_over IS NULL, NULL, POW(SAFE_DIVIDE(p_over, 1 - COALESCE(p_push, 0)) - IF(went_over, 1.0, 0.0), 2))) AS brier,
  AVG(IF(went_over IS NULL OR market_p_over IS NULL, NULL,
         POW(SAFE_DIVIDE(p_over, 1 - COALESCE(p_push, 0)) - IF(went_over, 1.0, 0.0), 2))) AS brier_priced,
  AVG(IF(went_over IS NULL, NULL, POW(market_p_over - IF(went_over, 1.0, 0.0), 2))) AS market_brier,
  COUNTIF(went_over IS NOT NULL AND market_p_over IS NOT NULL) AS priced
FROM population
GROUP BY system_id
ORDER BY system_id = 'ensemble', system_id
