"""`propflow feeds list | check` and `propflow ingest`: feeds described by spec files, checked and loaded."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click
import pandas as pd

from shared import paths, runtime
from shared.cli.errors import UserError
from shared.cli.render import print_frame
from shared.config import PREFIX, Settings
from shared.domain.feeds import spec as feed_spec
from shared.errors import Invalid
from shared.handlers import ingest
from shared.handlers.feeds import FeedReport, load_feed
from shared.ops import landing, public_data

TOP_UNMATCHED = 10


def _feeds_dir() -> Path | None:
    return Settings.from_env().feeds_dir


def _spec(name_or_path: str) -> feed_spec.FeedSpec:
    return feed_spec.find(name_or_path, _feeds_dir())


@contextlib.contextmanager
def _opened(files: list[Path]) -> Iterator[list[tuple[str, BinaryIO]]]:
    with contextlib.ExitStack() as stack:
        yield [(f.name, stack.enter_context(open(f, "rb"))) for f in files]


def print_report(report: FeedReport, title: str | None = None) -> None:
    """What a load (or a dry run) did: counts, rejects by reason, the top unmatched names, the rows written."""
    dates = f"{report.first_date} .. {report.last_date}" if report.first_date else "-"
    summary = {
        "kind": report.kind,
        "files": report.files,
        "rows read": report.rows_read,
        "rows kept": report.rows_kept,
        "rows matched": report.rows_matched,
        "join rate": f"{report.join_rate:.3f}",
        "dates": dates,
        "markets": ", ".join(report.markets) or "-",
        "books": ", ".join(report.books) or "-",
        "written": ", ".join(f"{t} {n}" for t, n in report.written.items()) or "nothing",
    }
    print_frame(pd.DataFrame({"": list(summary), report.feed: [str(v) for v in summary.values()]}), title=title)
    if report.rejected:
        print_frame(pd.DataFrame(list(report.rejected.items()), columns=["not kept", "rows"]))
    if report.unmatched:
        top = list(report.unmatched.items())[:TOP_UNMATCHED]
        more = len(report.unmatched) - len(top)
        print_frame(
            pd.DataFrame(top, columns=["unmatched name", "rows"]),
            title=f"{len(report.unmatched)} names unmatched" + (f", top {len(top)}" if more else ""),
        )


@click.group("feeds")
def feeds_group() -> None:
    """Feeds described by spec files (shipped, and PROPFLOW_FEEDS_DIR's): list them, dry-run a file."""


@feeds_group.command("list")
def feeds_list() -> None:
    """Every feed spec: shipped, then the user's folder's."""
    specs = feed_spec.all_specs(_feeds_dir())
    rows = [{"feed": s.name, "kind": s.kind, "spec": s.origin, "description": s.description} for s in specs.values()]
    print_frame(pd.DataFrame(rows, columns=["feed", "kind", "spec", "description"]), title="feeds")


@feeds_group.command("check")
@click.argument("spec")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def feeds_check(spec: str, files: tuple[Path, ...]) -> None:
    """Dry-run FILES through SPEC (a feed's name or a YAML file): what would be kept, rejected, matched.

    Writes nothing."""
    chosen = _spec(spec)
    with _opened(list(files)) as sources:
        report = load_feed(runtime.context(), chosen, sources, write=False)
    print_report(report, title=f"check {chosen.name} (dry run: nothing written)")


@click.command("ingest")
@click.argument("args", nargs=-1)
@click.option("--feed", help="Load FILE... (the arguments) through this feed's spec.")
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=lambda: os.environ.get(PREFIX + "DATA_DIR") or paths.DATA_DIR,
    show_default="../shared/data",
    help="For mlb | nba: the folder of the public data sets.",
)
def ingest_command(args: tuple[str, ...], feed: str | None, data_dir: Path) -> None:
    """Load files into the warehouse: `ingest --feed NAME FILE...`, or `ingest mlb|nba` (the shipped specs
    over the public data in --data-dir)."""
    if feed:
        _ingest_files(feed, args)
    elif len(args) == 1 and args[0] in public_data.PLANS:
        _ingest_league(args[0], data_dir)
    else:
        raise click.UsageError("give --feed NAME FILE..., or one of " + " | ".join(public_data.PLANS))


def _ingest_files(feed: str, args: tuple[str, ...]) -> None:
    files = [Path(a) for a in args]
    if not files:
        raise click.UsageError("--feed needs at least one FILE")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise click.BadParameter(f"no such file: {', '.join(missing)}", param_hint=["FILE"])
    # A put into the landing bucket, as production: the storage trigger's ingest function loads each file.
    landed = landing.land(runtime.context(), feed, files)
    for outcome in landed:
        if outcome.report is not None:
            print_report(outcome.report, title=f"ingest {outcome.uri}#{outcome.generation}")
    rows = [{"object": o.uri, "generation": o.generation, "status": o.status, "reason": o.reason or ""} for o in landed]
    print_frame(pd.DataFrame(rows), title="landed")
    refused = [o for o in landed if o.status == ingest.REJECTED]
    if refused:
        raise UserError(f"{len(refused)} of {len(landed)} files rejected, nothing of them written: {refused[0].reason}")


def _ingest_league(league: str, data_dir: Path) -> None:
    try:
        reports = public_data.ingest(runtime.context(), league, data_dir)
    except Invalid as exc:  # a data folder without one of the sets: nothing was written
        raise click.BadParameter(str(exc), param_hint=["--data-dir"]) from exc
    for report in reports:
        print_report(report, title=f"ingest {league}: {report.feed}")
