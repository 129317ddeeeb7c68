"""Build a run's report: read every market it graded, draw, write one HTML file."""

from __future__ import annotations

from pathlib import Path

from shared.domain import intervals
from shared.ops.report import data, page, plots
from shared.ports import Context


def build(ctx: Context, run_id: str, out: Path, resamples: int = intervals.RESAMPLES) -> list[data.MarketReport]:
    """Write the report of `run_id` to `out` and return what it shows."""
    reports = [data.market_report(ctx, run_id, market, resamples) for market in data.markets(ctx, run_id)]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page.render(run_id, [(r, plots.figures(r)) for r in reports]), encoding="utf-8")
    return reports
