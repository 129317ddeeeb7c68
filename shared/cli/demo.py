"""`propflow demo`: the whole chain on this machine, on the embedded default or on the emulators."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from shared import runtime
from shared.cli.params import home_option, use_home
from shared.cli.render import console, day_progress, print_frame
from shared.config import BACKENDS, Settings
from shared.ops import scenarios

if TYPE_CHECKING:
    from shared.ops.demo import DemoResult

QUERY_HINT = "SELECT * FROM propflow.todays_picks LIMIT 10"


@click.command()
@click.option("--days", default=30, show_default=True, help="Days replayed through the event chain.")
@click.option("--history-days", default=60, show_default=True, help="Days of history loaded before the replay.")
@click.option("--seed", default=7, show_default=True, help="Seed of the synthetic league.")
@click.option(
    "--retrain-every", default=7, show_default=True, help="Days between retrains (0: never), as the scheduler."
)
@click.option("--fault", type=click.Choice(scenarios.SCENARIOS), help="Replay under a fault scenario (diagnostics).")
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="local",
    show_default=True,
    help="gcp: google-cloud clients against local emulators, every function a functions-framework server "
    "triggered by Pub/Sub push subscriptions (`propflow emulators up` keeps them between runs).",
)
@home_option("Local state folder (default: PROPFLOW_HOME).")
def demo(
    days: int, history_days: int, seed: int, retrain_every: int, fault: str | None, backend: str, home: Path | None
) -> None:
    """Generate a league, backfill it, and replay DAYS through the whole chain on this machine."""
    from shared.ops import demo as demo_run

    options = {"days": days, "history_days": history_days, "seed": seed, "retrain_every": retrain_every}
    use_home(home)
    if backend == "local":
        ctx = runtime.context()
        with day_progress(days) as on_day:
            result = demo_run.run(ctx, scenario=fault, on_day=on_day, **options)
        _report(result, f"Warehouse: [bold]{ctx.warehouse.path}[/bold]")
        console.print(f"Query it with: propflow sql {QUERY_HINT!r}")
        return
    if fault:
        raise click.UsageError("--fault runs on the local backend only")
    with day_progress(days) as on_day:
        run = demo_run.run_on_emulators(home or Settings.from_env().home, on_day=on_day, **options)
    _report(run.result, f"BigQuery dataset [bold]{run.dataset}[/bold] at {run.bigquery_host}")
    if run.kept:
        console.print(f'Query it with: eval "$(propflow emulators env)" && propflow sql {QUERY_HINT!r}')
    else:
        console.print("The emulators stopped with the run; start them with `propflow emulators up` to keep the data.")


def _report(result: DemoResult, where: str) -> None:
    print_frame(result.summary, title=f"{result.days} days replayed per market (run 'live')")
    console.print("Alerts raised: " + (", ".join(f"{n} {level}" for level, n in result.alerts.items()) or "none"))
    console.print(
        f"{result.events} events, {result.deliveries} function calls, {result.dead_letters} dead-lettered, "
        f"{result.seconds:.1f} s. {where}"
    )
