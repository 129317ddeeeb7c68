"""BigQuery's own front end (ZetaSQL, the `zetasql` wheel: a WASM build run by wasmtime) over Propflow's dataset.

The catalog holds every table of schemas/tables/*.json, typed as BigQuery types it, under the two names a
text can use: `<project>.<dataset>.<table>` (what the BigQuery adapter sends after requalifying) and
`propflow.<table>` (the SQL files as written: BigQuery resolves that in a default project whose dataset
is `propflow`). Views are analyzed and then added as tables of their output columns, so later texts read
them. Options are BigQuery's: external product mode, the package's maximum language features, its
builtin functions, QUALIFY as a reserved keyword, UTC, and no parameter that is not declared.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
import wasmtime
from zetasql.api import TypeFactory
from zetasql.core import ZetaSqlLocalService, wasm_client
from zetasql.core.exceptions import ServerError
from zetasql.types import (
    AnalyzerOptions,
    ErrorMessageMode,
    LanguageOptions,
    ProductMode,
    SimpleCatalog,
    SimpleColumn,
    SimpleTable,
    Type,
    TypeKind,
    ZetaSQLBuiltinFunctionOptions,
)

from shared.contract import sql

# BigQuery's type names (JSON schemas may use the legacy ones) -> ZetaSQL's.
KINDS = {
    "STRING": TypeKind.TYPE_STRING,
    "BYTES": TypeKind.TYPE_BYTES,
    "INTEGER": TypeKind.TYPE_INT64,
    "INT64": TypeKind.TYPE_INT64,
    "FLOAT": TypeKind.TYPE_DOUBLE,
    "FLOAT64": TypeKind.TYPE_DOUBLE,
    "NUMERIC": TypeKind.TYPE_NUMERIC,
    "BIGNUMERIC": TypeKind.TYPE_BIGNUMERIC,
    "BOOLEAN": TypeKind.TYPE_BOOL,
    "BOOL": TypeKind.TYPE_BOOL,
    "DATE": TypeKind.TYPE_DATE,
    "TIME": TypeKind.TYPE_TIME,
    "DATETIME": TypeKind.TYPE_DATETIME,
    "TIMESTAMP": TypeKind.TYPE_TIMESTAMP,
    "JSON": TypeKind.TYPE_JSON,
    "GEOGRAPHY": TypeKind.TYPE_GEOGRAPHY,
    "INTERVAL": TypeKind.TYPE_INTERVAL,
}

Columns = list[tuple[str, Type]]


def field_type(field: Mapping) -> Type:
    """The type of one field of a BigQuery JSON schema (REPEATED is an ARRAY, RECORD a STRUCT)."""
    if field["type"] in ("RECORD", "STRUCT"):
        kind = TypeFactory.create_struct_type([(f["name"], field_type(f)) for f in field["fields"]])
    else:
        kind = TypeFactory.create_simple_type(KINDS[field["type"]])
    return TypeFactory.create_array_type(kind) if field.get("mode") == "REPEATED" else kind


def parameter_type(api_repr: Mapping) -> Type:
    """The type of a query parameter as the BigQuery client sends it (`to_api_repr()["parameterType"]`)."""
    if api_repr["type"] == "ARRAY":
        return TypeFactory.create_array_type(parameter_type(api_repr["arrayType"]))
    if api_repr["type"] == "STRUCT":
        return TypeFactory.create_struct_type([(f["name"], parameter_type(f["type"])) for f in api_repr["structTypes"]])
    return TypeFactory.create_simple_type(KINDS[api_repr["type"]])


def schema_columns(fields: Iterable[Mapping]) -> Columns:
    """A table's columns from its BigQuery JSON schema (schemas/tables/*.json, or SchemaField.to_api_repr())."""
    return [(f["name"], field_type(f)) for f in fields]


class Rejected(AssertionError):
    """BigQuery's analyzer refused a text; the message is ZetaSQL's, with the line and a caret."""


def load_service(compiled: Path) -> ZetaSqlLocalService:
    """The process's ZetaSQL service. Compiling its 28 MB WASM build took 26-89 s on 2 busy cores; wasmtime
    keeps the machine code in `compiled` (keyed by the module and wasmtime's version), so a later session on
    the machine loads it in about a second."""
    settings = compiled / "wasmtime-cache.toml"
    settings.write_text(f"[cache]\ndirectory = {json.dumps(str(compiled / 'modules'))}\n")

    def caching_config() -> wasmtime.Config:
        config = wasmtime.Config()
        config.cache = str(settings)
        return config

    with pytest.MonkeyPatch.context() as patch:  # zetasql 0.1.5 builds its wasmtime.Config with no cache
        patch.setattr(wasm_client, "Config", caching_config)
        return ZetaSqlLocalService.get_instance()


class BigQueryAnalyzer:
    def __init__(self, service: ZetaSqlLocalService, project: str, dataset: str) -> None:
        self._service = service
        language = LanguageOptions.maximum_features()
        language.product_mode = ProductMode.PRODUCT_EXTERNAL
        # BigQuery accepts QUALIFY without WHERE, GROUP BY or HAVING only when it is a reserved keyword.
        language.reserved_keywords = ["QUALIFY"]
        self._language = language
        self._tables: list[SimpleTable] = []
        self._catalog = SimpleCatalog(
            name="bigquery",
            catalog=[
                SimpleCatalog(name=project, catalog=[SimpleCatalog(name=dataset, table=self._tables)]),
                SimpleCatalog(name=sql.DATASET_IN_SQL, table=self._tables),  # the same tables
            ],
            builtin_function_options=ZetaSQLBuiltinFunctionOptions(language_options=language),
        )
        self._registered: int | None = None  # the service builds the builtin functions once per registration

    def add_table(self, name: str, columns: Columns) -> None:
        self._tables.append(SimpleTable(name=name, column=[SimpleColumn(name=n, type=t) for n, t in columns]))
        if self._registered is not None:
            self._service.unregister_catalog(registered_id=self._registered)
            self._registered = None

    def add_view(self, name: str, text: str) -> Columns:
        """Analyze a view (its CREATE VIEW, or its query) and add it as a table of its output columns."""
        columns = self.analyze(text)
        self.add_table(name, columns)
        return columns

    def analyze(self, text: str, parameters: Mapping[str, Type] | None = None) -> Columns:
        """Analyze one statement; returns its output columns (none for DML). Raises Rejected."""
        if self._registered is None:
            self._registered = self._service.register_catalog(simple_catalog=self._catalog).registered_id
        options = AnalyzerOptions(
            language_options=self._language,
            query_parameters=[AnalyzerOptions.QueryParameter(name=n, type=t) for n, t in (parameters or {}).items()],
            error_message_mode=ErrorMessageMode.ERROR_MESSAGE_MULTI_LINE_WITH_CARET,
            default_timezone="UTC",
        )
        try:
            response = self._service.analyze(
                sql_statement=text, options=options, registered_catalog_id=self._registered
            )
        except ServerError as exc:
            raise Rejected(exc.raw_error.removeprefix(f"Code: {int(exc.code)}, Message: ")) from None
        columns = getattr(response.resolved_statement, "output_column_list", None) or []
        return [(c.name, c.column.type) for c in columns]
