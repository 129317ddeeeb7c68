-- Brier score and log loss of each system's P(over) (pushes excluded), next to the
-- book's de-vigged P(over) on the rows where prices exist.
WITH decided AS (
  SELECT
    market, run_id, system_id,
    SAFE_DIVIDE(p_over, 1 - COALESCE(p_push, 0)) AS p,
    market_p_over AS q,
    IF(went_over, 1.0, 0.0) AS y
  FROM propflow.grades
  WHERE went_over IS NOT NULL AND p_over IS NOT NULL
)
SELECT
  market, run_id, system_id,
  COUNT(*) AS n,
  AVG(POW(p - y, 2)) AS brier,
  AVG(-(y * LN(GREATEST(p, 1e-6)) + (1 - y) * LN(GREATEST(1 - p, 1e-6)))) AS log_loss,
  COUNTIF(q IS NOT NULL) AS n_priced,
  AVG(IF(q IS NOT NULL, POW(p - y, 2), NULL)) AS brier_priced,
  AVG(POW(q - y, 2)) AS market_brier,
  AVG(-(y * LN(GREATEST(q, 1e-6)) + (1 - y) * LN(GREATEST(1 - q, 1e-6)))) AS market_log_loss
FROM decided
GROUP BY market, run_id, system_id
