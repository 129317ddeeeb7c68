"""`propflow train | retrain | walkforward | models ...`: fit systems, judge them, and manage the registry."""

from __future__ import annotations

import datetime as dt

import click
import pandas as pd

from shared import runtime
from shared.cli.errors import UserError
from shared.cli.params import DATE, SYSTEM, date_range, market_option, who
from shared.cli.render import cell, console, print_frame
from shared.contract import markets
from shared.systems import experiments, registry, training, walkforward

TRAINING_METRICS = [
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


def print_training(result: training.TrainResult) -> None:
    metrics = result.metrics
    table = pd.DataFrame(
        [
            {"window": w, **{k: metrics[w].get(k) for k in TRAINING_METRICS}}
            for w in ("train", "calibration", "validation")
        ]
    )
    print_frame(table, title=f"{result.config.market} / {result.config.system_id} -> version {result.record.version}")
    gap = metrics.get("train_validation_gap")
    console.print(f"train/validation MAE gap: {cell(gap)}   negative binomial size: {cell(metrics['nbinom_size'])}")
    importance = pd.DataFrame(list(metrics["feature_importance"].items())[:10], columns=["feature", "importance"])
    print_frame(importance, title="top features")


@click.command()
@market_option(required=True)
@click.option("--system", "system_id", type=SYSTEM, required=True)
@click.option("--train-end", required=True, type=DATE, help="Train on dates up to and including this one.")
@click.option("--validation-days", default=30, show_default=True, help="Days after train-end reported, never fitted.")
@click.option("--half-life", type=float, help="Recency weighting half-life in days (default: the system's).")
@click.option("--framework", type=click.Choice(tuple(markets.FRAMEWORKS)), help="Override the system's framework.")
@click.option("--promote", is_flag=True, help="Make the new version the champion.")
def train(market, system_id, train_end, validation_days, half_life, framework, promote) -> None:
    """Train one system walk-forward and register the model version."""
    ctx = runtime.context()
    overrides = {"validation_days": validation_days, "framework": framework}
    if half_life is not None:
        overrides["half_life_days"] = half_life
    config = training.TrainConfig.for_system(market, system_id, train_end, **overrides)
    result = training.train(ctx, config, registered_by=who(), promote=promote)
    experiments.record_training(ctx, result, name=f"train {system_id}", tags=["cli"])
    print_training(result)
    if promote:
        console.print(f"{market}/{system_id} champion -> {result.record.version}")


@click.command("retrain")
@market_option(required=True)
@click.option("--train-end", required=True, type=DATE, help="Train on data up to and including this day.")
@click.option("--system", "system_id", type=SYSTEM, help="Only this system (default: every active one).")
def retrain_command(market: str, train_end: dt.date, system_id: str | None) -> None:
    """What the weekly retrain job runs: retrain, register and promote a market's systems."""
    from shared.contract.events import RetrainRequested
    from shared.handlers.retrain import retrain

    versions = retrain(RetrainRequested(market, train_end, system_id), runtime.context())
    print_frame(pd.DataFrame([{"system_id": s, "champion": v} for s, v in versions.items()]))


@click.command("walkforward")
@market_option(required=True)
@click.option("--start", required=True, type=DATE, help="First day scored; models see only days before.")
@click.option("--end", required=True, type=DATE, help="Last day scored.")
@click.option(
    "--system", "system_ids", type=SYSTEM, multiple=True, help="Systems to evaluate (default: the active ones)."
)
def walkforward_command(market: str, start: dt.date, end: dt.date, system_ids: tuple[str, ...]) -> None:
    """Retrain monthly and score each next month: model MAE next to the closing line's on the same games."""
    date_range(start, end, "--start", "--end")
    results = walkforward.run(runtime.context(), market, start, end, system_ids or None)
    if results.empty:
        raise UserError(f"{market} has no entity-games to score from {start} to {end}")
    print_frame(results, title=f"{market}: walk-forward by month")
    print_frame(walkforward.summary(results), title=f"{market}: {start} .. {end}, monthly retrains")


@click.group()
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
    previous = registry.set_alias(runtime.context(), market, system_id, alias, version_id, set_by=who(), reason=reason)
    console.print(f"{market}/{system_id} {alias}: {previous or '-'} -> {version_id}")


@models.command("rollback")
@market_option(required=True)
@click.option("--system", "system_id", type=SYSTEM, required=True)
@click.option("--alias", default="champion", show_default=True, type=click.Choice(registry.ALIASES))
def models_rollback(market, system_id, alias) -> None:
    """Point an alias back at the version it pointed at before its last change."""
    version_id = registry.rollback(runtime.context(), market, system_id, alias, set_by=who())
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
