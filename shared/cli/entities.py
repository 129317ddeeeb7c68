"""`propflow entities alias | unmatched`: fix names a feed spells differently, without code."""

from __future__ import annotations

import click

from shared import runtime
from shared.cli.params import market_option
from shared.cli.render import console, print_frame
from shared.handlers import feeds


@click.group("entities")
def entities_group() -> None:
    """The names feeds use for entities: aliases, and the names no entity was found for."""


@entities_group.command("alias")
@market_option(required=True)
@click.argument("name")
@click.argument("entity_id")
def entities_alias(market: str, name: str, entity_id: str) -> None:
    """Match NAME (as a feed spells it) to ENTITY_ID in every later ingest of --market."""
    known_as = feeds.add_alias(runtime.context(), market, name, entity_id)
    console.print(f"{market}: {name!r} is now {entity_id} ({known_as}) for every later ingest")


@entities_group.command("unmatched")
@market_option()
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def entities_unmatched(market: str | None, limit: int) -> None:
    """The names no entity was found for, most feed rows first (from ingest_unmatched)."""
    print_frame(feeds.top_unmatched(runtime.context(), market, limit), title="unmatched names")
