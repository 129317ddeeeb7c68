"""The checks of a feed spec its JSON Schema cannot say: what a field uses exists before it, maps are named,
regular expressions compile with a group, time zones exist, and the kind's fields are there."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from typing import Any

from shared.errors import Invalid

# `{field}` or `{field:strftime}` in a template (game keys, ids).
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(?::([^}]*))?\}")
SOURCES = ("column", "value", "field", "template", "sum", "first_start")
# The fields each kind must define (results need a game key or game_id, checked below).
NEEDS = {
    "prop_lines": ("market", "book", "snapshot_at", "line", "game_date", "home_team", "away_team"),
    "results": ("game_date", "entity_id", "team", "opponent", "home"),
    "availability": ("market", "game_date", "status", "reported_at", "home_team", "away_team"),
    "game_lines": ("sport", "game_date", "home_team", "away_team"),
    "aliases": ("market", "entity_id"),
}


def check(doc: Mapping[str, Any], name: str, origin: str) -> None:
    def fail(path: str, problem: str) -> None:
        raise Invalid(f"feed {name!r} ({origin}): {path}: {problem}")

    maps = doc.get("maps", {})
    defined: list[str] = []

    def check_expr(path: str, expr: Mapping[str, Any]) -> None:
        given = [s for s in SOURCES if s in expr]
        if len(given) != 1:
            fail(path, f"needs exactly one of {', '.join(SOURCES)}, has {given or 'none'}")
        for used in [
            expr.get("field"),
            expr.get("first_start", {}).get("field"),
            expr.get("first_start", {}).get("per"),
        ]:
            if used is not None and used not in defined:
                fail(path, f"uses field {used!r}, which is not defined before it")
        if "template" in expr:
            check_template(path + ".template", expr["template"])
        for key in ("regex", "matches"):
            if key in expr:
                try:
                    pattern = re.compile(expr[key])
                except re.error as exc:
                    fail(f"{path}.{key}", f"not a regular expression: {exc}")
                if key == "regex" and pattern.groups < 1:
                    fail(f"{path}.regex", "needs a capture group: the value is what it captures")
        if isinstance(expr.get("map"), str) and expr["map"] not in maps:
            fail(f"{path}.map", f"no map {expr['map']!r} (maps: {', '.join(maps) or 'none'})")
        for key in ("tz", "local_date"):
            if key in expr:
                try:
                    zoneinfo.ZoneInfo(expr[key])
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    fail(f"{path}.{key}", f"unknown time zone {expr[key]!r}")

    def check_template(path: str, text: str) -> None:
        for m in PLACEHOLDER.finditer(text):
            if m.group(1) not in defined:
                fail(path, f"uses field {m.group(1)!r}, which is not defined before it")

    for field, expr in doc["fields"].items():
        check_expr(f"fields.{field}", expr)
        defined.append(field)
    for market, rule in doc.get("markets", {}).items():
        check_expr(f"markets.{market}.actual", rule["actual"])
    kind = doc["kind"]
    if {"team", "opponent", "home"} <= set(defined):
        defined += ["home_team", "away_team"]  # a row of one team's side of the game (rules.with_game_teams)
    if "game_key" in doc:
        check_template("game_key", doc["game_key"])
    needs = list(NEEDS[kind])
    if kind in ("prop_lines", "availability"):
        needs.append("entity_id" if doc.get("match", {}).get("by") == "id" else "name")
    if kind in ("results", "game_lines") and "game_key" not in doc:
        needs.append("game_id")
    for field in needs:
        if field not in defined:
            fail("fields", f"a {kind} feed needs field {field!r}")
    if kind == "results" and not doc.get("markets"):
        fail("markets", "a results feed needs at least one market and its actual")
    for block, key in (("sides", "field"), ("books", "field"), ("ladder", "prefer_most")):
        used = doc.get(block, {}).get(key)
        if used is not None and used not in defined:
            fail(f"{block}.{key}", f"no field {used!r}")
    details = doc.get("details", {})
    for stat, limit in doc.get("checks", {}).get("at_most", {}).items():
        for s in (stat, limit):
            if s not in details:
                fail(f"checks.at_most.{stat}", f"{s!r} is not a stat in details")
