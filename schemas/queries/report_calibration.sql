-- The report's calibration curve: one run and market's P(over) buckets per system.
SELECT system_id, bucket_low, bucket_high, n, mean_p_over, over_rate
FROM propflow.calibration
WHERE run_id = @run_id AND market = @market
ORDER BY system_id, bucket_low
