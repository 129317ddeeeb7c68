"""`propflow package | topology | emulators ...`: what gets deployed where, and the emulators that stand in."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from shared.cli.errors import UserError
from shared.cli.params import home_option
from shared.cli.render import console, print_frame
from shared.config import Settings
from shared.contract import markets, topology
from shared.ops import emulators, packaging


@click.command("package")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=packaging.REPO_ROOT / "build" / "functions",
    show_default=True,
    help="Where the archives and manifest.json go (Terraform's package_dir).",
)
@click.option(
    "--feeds-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Your feed specs to deploy with the ingest function [default: PROPFLOW_FEEDS_DIR].",
)
def package_command(out: Path, feeds_dir: Path | None) -> None:
    """Build each function folder's source archive, named by content hash, for Terraform to deploy."""
    archives = packaging.build(out, feeds_dir=feeds_dir or Settings.from_env().feeds_dir)
    print_frame(pd.DataFrame([{"source": a.source, "archive": a.path.name, "sha256": a.sha256} for a in archives]))
    console.print(f"manifest: {out / packaging.MANIFEST}")


@click.command("topology")
def show_topology() -> None:
    """Which deployment each topic or bucket triggers (the map the local bus and Terraform share)."""
    rows = [
        {
            "trigger": d.topic or f"bucket {d.bucket}",
            "deployment": d.name,
            "function": d.function,
            "env": ",".join(f"{k}={v}" for k, v in d.env.items()),
        }
        for d in topology.deployments(markets.all_system_ids())
    ]
    print_frame(pd.DataFrame(rows))


@click.group("emulators")
def emulators_group() -> None:
    """Local emulators of BigQuery, Pub/Sub and GCS for the gcp backend."""


def _exports(found: emulators.Emulators) -> str:
    return "\n".join(f"export {k}={v}" for k, v in {**found.env(), **emulators.backend_env()}.items())


@emulators_group.command("up")
@home_option("Where their state and logs go (default: PROPFLOW_HOME).")
def emulators_up(home: Path | None) -> None:
    """Start the three emulators (or find them running) and print the env that points propflow at them."""
    state = home or Settings.from_env().home
    found = emulators.running(state)
    if found is None:
        try:
            found = emulators.start(state)
        except emulators.EmulatorUnavailable as exc:
            raise click.ClickException(str(exc)) from exc
    console.print(f'# emulators running; logs in {state}. Use them with: eval "$(propflow emulators env)"')
    click.echo(_exports(found))


@emulators_group.command("env")
@home_option("Where `emulators up` recorded them.")
def emulators_env(home: Path | None) -> None:
    """Print `export` lines for the running emulators (eval them in a shell)."""
    found = emulators.running(home or Settings.from_env().home)
    if found is None:
        raise UserError("no emulators running here; start them with `propflow emulators up`")
    click.echo(_exports(found))


@emulators_group.command("down")
@home_option("Where `emulators up` recorded them.")
def emulators_down(home: Path | None) -> None:
    """Stop the emulators `propflow emulators up` started (their data goes with them)."""
    stopped = emulators.stop(home or Settings.from_env().home)
    console.print("emulators stopped" if stopped else "no emulators were running here")
