"""`propflow experiments ...`: the experiment registry."""

from __future__ import annotations

from pathlib import Path

import click

from shared import runtime
from shared.cli.params import market_option, who
from shared.cli.render import console, print_frame
from shared.systems import experiments


@click.group("experiments")
def experiments_group() -> None:
    """The experiment registry: run a YAML config, list, pick the best, promote."""


@experiments_group.command("run")
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def experiments_run(config: Path) -> None:
    """Run one experiment config (see shared/systems/experiments.py for the format)."""
    ctx = runtime.context()
    experiment_id = experiments.run(ctx, config, run_by=who())
    print_frame(experiments.listing(ctx).query("experiment_id == @experiment_id"), title=f"experiment {experiment_id}")


@experiments_group.command("list")
@market_option()
def experiments_list(market: str | None) -> None:
    print_frame(experiments.listing(runtime.context(), market))


@experiments_group.command("best")
@market_option(required=True)
@click.option(
    "--metric", default="validation_mae", show_default=True, type=click.Choice(["validation_mae", "calibration_mae"])
)
def experiments_best(market: str, metric: str) -> None:
    """The completed experiment with the lowest error."""
    print_frame(experiments.best(runtime.context(), market, metric).to_frame().T)


@experiments_group.command("promote")
@click.argument("experiment_id")
def experiments_promote(experiment_id: str) -> None:
    """Make an experiment's model the champion of its system."""
    version_id = experiments.promote(runtime.context(), experiment_id, set_by=who())
    console.print(f"experiment {experiment_id}: champion -> {version_id}")
