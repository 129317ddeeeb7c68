"""`propflow sql | status`: look into the warehouse."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from shared import runtime
from shared.cli.params import QUERY, home_option, use_home
from shared.cli.render import print_frame
from shared.contract import schemas
from shared.errors import Invalid
from shared.ports import WarehouseError


@click.command("sql")
@click.argument("query", type=QUERY)
@home_option("Local state folder (default: PROPFLOW_HOME).")
def sql_command(query: str, home: Path | None) -> None:
    """Run a BigQuery Standard SQL QUERY on the warehouse (tables are propflow.<name>)."""
    use_home(home)
    warehouse = runtime.context().warehouse
    try:
        frame = warehouse.sql(query)
    except WarehouseError as exc:
        # The text is the user's, so the warehouse refusing it (unknown table or column) is theirs to fix.
        # DuckDB follows its reason with the transpiled text, which is not what they typed: keep the reason.
        raise Invalid(str(exc).split("\n\n")[0]) from exc  # Invalid, not UserError: -v shows the cause
    print_frame(frame)


@click.command()
@home_option("Local state folder (default: PROPFLOW_HOME).")
def status(home: Path | None) -> None:
    """Row counts of every table and view."""
    use_home(home)
    warehouse = runtime.context().warehouse
    names = [*schemas.tables(), *schemas.view_names()]
    counts = [int(warehouse.sql(f"SELECT COUNT(*) AS n FROM propflow.{n}")["n"].iloc[0]) for n in names]
    kinds = ["table"] * len(schemas.tables()) + ["view"] * len(schemas.view_names())
    print_frame(pd.DataFrame({"name": names, "kind": kinds, "rows": counts}))
