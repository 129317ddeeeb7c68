"""The `propflow` command (also `python -m shared`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pandas as pd
import sqlglot
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shared import paths, ports, runtime
from shared.config import BACKENDS, PREFIX, ConfigError, Settings, process_environ
from shared.contract import markets, schemas, topology
from shared.contract.events import PoisonEvent
from shared.contract.sql import parameters as query_parameters
from shared.errors import Invalid, NotFound
from shared.ops import backtest, emulators, packaging, replay, scenarios
from shared.ports import WarehouseError
from shared.systems import experiments, registry, training, walkforward

if TYPE_CHECKING:
    from shared.ops.demo import DemoResult

QUERY_HINT = "SELECT * FROM propflow.todays_picks LIMIT 10"
# Piped output (CI logs, files) gets room for whole tables instead of 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)

# What a person can get wrong: answered with one line on stderr and exit status 2. Anything else is a
# bug and keeps its traceback (exit status 1): a bug report needs it, and re-running a long backtest
# with -v only to see it would cost the user the run.
USER_ERRORS = (
    NotFound,  # a market, system, version, event or experiment that does not exist
    Invalid,  # a request that cannot be done as things stand (disabled version, too few rows, bad config file)
    ConfigError,  # a PROPFLOW_* setting missing or invalid
    PoisonEvent,  # an event built from the arguments that can never succeed
    registry.AliasConflict,  # someone else moved the alias meanwhile
)


class UserError(click.ClickException):
    """`Error: <what was wrong>` as one line on stderr, and exit status 2 (click's own for usage errors)."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever line breaks the source put in


def _message(exc: BaseException) -> str:
    # str() of a KeyError is the repr of its message.
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


@contextlib.contextmanager
def _one_line_errors(verbose: bool) -> Iterator[None]:
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:  # a group without its command: click prints the group's help
        raise
    except click.UsageError as exc:
        # The usage block click would print is replaced by a pointer to it.
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        raise UserError(exc.format_message() + hint) from exc
    except USER_ERRORS as exc:
        if verbose:
            traceback.print_exception(exc)
        raise UserError(_message(exc)) from exc


class PropflowGroup(click.Group):
    """The top group: a user error in any command below it is answered by `_one_line_errors`."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        with _one_line_errors(verbose=False):  # the group's own options: -v is not parsed yet
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _one_line_errors(verbose=ctx.params.get("verbose", False)):
            return super().invoke(ctx)


class DateType(click.ParamType):
    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


class SystemType(click.ParamType):
    """A system of the command's --market (which `market_option` makes eager, so it is known here)."""

    name = "system"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            markets.market(ctx.params["market"]).system(value)
        except NotFound as exc:
            self.fail(_message(exc), param, ctx)
        return value


class QueryType(click.ParamType):
    """BigQuery Standard SQL that parses and names no @parameter (there is no way to pass one)."""

    name = "query"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            statements = [s for s in sqlglot.parse(value, read="bigquery") if s is not None]
            named = query_parameters(value)
        except sqlglot.errors.ParseError as exc:
            if not exc.errors:
                self.fail(f"not BigQuery SQL: {exc}", param, ctx)
            first = exc.errors[0]
            near = (first["start_context"] + first["highlight"]).strip()
            where = f"at line {first['line']}, column {first['col']}: {near}"
            self.fail(f"not BigQuery SQL: {first['description']} {where}", param, ctx)
        except sqlglot.errors.TokenError as exc:
            self.fail(f"not BigQuery SQL: {exc}", param, ctx)
        if not statements:
            self.fail("holds no SQL statement", param, ctx)
        if named:
            self.fail(f"names @{', @'.join(sorted(named))}, but `propflow sql` passes no parameters", param, ctx)
        return value


DATE = DateType()
SYSTEM = SystemType()


def market_option(**kwargs: Any) -> Callable:
    # Eager: processed first whatever the order on the command line, so SystemType can check against it.
    return click.option("--market", type=click.Choice(sorted(markets.all_markets())), is_eager=True, **kwargs)


def home_option(help_text: str) -> Callable:
    return click.option("--home", type=click.Path(file_okay=False, path_type=Path), help=help_text)


def _date_range(start: dt.date, end: dt.date, first: str, last: str) -> None:
    if end < start:
        raise click.BadParameter(f"{end} is before {first} {start}", param_hint=[last])


def _context(home: Path | None) -> ports.Context:
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


def _progress_columns(label: str) -> list:
    return [
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    ]


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
        logging.getLogger("shared.handlers.alerting").setLevel(logging.CRITICAL + 1)


@main.command()
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
    if backend == "local":
        ctx = _context(home)
        result = _replay(days, lambda on_day: demo_run.run(ctx, scenario=fault, on_day=on_day, **options))
        _demo_report(ctx, result, f"Warehouse: [bold]{ctx.warehouse.path}[/bold]")
        console.print(f"Query it with: propflow sql {QUERY_HINT!r}")
        return
    if fault:
        raise click.UsageError("--fault runs on the local backend only")
    state = home or Settings.from_env().home
    owned = emulators.running(state) is None and not all(os.environ.get(v) for v in emulators.ENV_VARS)
    gcp = {PREFIX + "BACKEND": "gcp", PREFIX + "GCP_PROJECT": os.environ.get(PREFIX + "GCP_PROJECT", emulators.PROJECT)}
    with emulators.use(state) as env, process_environ(gcp):
        ctx = _context(home)
        result = _replay(days, lambda on_day: demo_run.run_on_gcp(ctx, on_day=on_day, **options))
        dataset = f"{ctx.settings.project}.{ctx.settings.dataset}"
        where = f"BigQuery dataset [bold]{dataset}[/bold] at {env['BIGQUERY_EMULATOR_HOST']}"
        _demo_report(ctx, result, where)
    if owned:
        console.print("The emulators stopped with the run; start them with `propflow emulators up` to keep the data.")
    else:
        console.print(f'Query it with: eval "$(propflow emulators env)" && propflow sql {QUERY_HINT!r}')


def _replay(days: int, run: Callable) -> DemoResult:
    with Progress(*_progress_columns("replaying"), console=console) as progress:
        task = progress.add_task("", total=days)
        return run(lambda day: progress.update(task, advance=1, description=str(day)))


def _demo_report(ctx: ports.Context, result: DemoResult, where: str) -> None:
    print_frame(result.summary, title=f"{result.days} days replayed per market (run 'live')")
    alerts = ctx.warehouse.sql("SELECT level, COUNT(*) AS alerts FROM propflow.alerts GROUP BY level ORDER BY level")
    console.print("Alerts raised: " + (", ".join(f"{r.alerts} {r.level}" for r in alerts.itertuples()) or "none"))
    console.print(
        f"{result.events} events, {result.deliveries} function calls, {result.dead_letters} dead-lettered, "
        f"{result.seconds:.1f} s. {where}"
    )


@main.group("emulators")
def emulators_group() -> None:
    """Local emulators of BigQuery, Pub/Sub and GCS for the gcp backend."""


def _exports(env: dict[str, str]) -> str:
    project = os.environ.get(PREFIX + "GCP_PROJECT", emulators.PROJECT)
    values = {**env, PREFIX + "BACKEND": "gcp", PREFIX + "GCP_PROJECT": project}
    return "\n".join(f"export {k}={v}" for k, v in values.items())


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
    click.echo(_exports(found.env()))


@emulators_group.command("env")
@home_option("Where `emulators up` recorded them.")
def emulators_env(home: Path | None) -> None:
    """Print `export` lines for the running emulators (eval them in a shell)."""
    found = emulators.running(home or Settings.from_env().home)
    if found is None:
        raise UserError("no emulators running here; start them with `propflow emulators up`")
    click.echo(_exports(found.env()))


@emulators_group.command("down")
@home_option("Where `emulators up` recorded them.")
def emulators_down(home: Path | None) -> None:
    """Stop the emulators `propflow emulators up` started (their data goes with them)."""
    stopped = emulators.stop(home or Settings.from_env().home)
    console.print("emulators stopped" if stopped else "no emulators were running here")


@main.command("sql")
@click.argument("query", type=QueryType())
@home_option("Local state folder (default: PROPFLOW_HOME).")
def sql_command(query: str, home: Path | None) -> None:
    """Run a BigQuery Standard SQL QUERY on the warehouse (tables are propflow.<name>)."""
    warehouse = _context(home).warehouse
    try:
        frame = warehouse.sql(query)
    except WarehouseError as exc:
        # The text is the user's, so the warehouse refusing it (unknown table or column) is theirs to fix.
        # DuckDB follows its reason with the transpiled text, which is not what they typed: keep the reason.
        raise Invalid(str(exc).split("\n\n")[0]) from exc  # Invalid, not UserError: -v shows the cause
    print_frame(frame)


@main.command()
@home_option("Local state folder (default: PROPFLOW_HOME).")
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


@main.command("package")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=packaging.REPO_ROOT / "build" / "functions",
    show_default=True,
    help="Where the archives and manifest.json go (Terraform's package_dir).",
)
def package_command(out: Path) -> None:
    """Build each function folder's source archive, named by content hash, for Terraform to deploy."""
    archives = packaging.build(out)
    print_frame(pd.DataFrame([{"source": a.source, "archive": a.path.name, "sha256": a.sha256} for a in archives]))
    console.print(f"manifest: {out / packaging.MANIFEST}")


def _who() -> str:
    return os.environ.get("USER") or os.environ.get("USERNAME") or "propflow"


def print_training(result: training.TrainResult) -> None:
    metrics = result.metrics
    keys = [
        "rows",
        "mae",
        "rmse",
        "within_1",
        "within_2",
        "within_3",
        "line_rows",
        "line_mae",
        "model_mae_on_line_rows",
        "closing_line_mae",
    ]
    table = pd.DataFrame(
        [{"window": w, **{k: metrics[w].get(k) for k in keys}} for w in ("train", "calibration", "validation")]
    )
    print_frame(table, title=f"{result.config.market} / {result.config.system_id} -> version {result.record.version}")
    gap = metrics.get("train_validation_gap")
    console.print(f"train/validation MAE gap: {_cell(gap)}   negative binomial size: {_cell(metrics['nbinom_size'])}")
    importance = pd.DataFrame(list(metrics["feature_importance"].items())[:10], columns=["feature", "importance"])
    print_frame(importance, title="top features")


@main.command()
@market_option(required=True)
@click.option("--system", "system_id", type=SYSTEM, required=True)
@click.option("--train-end", required=True, type=DATE, help="Train on dates up to and including this one.")
@click.option("--validation-days", default=30, show_default=True, help="Days after train-end reported, never fitted.")
@click.option("--half-life", type=float, help="Recency weighting half-life in days (default: the system's).")
@click.option("--framework", type=click.Choice(markets.FRAMEWORKS), help="Override the system's framework.")
@click.option("--promote", is_flag=True, help="Make the new version the champion.")
def train(market, system_id, train_end, validation_days, half_life, framework, promote) -> None:
    """Train one system walk-forward and register the model version."""
    ctx = runtime.context()
    overrides = {"validation_days": validation_days, "framework": framework}
    if half_life is not None:
        overrides["half_life_days"] = half_life
    config = training.TrainConfig.for_system(market, system_id, train_end, **overrides)
    result = training.train(ctx, config, registered_by=_who(), promote=promote)
    experiments.record_training(ctx, result, name=f"train {system_id}", tags=["cli"])
    print_training(result)
    if promote:
        console.print(f"{market}/{system_id} champion -> {result.record.version}")


@main.group()
def models() -> None:
    """The model registry: versions, aliases, promotion and rollback."""


@models.command("list")
@market_option()
def models_list(market: str | None) -> None:
    """Every registered version, with the aliases that point at it."""
    ctx = runtime.context()
    rows = []
    for market_id in [market] if market else sorted(markets.all_markets()):
        for system_id in markets.market(market_id).systems:
            aliases = {a: registry.resolve(ctx, market_id, system_id, a) for a in registry.ALIASES}
            for record in registry.versions(ctx, market_id, system_id):
                pointing = [a for a, r in aliases.items() if r and r.version == record.version]
                rows.append(
                    {
                        "market": market_id,
                        "system_id": system_id,
                        "version": record.version,
                        "framework": record.framework,
                        "enabled": record.enabled,
                        "aliases": ",".join(pointing),
                        "calibration_mae": record.metrics.get("calibration", {}).get("mae"),
                    }
                )
    print_frame(pd.DataFrame(rows))


@models.command("promote")
@market_option(required=True)
@click.option("--system", "system_id", type=SYSTEM, required=True)
@click.option("--version", "version_id", required=True)
@click.option("--alias", default="champion", show_default=True, type=click.Choice(registry.ALIASES))
@click.option("--reason", default="", help="Recorded in the alias history.")
def models_promote(market, system_id, version_id, alias, reason) -> None:
    """Point an alias at a version (atomic: fails if someone else moved it meanwhile)."""
    previous = registry.set_alias(runtime.context(), market, system_id, alias, version_id, set_by=_who(), reason=reason)
    console.print(f"{market}/{system_id} {alias}: {previous or '-'} -> {version_id}")


@models.command("rollback")
@market_option(required=True)
@click.option("--system", "system_id", type=SYSTEM, required=True)
@click.option("--alias", default="champion", show_default=True, type=click.Choice(registry.ALIASES))
def models_rollback(market, system_id, alias) -> None:
    """Point an alias back at the version it pointed at before its last change."""
    version_id = registry.rollback(runtime.context(), market, system_id, alias, set_by=_who())
    console.print(f"{market}/{system_id} {alias} rolled back to {version_id}")


@models.command("enable")
@market_option(required=True)
@click.option("--system", "system_id", type=SYSTEM, required=True)
@click.option("--version", "version_id", required=True)
@click.option("--off", is_flag=True, help="Disable instead: a disabled version is never served.")
def models_enable(market, system_id, version_id, off) -> None:
    """Enable (or with --off, disable) a registered version."""
    registry.set_enabled(runtime.context(), market, system_id, version_id, not off)
    console.print(f"{market}/{system_id} {version_id} {'disabled' if off else 'enabled'}")


@models.command("history")
@market_option(required=True)
def models_history(market: str) -> None:
    """What each alias pointed at, when, and who set it."""
    print_frame(runtime.context().warehouse.query("alias_history", market=market))


@main.group("experiments")
def experiments_group() -> None:
    """The experiment registry: run a YAML config, list, pick the best, promote."""


@experiments_group.command("run")
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def experiments_run(config: Path) -> None:
    """Run one experiment config (see shared/systems/experiments.py for the format)."""
    ctx = runtime.context()
    experiment_id = experiments.run(ctx, config, run_by=_who())
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
    version_id = experiments.promote(runtime.context(), experiment_id, set_by=_who())
    console.print(f"experiment {experiment_id}: champion -> {version_id}")


@main.command("walkforward")
@market_option(required=True)
@click.option("--start", required=True, type=DATE, help="First day scored; models see only days before.")
@click.option("--end", required=True, type=DATE, help="Last day scored.")
@click.option(
    "--system", "system_ids", type=SYSTEM, multiple=True, help="Systems to evaluate (default: the active ones)."
)
def walkforward_command(market: str, start: dt.date, end: dt.date, system_ids: tuple[str, ...]) -> None:
    """Retrain monthly and score each next month: model MAE next to the closing line's on the same games."""
    _date_range(start, end, "--start", "--end")
    results = walkforward.run(runtime.context(), market, start, end, system_ids or None)
    if results.empty:
        raise UserError(f"{market} has no entity-games to score from {start} to {end}")
    print_frame(results, title=f"{market}: walk-forward by month")
    print_frame(walkforward.summary(results), title=f"{market}: {start} .. {end}, monthly retrains")


@main.command("backtest")
@market_option(required=True)
@click.option("--from", "start", required=True, type=DATE, help="First day replayed.")
@click.option("--to", "end", required=True, type=DATE, help="Last day replayed.")
@click.option("--run-id", help="Run id of the graded rows (default: backtest-<market>-<from>-<to>).")
@click.option("--no-retrain", is_flag=True, help="Train once before the start instead of every month.")
@click.option("--production-only", is_flag=True, help="Report only the entity-games production (run 'live') scored.")
def backtest_command(market, start, end, run_id, no_retrain, production_only) -> None:
    """Replay history through the event chain, walk-forward, and report it."""
    _date_range(start, end, "--from", "--to")
    ctx = runtime.context()
    days = len(ctx.warehouse.query("slate_dates", market=market, since=start, until=end))
    if not days:
        raise UserError(f"{market} has no slate from {start} to {end}")
    with Progress(*_progress_columns("replaying"), console=console) as progress:
        task = progress.add_task("", total=days)
        result = backtest.run(
            ctx,
            market,
            start,
            end,
            run_id=run_id,
            retrain_monthly=not no_retrain,
            who=_who(),
            on_day=lambda day: progress.update(task, advance=1, description=str(day)),
        )
    population = "entity-games production also scored" if production_only else "every entity-game replayed"
    print_frame(
        backtest.report(ctx, market, result.run_id, production_only=production_only),
        title=f"{market} {start} .. {end}, run {result.run_id} ({population})",
    )
    console.print(
        f"{result.days} days, {result.events} events, {result.dead_letters} dead-lettered, {result.seconds:.0f} s"
    )


@main.command("report")
@click.option("--run-id", default="live", show_default=True, help="The run to report (a backtest's run id, or live).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file (default: $PROPFLOW_HOME/reports/<run>.html).",
)
def report_command(run_id: str, out: Path | None) -> None:
    """Write a self-contained HTML report of a run and print its leaderboard."""
    from shared.ops.report import build

    ctx = runtime.context()
    graded = ctx.warehouse.sql("SELECT DISTINCT run_id FROM propflow.grades ORDER BY run_id")["run_id"].tolist()
    if run_id not in graded:  # checked before writing, so an existing report at --out is not replaced by an empty one
        raise UserError(f"run {run_id!r} has no graded rows; runs with grades: {', '.join(graded) or 'none'}")
    out = out or Path(ctx.settings.home) / "reports" / f"{run_id}.html"
    reports = build.build(ctx, run_id, out)
    for market in reports:
        print_frame(market.leaderboard, title=f"{market.market}, run {run_id}")
    console.print(f"Report: {out}")


@main.command("replay")
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


@main.command("retrain")
@market_option(required=True)
@click.option("--train-end", required=True, type=DATE, help="Train on data up to and including this day.")
@click.option("--system", "system_id", type=SYSTEM, help="Only this system (default: every active one).")
def retrain_command(market: str, train_end: dt.date, system_id: str | None) -> None:
    """What the weekly retrain job runs: retrain, register and promote a market's systems."""
    from shared.contract.events import RetrainRequested
    from shared.handlers.retrain import retrain

    versions = retrain(RetrainRequested(market, train_end, system_id), runtime.context())
    print_frame(pd.DataFrame([{"system_id": s, "champion": v} for s, v in versions.items()]))


@main.command("ingest")
@click.argument("source", type=click.Choice(["mlb", "nba"]))
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=lambda: os.environ.get(PREFIX + "DATA_DIR") or paths.DATA_DIR,
    show_default="../shared/data",
)
def ingest_command(source: str, data_dir: Path) -> None:
    """Load real public data into the warehouse and report the join rate of each line feed."""
    from shared.sources.ingest import mlb, nba

    feeds = {"mlb": mlb, "nba": nba}[source]
    missing = [folder for folder in feeds.FOLDERS if not (data_dir / folder).is_dir()]
    if missing:  # checked before anything is written: ingest stores each feed as it reads it
        raise click.BadParameter(f"{data_dir} has no folder {', '.join(missing)}", param_hint=["--data-dir"])
    reports = feeds.ingest(runtime.context(), data_dir)
    print_frame(pd.DataFrame([{**r.__dict__, "join_rate": r.join_rate} for r in reports]), title=f"ingest {source}")
