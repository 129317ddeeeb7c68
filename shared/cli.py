"""The `propflow` command (also `python -m shared`)."""

from __future__ import annotations

import logging
import math
import os
import sys
from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shared import markets, runtime, schemas, topology
from shared.config import PREFIX

# Piped output (CI logs, files) gets room for whole tables instead of 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)


def _context(home: Path | None) -> runtime.Context:
    # Through the environment, so the functions the local bus calls see the same home.
    if home is not None:
        os.environ[PREFIX + "HOME"] = str(home)
    return runtime.context()


def _cell(value: object) -> str:
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
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log every function call (INFO).")
def main(verbose: bool) -> None:
    """Propflow: event-driven predictions for player prop markets."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR,
        format="%(name)s: %(message)s",
        handlers=[RichHandler(console=console, show_time=False, show_path=False)],
    )
    if not verbose:
        # Alerts are counted in the demo's summary; their log lines would bury the progress bar.
        logging.getLogger("shared.alerting").setLevel(logging.CRITICAL + 1)


@main.command()
@click.option("--days", default=30, show_default=True, help="Days replayed through the event chain.")
@click.option("--history-days", default=60, show_default=True, help="Days of history loaded before the replay.")
@click.option("--seed", default=7, show_default=True, help="Seed of the synthetic league.")
@click.option("--home", type=click.Path(path_type=Path), help="Local state folder (default: PROPFLOW_HOME).")
def demo(days: int, history_days: int, seed: int, home: Path | None) -> None:
    """Generate a league, backfill it, and replay DAYS through the whole chain on this machine."""
    from shared import demo as demo_run

    ctx = _context(home)
    columns = [
        TextColumn("[bold]replaying"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("", total=days)
        result = demo_run.run(
            ctx,
            days=days,
            history_days=history_days,
            seed=seed,
            on_day=lambda day: progress.update(task, advance=1, description=str(day)),
        )
    print_frame(result.summary, title=f"{days} days replayed per market (run 'live')")
    alerts = ctx.warehouse.sql("SELECT level, COUNT(*) AS alerts FROM propflow.alerts GROUP BY level ORDER BY level")
    console.print("Alerts raised: " + (", ".join(f"{r.alerts} {r.level}" for r in alerts.itertuples()) or "none"))
    console.print(
        f"{result.events} events, {result.deliveries} function calls, {result.dead_letters} dead-lettered, "
        f"{result.seconds:.1f} s. "
        f"Warehouse: [bold]{ctx.warehouse.path}[/bold]"
    )
    console.print('Query it with: propflow sql "SELECT * FROM propflow.todays_picks LIMIT 10"')


@main.command()
@click.argument("query")
@click.option("--home", type=click.Path(path_type=Path), help="Local state folder (default: PROPFLOW_HOME).")
def sql(query: str, home: Path | None) -> None:
    """Run a BigQuery Standard SQL QUERY on the warehouse (tables are propflow.<name>)."""
    print_frame(_context(home).warehouse.sql(query))


@main.command()
@click.option("--home", type=click.Path(path_type=Path), help="Local state folder (default: PROPFLOW_HOME).")
def status(home: Path | None) -> None:
    """Row counts of every table and view."""
    warehouse = _context(home).warehouse
    names = [*schemas.tables(), *schemas.view_names()]
    counts = [int(warehouse.sql(f"SELECT COUNT(*) AS n FROM propflow.{n}")["n"].iloc[0]) for n in names]
    kinds = ["table"] * len(schemas.tables()) + ["view"] * len(schemas.view_names())
    print_frame(pd.DataFrame({"name": names, "kind": kinds, "rows": counts}))


@main.command("topology")
def show_topology() -> None:
    """Which deployment each topic triggers (the map the local bus and Terraform share)."""
    rows = [
        {
            "topic": d.topic,
            "deployment": d.name,
            "function": d.function,
            "env": ",".join(f"{k}={v}" for k, v in d.env.items()),
        }
        for d in topology.deployments(markets.all_system_ids())
    ]
    print_frame(pd.DataFrame(rows))
