"""Settings: every one is an env var, read in one place.

The local bus runs several deployments of one function in one process (one
scorer per SYSTEM_ID), so deployment env vars can be overlaid per call with
`env_overlay` instead of mutating os.environ.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

PREFIX = "PROPFLOW_"
BACKENDS = ("local", "gcp")
ALERT_SINK_FILE = "alerts.jsonl"  # in PROPFLOW_HOME, the embedded default's alert sink
NO_ALERT_SINK = "none"

_overlay: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("env_overlay", default=None)


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message names the env var."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@contextlib.contextmanager
def env_overlay(values: Mapping[str, str]) -> Iterator[None]:
    """Make `values` win over os.environ for settings read inside the block."""
    token = _overlay.set({**(_overlay.get() or {}), **values})
    try:
        yield
    finally:
        _overlay.reset(token)


@contextlib.contextmanager
def process_environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set `values` in os.environ for the block, for what reads it directly (the Google clients, other threads),
    and put back what was there after it."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def environ() -> dict[str, str]:
    return {**os.environ, **(_overlay.get() or {})}


def _alert_sink(raw: str | None, backend: str, home: Path) -> Path | None:
    """PROPFLOW_ALERT_SINK: a file, or `none`; unset, home/alerts.jsonl on the embedded default and none on gcp
    (a function instance's disk is gone with it: the alerts table keeps every alert)."""
    if raw is None:
        return home / ALERT_SINK_FILE if backend == "local" else None
    return None if raw.lower() == NO_ALERT_SINK else Path(raw).expanduser()


def _parse_active_systems(raw: str) -> dict[str, tuple[str, ...]]:
    """`nba_points=a,b;mlb_strikeouts=a` -> {market: (system, ...)}."""
    result: dict[str, tuple[str, ...]] = {}
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        market, sep, systems = part.partition("=")
        if not sep or not market.strip():
            raise ConfigError(PREFIX + "ACTIVE_SYSTEMS", f"expected market=system,system;... got {part!r}")
        result[market.strip()] = tuple(s.strip() for s in systems.split(",") if s.strip())
    return result


@dataclass(frozen=True)
class Settings:
    backend: str = "local"
    home: Path = Path(".propflow")
    project: str = "propflow-local"
    dataset: str = "propflow"
    bucket: str = "propflow-models"
    landing_bucket: str = "propflow-landing"  # where feed files land (<feed>/...); each one finalized is ingested
    feeds_dir: Path | None = None  # the user's feed specs (*.yaml), beside the shipped ones
    system_id: str | None = None
    active_systems: Mapping[str, tuple[str, ...]] | None = None
    alert_webhook_url: str | None = None
    alert_webhook_secret: str | None = None
    alert_sink: Path | None = None  # a file every alert is also appended to (JSON lines); from_env sets the default
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = environ() if env is None else env

        def get(name: str, default: str | None = None) -> str | None:
            value = env.get(PREFIX + name, "").strip()
            return value or default

        backend = get("BACKEND", "local")
        if backend not in BACKENDS:
            raise ConfigError(PREFIX + "BACKEND", f"must be one of {BACKENDS}, got {backend!r}")
        project = get("GCP_PROJECT") or env.get("GOOGLE_CLOUD_PROJECT")
        if backend == "gcp" and not project:
            raise ConfigError(PREFIX + "GCP_PROJECT", "required when PROPFLOW_BACKEND=gcp")
        active = get("ACTIVE_SYSTEMS")
        home = Path(get("HOME", ".propflow")).expanduser()
        return cls(
            backend=backend,
            home=home,
            project=project or cls.project,
            dataset=get("DATASET", cls.dataset),
            bucket=get("BUCKET", cls.bucket),
            landing_bucket=get("LANDING_BUCKET", cls.landing_bucket),
            feeds_dir=Path(feeds).expanduser() if (feeds := get("FEEDS_DIR")) else None,
            system_id=env.get("SYSTEM_ID", "").strip() or None,
            active_systems=_parse_active_systems(active) if active else None,
            alert_webhook_url=get("ALERT_WEBHOOK_URL"),
            alert_webhook_secret=get("ALERT_WEBHOOK_SECRET"),
            alert_sink=_alert_sink(get("ALERT_SINK"), backend, home),
            log_level=_log_level(get("LOG_LEVEL", "INFO")),
        )

    def require_system_id(self) -> str:
        if not self.system_id:
            raise ConfigError("SYSTEM_ID", "required by the scorer: one deployment per prediction system")
        return self.system_id


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in LOG_LEVELS:
        raise ConfigError(PREFIX + "LOG_LEVEL", f"must be one of {LOG_LEVELS}, got {value!r}")
    return level
