"""One self-contained HTML page: tables inline, figures as data: URIs, no external anything."""

from __future__ import annotations

import base64
import html

import pandas as pd

from shared import clock
from shared.domain import intervals
from shared.ops.report.data import MarketReport

STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
img { max-width: 100%; }
"""
CAPTIONS = {
    "calibration": "Predicted P(over) in 5-point buckets against how often the over came in.",
    "edges": "Hit rate by the edge a pick was made on, with 95 % Wilson intervals and the number of picks.",
    "units": "Units won at the prices taken (-110 where none was quoted).",
    "monthly_mae": "Each system's MAE next to the line's on the same entity-games.",
    "fleet": "How many systems scored every entity, and how far apart they were.",
}


def table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="", border=0)


def _image(name: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    image = f'<img alt="{name}" src="data:image/png;base64,{data}">'
    return f"<figure>{image}<figcaption>{CAPTIONS[name]}</figcaption></figure>"


def _section(report: MarketReport, figures: dict[str, bytes]) -> str:
    edges = report.edges[["system_id", "edge", "picks", "wins", "losses", "hit_rate", "hit_low", "hit_high", "roi"]]
    return "\n".join(
        [
            f"<h2>{html.escape(report.market)}</h2>",
            "<h3>Leaderboard</h3>",
            table(report.leaderboard),
            f"<p>{html.escape(intervals.EXPLAINED)}</p>",
            table(intervals.shown(report.intervals)),
            *(_image(name, figures[name]) for name in ("calibration", "edges")),
            table(edges),
            _image("units", figures["units"]),
            _image("monthly_mae", figures["monthly_mae"]),
            table(report.monthly),
            _image("fleet", figures["fleet"]),
        ]
    )


def render(run_id: str, sections: list[tuple[MarketReport, dict[str, bytes]]]) -> str:
    title = f"Propflow report: run {html.escape(run_id)}"
    body = "\n".join(_section(report, figures) for report, figures in sections) or "<p>Nothing graded in this run.</p>"
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body><h1>{title}</h1>"
        f"<p>Generated {clock.now_utc():%Y-%m-%d %H:%M} UTC from the warehouse.</p>\n{body}\n</body></html>\n"
    )
