"""The report's figures, drawn headless (Agg) to PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg")  # no display, no GUI toolkit: the report is drawn on servers and in CI
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from shared.ops.report.data import MarketReport

BREAK_EVEN = 110 / 210  # hit rate that breaks even at -110
SIZE = (7.0, 3.6)


@contextmanager
def _figure(out: dict[str, bytes], name: str) -> Iterator[Axes]:
    figure, axes = plt.subplots(figsize=SIZE, dpi=100)
    try:
        yield axes
        axes.grid(alpha=0.3)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize=8)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        out[name] = buffer.getvalue()
    finally:
        plt.close(figure)


def figures(report: MarketReport) -> dict[str, bytes]:
    """Figure name -> PNG bytes for one market."""
    out: dict[str, bytes] = {}
    with _figure(out, "calibration") as ax:
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect")
        for system_id, rows in report.calibration.groupby("system_id"):
            ax.plot(rows["mean_p_over"], rows["over_rate"], marker="o", label=system_id)
        ax.set(xlabel="predicted P(over)", ylabel="realised over rate", title="Calibration", xlim=(0, 1), ylim=(0, 1))
    with _figure(out, "edges") as ax:
        systems = sorted(report.edges["system_id"].unique())
        width = 0.8 / max(len(systems), 1)
        for i, system_id in enumerate(systems):
            rows = report.edges[report.edges["system_id"] == system_id]
            x = rows["bucket"].to_numpy() + (i - (len(systems) - 1) / 2) * width
            hit = rows["hit_rate"].to_numpy(dtype=float)
            spread = np.vstack([hit - rows["hit_low"].to_numpy(), rows["hit_high"].to_numpy() - hit])
            ax.errorbar(x, hit, yerr=np.nan_to_num(spread), fmt="o", capsize=3, label=system_id)
            for xi, yi, n in zip(x, hit, rows["picks"], strict=True):
                ax.annotate(str(n), (xi, yi), fontsize=6, xytext=(2, 2), textcoords="offset points")
        labels = report.edges.drop_duplicates("bucket").sort_values("bucket")
        ax.set_xticks(labels["bucket"], labels["edge"])
        ax.axhline(BREAK_EVEN, color="grey", linestyle="--", label="break-even at -110")
        ax.set(xlabel="edge |mean - line|", ylabel="hit rate (95 % Wilson)", title="Hit rate by edge (n = picks)")
    with _figure(out, "units") as ax:
        for system_id, rows in report.daily.groupby("system_id"):
            ax.plot(rows["game_date"], rows["cumulative_units"], label=system_id)
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.set(ylabel="units", title="Cumulative units")
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    with _figure(out, "monthly_mae") as ax:
        for system_id, rows in report.monthly.groupby("system_id"):
            ax.plot(rows["month"], rows["mae"], marker="o", label=system_id)
        line = report.monthly.groupby("month")["line_mae"].mean()
        ax.plot(line.index, line.to_numpy(), color="black", linestyle="--", marker="s", label="line")
        ax.set(ylabel="MAE", title="Model MAE vs line MAE by month")
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    with _figure(out, "fleet") as ax:
        dates = report.fleet["game_date"]
        ax.plot(dates, report.fleet["min_systems"], drawstyle="steps-mid", label="systems scoring every entity")
        ax.plot(dates, report.fleet["mean_spread"], label="mean spread of the systems' means")
        ax.plot(dates, report.fleet["strong_share"], label="share in strong agreement")
        ax.set(title="Coverage and agreement")
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    return out
