-- The names no entity was found for, most feed rows first (`propflow entities unmatched`; market '': all).
SELECT market, name, SUM(`rows`) AS `rows`, COUNT(DISTINCT game_date) AS dates, MAX(game_date) AS last_date,
  ANY_VALUE(reason) AS reason
FROM propflow.ingest_unmatched
WHERE (@market = '' OR market = @market) AND normalized_name IS NOT NULL
GROUP BY market, name
ORDER BY `rows` DESC, name
LIMIT @limit
