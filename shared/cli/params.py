"""The options and argument types the commands share, checked before a command runs."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import sqlglot

from shared.cli.errors import message
from shared.config import PREFIX, process_environ
from shared.contract import markets
from shared.contract.sql import parameters as query_parameters
from shared.errors import NotFound


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
            self.fail(message(exc), param, ctx)
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
QUERY = QueryType()


def market_option(**kwargs: Any) -> Callable:
    # Eager: processed first whatever the order on the command line, so SystemType can check against it.
    return click.option("--market", type=click.Choice(sorted(markets.all_markets())), is_eager=True, **kwargs)


def home_option(help_text: str) -> Callable:
    return click.option("--home", type=click.Path(file_okay=False, path_type=Path), help=help_text)


def use_home(home: Path | None) -> None:
    """Make --home the state folder until the command ends.

    Through the environment, so the functions the bus calls (in this process or as servers) see the same home.
    """
    if home is not None:
        click.get_current_context().with_resource(process_environ({PREFIX + "HOME": str(home)}))


def date_range(start: dt.date, end: dt.date, first: str, last: str) -> None:
    """Refuse a range that ends before it starts, naming the two options."""
    if end < start:
        raise click.BadParameter(f"{end} is before {first} {start}", param_hint=[last])


def who() -> str:
    """Who ran the command, as the registry and the experiments record it."""
    return os.environ.get("USER") or os.environ.get("USERNAME") or "propflow"
