"""Walk-forward evaluation: retrain every period, score the next one, compare with the line.

For each period (a month by default) from `start` to `end`, every system is
fitted on all rows dated before the period and scores the period's rows; the
model's MAE is reported next to the as-of line's and the closing line's MAE
on exactly the same entity-games. Nothing is registered: this measures the
systems, `propflow train` ships them.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from shared.contract import markets
from shared.ports import Context
from shared.systems import training


def periods(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Calendar months [first day, last day] covering start..end, clipped to it."""
    result, first = [], start
    while first <= end:
        next_month = (first.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        result.append((first, min(end, next_month - dt.timedelta(days=1))))
        first = next_month
    return result


def run(
    ctx: Context, market_id: str, start: dt.date, end: dt.date, systems: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """One row per period and system: rows scored, model MAE, line MAE, closing line MAE (same rows)."""
    systems = systems or markets.market(market_id).active_systems(ctx.settings)
    data = training.training_data(ctx, market_id, end)
    rows = []
    for first, last in periods(start, end):
        for system_id in systems:
            config = training.TrainConfig.for_system(
                market_id, system_id, first - dt.timedelta(days=1), validation_days=(last - first).days + 1
            )
            scored = training.fit(config, data).metrics["validation"]
            if not scored.get("rows"):
                continue
            rows.append(
                {
                    "period": f"{first:%Y-%m}",
                    "system_id": system_id,
                    "rows": scored["rows"],
                    "model_mae": scored["mae"],
                    "closing_rows": scored.get("closing_line_rows", 0),
                    "model_mae_on_closing_rows": scored.get("model_mae_on_closing_line_rows"),
                    "closing_line_mae": scored.get("closing_line_mae"),
                    "line_mae": scored.get("line_mae"),
                }
            )
    return pd.DataFrame(rows)


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """All periods together, per system, weighted by rows: model vs closing line on the same rows."""
    has_line = results[results["closing_rows"] > 0]

    def weighted(group: pd.DataFrame, column: str, weight: str) -> float:
        return float((group[column] * group[weight]).sum() / group[weight].sum())

    return pd.DataFrame(
        [
            {
                "system_id": system_id,
                "rows": int(group["rows"].sum()),
                "model_mae": weighted(group, "model_mae", "rows"),
                "rows_with_closing_line": int(lines["closing_rows"].sum()),
                "model_mae_same_rows": weighted(lines, "model_mae_on_closing_rows", "closing_rows"),
                "closing_line_mae": weighted(lines, "closing_line_mae", "closing_rows"),
            }
            for system_id, group in results.groupby("system_id", sort=False)
            for lines in [has_line[has_line["system_id"] == system_id]]
            if len(lines)
        ]
    )
