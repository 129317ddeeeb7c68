"""Feed specs: a YAML file per feed, validated by schemas/feed_spec.json, typed as a frozen FeedSpec.

The shipped specs live in specs/ beside this module (package data); a user adds
their own in the folder PROPFLOW_FEEDS_DIR (Settings.feeds_dir). A user spec may
not take a shipped spec's name: which one a name meant would depend on the folder.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from shared.contract import schemas
from shared.domain.feeds import checks
from shared.errors import Invalid, NotFound

# What a feed can be, and the table each kind fills; `aliases` is a crosswalk of the names an entity goes by.
TABLE_OF_KIND = {
    "prop_lines": "prop_lines",
    "results": "outcomes",
    "availability": "availability",
    "game_lines": "game_lines",
    "aliases": "entity_aliases",
}
KINDS = tuple(TABLE_OF_KIND)


@dataclass(frozen=True)
class FeedSpec:
    """One feed: its name, kind, where its spec came from, and the validated document (see schemas/feed_spec.json)."""

    name: str
    kind: str  # one of KINDS
    origin: str  # the YAML file it was read from
    doc: Mapping[str, Any]

    @property
    def source(self) -> str:
        """What the rows' `source` column says: the spec's `source`, else the feed's name."""
        return self.doc.get("source", self.name)

    @property
    def description(self) -> str:
        return self.doc.get("description", "")


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((schemas.schemas_dir() / "feed_spec.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def _key_path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(top level)"


def parse(doc: object, origin: str) -> FeedSpec:
    """Validate a spec document; an error names the feed and the key path (`feed 'x': a.b: problem`)."""
    name = doc.get("feed", Path(origin).stem) if isinstance(doc, dict) else Path(origin).stem
    errors = sorted(
        _validator().iter_errors(doc), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path)))
    )
    if errors:
        first = errors[0]
        raise Invalid(f"feed {name!r} ({origin}): {_key_path(first)}: {first.message}")
    checks.check(doc, name, origin)
    return FeedSpec(name=doc["feed"], kind=doc["kind"], origin=origin, doc=doc)


def load(path: Path) -> FeedSpec:
    """A spec from a YAML file."""
    try:
        doc = yaml.safe_load(Path(path).read_text())
    except yaml.YAMLError as exc:
        raise Invalid(f"feed spec {path}: not YAML: {exc}") from exc
    except OSError as exc:
        raise Invalid(f"feed spec {path}: {exc.strerror}") from exc
    return parse(doc, str(path))


def _shipped() -> dict[str, FeedSpec]:
    folder = resources.files(__package__).joinpath("specs")
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            spec = parse(yaml.safe_load(entry.read_text()), f"shipped:{entry.name}")
            found[spec.name] = spec
    return found


def user_files(feeds_dir: Path) -> list[Path]:
    """The spec files of the user's folder."""
    if not Path(feeds_dir).is_dir():
        raise Invalid(f"PROPFLOW_FEEDS_DIR {feeds_dir}: no such folder")
    return sorted([*Path(feeds_dir).glob("*.yaml"), *Path(feeds_dir).glob("*.yml")])


def all_specs(feeds_dir: Path | None = None) -> dict[str, FeedSpec]:
    """Every spec by name: the shipped ones, then the user's folder's (a name taken twice is an error naming both)."""
    found = _shipped()
    if feeds_dir is None:
        return found
    for path in user_files(feeds_dir):
        spec = load(path)
        if spec.name in found:
            raise Invalid(f"feed {spec.name!r} is defined twice: {found[spec.name].origin} and {path}")
        found[spec.name] = spec
    return found


def find(name_or_path: str, feeds_dir: Path | None = None) -> FeedSpec:
    """A spec by feed name, or from a YAML file when given a path (ends in .yaml/.yml or names a file)."""
    if name_or_path.endswith((".yaml", ".yml")) or Path(name_or_path).is_file():
        return load(Path(name_or_path))
    specs = all_specs(feeds_dir)
    if name_or_path not in specs:
        raise NotFound(f"no feed {name_or_path!r}; feeds: {', '.join(sorted(specs)) or 'none'}")
    return specs[name_or_path]
