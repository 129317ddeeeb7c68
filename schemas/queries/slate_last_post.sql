-- The lines a slate was last posted with (empty: never posted).
SELECT lines_digest, posted_at
FROM propflow.slate_posts
WHERE market = @market AND game_date = @game_date AND run_id = @run_id
ORDER BY posted_at DESC
LIMIT 1
