"""How the commands show what they did: tables of frames and a progress bar over replayed days."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import sys
from collections.abc import Callable, Iterator

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

# Piped output (CI logs, files) gets room for whole tables instead of 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)


def cell(value: object) -> str:
    """A table cell: missing values as '-', floats to three decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def print_frame(frame: pd.DataFrame, title: str | None = None) -> None:
    table = Table(title=title, header_style="bold")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left", overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(cell(v) for v in row))
    console.print(table)


@contextlib.contextmanager
def day_progress(days: int) -> Iterator[Callable[[dt.date], None]]:
    """A progress bar over `days`; the block gets the `on_day` callback that advances it."""
    columns = [
        TextColumn("[bold]replaying"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("", total=days)
        yield lambda day: progress.update(task, advance=1, description=str(day))
