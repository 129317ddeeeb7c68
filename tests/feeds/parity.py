"""What an ingest of the real data loaded, table by table: row counts and a checksum of the sorted rows.

Recorded from the hand-written loaders before they were removed (parity.json), and compared with what
the shipped specs load (test_shipped_specs.py).
"""

from __future__ import annotations

import hashlib

import pandas as pd

# When and from which object a row was loaded differ run to run; the reason is worded by the matcher.
VOLATILE = {"ingested_at", "updated_at", "source_object", "reason"}
TABLES = ("outcomes", "prop_lines", "game_lines", "ingest_unmatched")
# The recorded prop_lines had each book's opening and closing flagged per load (one load per file, no game in
# two files); the table no longer stores the flags: they are read back from the view book_lines.
SELECT = {
    "prop_lines": "SELECT l.*, l.snapshot_at = b.opening_at AS is_opening, l.snapshot_at = b.closing_at AS is_closing "
    "FROM propflow.prop_lines l JOIN propflow.book_lines b USING (market, game_id, entity_id, book)"
}


def checksum(frame: pd.DataFrame) -> str:
    columns = sorted(c for c in frame.columns if c not in VOLATILE)
    text = frame[columns].astype(str).sort_values(columns).to_csv(index=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def snapshot(warehouse) -> dict[str, dict]:
    """Per table: rows, and per source: rows and checksum."""
    result = {}
    for table in TABLES:
        frame = warehouse.sql(SELECT.get(table, f"SELECT * FROM propflow.{table}"))
        result[table] = {
            "rows": len(frame),
            "sources": {
                str(source): {"rows": len(part), "checksum": checksum(part)}
                for source, part in frame.groupby("source", sort=True)
            },
        }
    return result
