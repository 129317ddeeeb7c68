"""`propflow backtest | replay | report`: re-drive history through the chain and report a run."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from shared import runtime
from shared.cli.errors import UserError
from shared.cli.params import DATE, date_range, market_option, who
from shared.cli.render import console, day_progress, print_frame
from shared.domain import intervals
from shared.ops import backtest, replay

RESAMPLES = click.option(
    "--resamples",
    default=intervals.RESAMPLES,
    show_default=True,
    type=click.IntRange(min=100),
    help="Bootstrap resamples of whole slate days behind each 95 % interval.",
)


def _print_intervals(found: pd.DataFrame, title: str) -> None:
    print_frame(intervals.shown(found), title=f"{title}: 95 % intervals")
    console.print(intervals.EXPLAINED)


@click.command("backtest")
@market_option(required=True)
@click.option("--from", "start", required=True, type=DATE, help="First day replayed.")
@click.option("--to", "end", required=True, type=DATE, help="Last day replayed.")
@click.option("--run-id", help="Run id of the graded rows (default: backtest-<market>-<from>-<to>).")
@click.option("--no-retrain", is_flag=True, help="Train once before the start instead of every month.")
@click.option("--production-only", is_flag=True, help="Report only the entity-games production (run 'live') scored.")
@RESAMPLES
def backtest_command(market, start, end, run_id, no_retrain, production_only, resamples) -> None:
    """Replay history through the event chain, walk-forward, and report it."""
    date_range(start, end, "--from", "--to")
    ctx = runtime.context()
    days = len(ctx.warehouse.query("slate_dates", market=market, since=start, until=end))
    if not days:
        raise UserError(f"{market} has no slate from {start} to {end}")
    with day_progress(days) as on_day:
        result = backtest.run(
            ctx, market, start, end, run_id=run_id, retrain_monthly=not no_retrain, who=who(), on_day=on_day
        )
    population = "entity-games production also scored" if production_only else "every entity-game replayed"
    print_frame(
        backtest.report(ctx, market, result.run_id, production_only=production_only),
        title=f"{market} {start} .. {end}, run {result.run_id} ({population})",
    )
    found = backtest.headline_intervals(
        ctx, market, result.run_id, production_only=production_only, resamples=resamples
    )
    _print_intervals(found, f"{market}, run {result.run_id}")
    console.print(
        f"{result.days} days, {result.events} events, {result.dead_letters} dead-lettered, {result.seconds:.0f} s"
    )


@click.command("report")
@click.option("--run-id", default="live", show_default=True, help="The run to report (a backtest's run id, or live).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file (default: $PROPFLOW_HOME/reports/<run>.html).",
)
@RESAMPLES
def report_command(run_id: str, out: Path | None, resamples: int) -> None:
    """Write a self-contained HTML report of a run and print its leaderboard."""
    from shared.ops.report import build

    ctx = runtime.context()
    graded = ctx.warehouse.sql("SELECT DISTINCT run_id FROM propflow.grades ORDER BY run_id")["run_id"].tolist()
    if run_id not in graded:  # checked before writing, so an existing report at --out is not replaced by an empty one
        raise UserError(f"run {run_id!r} has no graded rows; runs with grades: {', '.join(graded) or 'none'}")
    out = out or Path(ctx.settings.home) / "reports" / f"{run_id}.html"
    reports = build.build(ctx, run_id, out, resamples=resamples)
    for market in reports:
        print_frame(market.leaderboard, title=f"{market.market}, run {run_id}")
        _print_intervals(market.intervals, f"{market.market}, run {run_id}")
    console.print(f"Report: {out}")


@click.command("replay")
@market_option(help="Replay this market's slate of --date.")
@click.option("--date", "day", type=DATE, help="The slate's date.")
@click.option("--run-id", default="live", show_default=True)
@click.option("--event", "event_id", help="Instead: publish this rejected event's payload again (after a fix).")
def replay_command(market, day, run_id, event_id) -> None:
    """Re-drive a slate, or a dead-lettered event, through the chain; safe to repeat."""
    ctx = runtime.context()
    if event_id:
        topic, handled = replay.replay_dead_letter(ctx, event_id)
        console.print(f"republished {event_id} on {topic}; {handled} messages handled")
    elif market and day:
        if ctx.warehouse.query("slate_dates", market=market, since=day, until=day).empty:
            raise UserError(f"{market} has no slate on {day}: no lines were posted for it")
        console.print(f"{market} {day} run {run_id}: {replay.replay_slate(ctx, market, day, run_id)} messages handled")
    else:
        raise click.UsageError("give --market and --date, or --event")
