"""Read the contract in schemas/: table schemas, views, queries, event schemas.

Every backend and Terraform read these same files; nothing here copies them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from shared import paths

# How the SQL in schemas/ names the dataset (`propflow.<table>`); each backend puts in its own.
DATASET_IN_SQL = "propflow"


def schemas_dir() -> Path:
    # Deployed functions carry schemas/ next to shared/; the repo has it at the root.
    override = os.environ.get("PROPFLOW_SCHEMAS_DIR")
    return Path(override) if override else paths.beside("schemas")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # BigQuery type: STRING, INTEGER, FLOAT, BOOLEAN, DATE, TIMESTAMP
    mode: str  # NULLABLE, REQUIRED, REPEATED


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    partition: str | None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@cache
def tables() -> dict[str, TableSpec]:
    root = schemas_dir()
    catalog = json.loads((root / "tables.json").read_text())
    result = {}
    for name, meta in catalog.items():
        fields = json.loads((root / "tables" / f"{name}.json").read_text())
        columns = tuple(Column(f["name"], f["type"], f.get("mode", "NULLABLE")) for f in fields)
        result[name] = TableSpec(name, columns, tuple(meta["key"]), meta.get("partition"))
    return result


def table(name: str) -> TableSpec:
    try:
        return tables()[name]
    except KeyError:
        raise KeyError(f"no table {name!r} in schemas/tables.json") from None


@cache
def view_names() -> tuple[str, ...]:
    """Every view, each after the views it reads: the order they can be created in (BigQuery checks
    a view's query when it is created)."""
    files = (schemas_dir() / "views").glob("*.sql")
    reads = {f.stem: set(re.findall(rf"\b{DATASET_IN_SQL}\.(\w+)", f.read_text())) for f in files}
    ordered: list[str] = []
    while pending := sorted(set(reads) - set(ordered)):  # by name, where what a view reads allows
        ready = [name for name in pending if reads[name] & set(reads) <= set(ordered)]
        if not ready:
            raise ValueError(f"views that read each other in a circle: {pending}")
        ordered.append(ready[0])
    return tuple(ordered)


@cache
def sql_text(kind: str, name: str) -> str:
    """BigQuery Standard SQL of a view body (kind 'views') or a named query ('queries')."""
    path = schemas_dir() / kind / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no SQL file schemas/{kind}/{name}.sql")
    return path.read_text()


@cache
def event_schema(topic: str) -> dict:
    path = schemas_dir() / "events" / f"{topic}.json"
    if not path.is_file():
        raise KeyError(f"no event schema for topic {topic!r}")
    return json.loads(path.read_text())
