-- Every grade row with what it counts for: the one definition of a pick and of the metrics.
-- The other views and the report queries read this and aggregate; each metric is one aggregate:
--   picks      COUNTIF(pick): a graded OVER / UNDER, WIN, LOSS or PUSH. A VOID (did not play)
--              is no pick: its stake is returned and it says nothing about the system.
--   hit_rate   AVG(hit): wins over wins and losses. A push returns the stake and decides nothing,
--              so it stays out, and break-even at -110 stays 110 / 210 = 52.38 %.
--   units, roi SUM(pick_units), AVG(pick_units): units won staking one unit on each pick.
--   graded     COUNTIF(graded): predictions with an actual (the entity played).
--   mae        AVG(abs_error): every prediction with a mean and an actual, picks and passes alike.
--   line_mae   AVG(line_abs_error): the line's error on the grade rows with an actual.
WITH counted AS (
  SELECT
    g.*,
    g.actual IS NOT NULL AS graded,
    COALESCE(g.result IN ('WIN', 'LOSS', 'PUSH'), FALSE) AS pick
  FROM propflow.grades AS g
)
SELECT
  *,
  CASE result WHEN 'WIN' THEN 1.0 WHEN 'LOSS' THEN 0.0 END AS hit,
  IF(pick, profit_units, NULL) AS pick_units
FROM counted
