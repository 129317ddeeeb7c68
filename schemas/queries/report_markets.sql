-- The markets a run graded, for the report.
SELECT DISTINCT market FROM propflow.grades WHERE run_id = @run_id ORDER BY market
