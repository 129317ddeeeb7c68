"""The `propflow` command (also `python -m shared`): the top group and the command groups under it."""

from __future__ import annotations

import logging

import click
from rich.logging import RichHandler

from shared.cli import demo, entities, experiments, feeds, infra, models, ops, warehouse
from shared.cli.errors import PropflowGroup
from shared.cli.render import console
from shared.handlers import alerting


@click.group(cls=PropflowGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log every function call (INFO); show an error's traceback.")
def main(verbose: bool) -> None:
    """Propflow: event-driven predictions for player prop markets."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR,
        format="%(name)s: %(message)s",
        handlers=[RichHandler(console=console, show_time=False, show_path=False)],
    )
    if not verbose:
        # Alerts are counted in the demo's summary; their log lines would bury the progress bar.
        alerting.log.setLevel(logging.CRITICAL + 1)


for command in (
    demo.demo,
    entities.entities_group,
    experiments.experiments_group,
    feeds.feeds_group,
    feeds.ingest_command,
    infra.emulators_group,
    infra.package_command,
    infra.show_topology,
    models.models,
    models.retrain_command,
    models.train,
    models.walkforward_command,
    ops.backtest_command,
    ops.replay_command,
    ops.report_command,
    warehouse.sql_command,
    warehouse.status,
):
    main.add_command(command)
