"""Every SQL text Propflow sends to BigQuery, analyzed by BigQuery's own front end (ZetaSQL), offline.

What is analyzed is what BigQuery receives. The BigQuery adapter runs with a client that keeps what it
is sent instead of sending it (`SentToBigQuery`), so every text was requalified and stripped of comments
by the adapter itself and carries its parameters as the adapter typed them. The named queries get the
values production code passes: one day of one market goes through the event chain on a copy of the
seeded warehouse, then the operator and scheduler paths a day does not take, and every call is kept.
Views are analyzed in the order the adapter creates them (each one then readable by the next), and as
Terraform sends them: the file as written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import shutil
import threading
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from shared import ports, runtime
from shared.adapters.gcp.bigquery_warehouse import BigQueryWarehouse, query_parameter
from shared.config import Settings
from shared.contract import markets, schemas, sql, topology
from shared.contract.events import LIVE_RUN, AlertRaised, DiagnosticsDaily, EnsembleDeadline
from shared.handlers import ensemble, feeds, schedule
from shared.ops import backtest, replay
from shared.ops.report import data as report_data
from shared.sources import feed
from shared.systems import registry

pytest.importorskip("zetasql", reason="zetasql (BigQuery's analyzer) is not installed: pip install -r requirements.txt")
from bigquery_analyzer import BigQueryAnalyzer, Rejected, load_service, parameter_type, schema_columns
from tool_cache import cache_dir

# Not `propflow`, so a text still naming `propflow.<table>` (not requalified by the adapter) stands out.
PROJECT, DATASET = "analyzer-project", "analyzer_dataset"
QUERIES = sorted(p.stem for p in (schemas.schemas_dir() / "queries").glob("*.sql"))
MARKET = "mlb_strikeouts"


class NoRows(list):
    """A query's result with no rows and no columns: all BigQueryWarehouse.sql reads of one."""

    schema = ()


class SentToBigQuery:
    """Stands in for google.cloud.bigquery.Client under BigQueryWarehouse: keeps the tables it creates and
    the statements it sends (text, and each parameter's type as it goes on the wire), and runs nothing."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict]] = {}
        self.statements: list[tuple[str, dict[str, dict]]] = []

    def create_dataset(self, dataset: str, exists_ok: bool = False) -> str:
        return dataset

    def create_table(self, table: Any, exists_ok: bool = False) -> Any:
        self.tables[table.table_id] = [f.to_api_repr() for f in table.schema]
        return table

    def load_table_from_file(self, *args: Any, **kwargs: Any) -> SimpleNamespace:
        return SimpleNamespace(result=lambda: None)

    def delete_table(self, *args: Any, **kwargs: Any) -> None:
        return None

    def query(self, query: str, job_config: Any = None) -> SimpleNamespace:
        self._keep(query, job_config)
        return SimpleNamespace(result=lambda: None, num_dml_affected_rows=0)

    def query_and_wait(self, query: str, job_config: Any = None) -> NoRows:
        self._keep(query, job_config)
        return NoRows()

    def _keep(self, query: str, job_config: Any) -> None:
        parameters = job_config.query_parameters if job_config else []
        self.statements.append((query, {p.name: p.to_api_repr()["parameterType"] for p in parameters}))


def sent(call: Any) -> tuple[SentToBigQuery, list[tuple[str, dict[str, dict]]]]:
    """What the BigQuery adapter sends for `call(adapter)`."""
    client = SentToBigQuery()
    call(BigQueryWarehouse(PROJECT, DATASET, client=client))
    return client, client.statements


@dataclasses.dataclass(frozen=True)
class Call:
    method: str  # query | execute
    params: dict[str, Any]
    columns: tuple[str, ...] | None  # what the embedded warehouse returned


class Recorder:
    """The embedded warehouse, keeping the first call of each named query for each set of parameter types
    (kept before it runs: one that fails on DuckDB is still analyzed)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.calls: dict[str, dict[tuple, Call]] = defaultdict(dict)

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        key = self._keep(name, Call("query", params, None))
        frame = self._inner.query(name, **params)
        self.calls[name][key] = Call("query", params, tuple(frame.columns))
        return frame

    def execute(self, name: str, **params: Any) -> int:
        self._keep(name, Call("execute", params, None))
        return self._inner.execute(name, **params)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._inner, attribute)

    def _keep(self, name: str, call: Call) -> tuple:
        kinds = []
        for key, value in sorted(call.params.items()):
            try:
                kinds.append((key, str(query_parameter(key, value).to_api_repr()["parameterType"])))
            except TypeError:  # the adapter cannot send it: kept, so the replay fails saying so
                kinds.append((key, type(value).__name__))
        signature = (call.method, tuple(kinds))
        self.calls[name].setdefault(signature, call)
        return signature


@contextlib.contextmanager
def accepting_webhook() -> Iterator[str]:
    """A loopback webhook answering 200, so alerting takes its 'configured' path."""

    class Accept(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Accept)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/alerts"
    finally:
        server.shutdown()
        server.server_close()


def production_day(ctx: ports.Context, seeded: Any) -> None:
    """One day of one market through the event chain, then what schedulers and operators do besides."""
    bus, league, day = ctx.bus, seeded.leagues[MARKET], seeded.first_live
    feed.post_lines(ctx, league, day)
    bus.drain()
    feed.finish_day(ctx, league, day)
    bus.drain()
    # A line of the prediction hour that lands after grading: the clock looks, and re-scores nothing.
    hour = markets.market(MARKET).prediction_time(day)
    late = ctx.warehouse.query("slate_lines", market=MARKET, game_date=day, as_of=hour).head(1)
    ctx.warehouse.upsert("prop_lines", late.assign(market=MARKET, game_date=day, book="consensus", snapshot_at=hour,
                                                   line=late["line"] + 1.0).drop(columns="opening_line"))  # fmt: skip
    assert not schedule.post(ctx, MARKET, day, schedule.LINES_ARRIVED)
    bus.publish(topology.DIAGNOSTICS_DAILY, DiagnosticsDaily(day, [MARKET]))
    bus.publish(topology.ENSEMBLE_DEADLINE, EnsembleDeadline(day, [MARKET]))
    bus.publish(topology.ALERT_RAISED, AlertRaised(f"{day}:{MARKET}", day, MARKET, "INFO", "title", "message"))
    bus.drain()
    quiet = day + dt.timedelta(days=30)  # past the league: a replay and a backtest that find no slate
    replay.replay_slate(ctx, MARKET, quiet)
    backtest.run(ctx, MARKET, quiet, quiet)
    report_data.markets(ctx, LIVE_RUN)
    report_data.market_report(ctx, LIVE_RUN, MARKET)
    with contextlib.suppress(KeyError):
        replay.replay_dead_letter(ctx, "no-such-event")
    market = markets.market(MARKET)
    system_id = market.active_systems(ctx.settings)[0]
    champion = registry.resolve(ctx, MARKET, system_id)
    for _ in range(2):  # twice, so the challenger has a previous version to roll back to
        registry.set_alias(ctx, MARKET, system_id, "challenger", champion.version, set_by="analyzer")
    registry.rollback(ctx, MARKET, system_id, "challenger", set_by="analyzer")
    registry.set_enabled(ctx, MARKET, system_id, champion.version, True)
    adaptive = dataclasses.replace(market, adaptive_weights=dataclasses.replace(market.adaptive_weights, enabled=True))
    slate = ctx.warehouse.query("slate_predictions", market=MARKET, game_date=day, run_id=LIVE_RUN)
    ensemble.write(ctx, adaptive, day, LIVE_RUN, slate)
    land_files(ctx)


BOX_SCORES = (
    "source_file,player,player_id,date,matchup,result,minutes,fgm,fga,fg_pct,threes_made,threes_attempted,"
    "three_pct,ftm,fta,ft_pct,oreb,dreb,reb,ast,stl,blk,tov,pf,pts,plus_minus,opponent,home_away,"
    "player_normalized,game_id\n"
    "a.csv,AJ Green,1631260,2025-04-13,MIL vs. DET,W,19.0,2,5,0.4,2,4,0.5,0,0,0.0,0,3,3,4,0,0,0,1,{pts},16,DET,HOME,,\n"
)
PRA_LINES = (
    "player_name,event_id,event_date,home_team,away_team,bookmaker,line,timestamp,over_price,under_price\n"
    "AJ Green,e1,2025-04-14,Milwaukee Bucks,Detroit Pistons,DraftKings,12.5,2025-04-14T20:00:00Z,-110.0,-110.0\n"
)


def land_files(ctx: ports.Context) -> None:
    """Files landing: box scores, then a corrected generation of them (replacing the first), then lines."""
    landing = f"gs://{ctx.settings.landing_bucket}"
    for pts in (6, 8):
        ctx.blobs.put(f"{landing}/nba_player_logs/day.csv", BOX_SCORES.format(pts=pts).encode())
        ctx.bus.drain()
    ctx.blobs.put(f"{landing}/nba_pra_lines/day.csv", PRA_LINES.encode())
    ctx.bus.drain()
    statuses = ctx.warehouse.sql("SELECT status FROM propflow.ingest_objects")["status"]
    assert sorted(statuses) == ["loaded"] * 3, "the landed files must load, or their queries go unrecorded"
    # The operator's side of names: the listing of what did not match, and an alias onto a known entity.
    feeds.top_unmatched(ctx, "nba_pra", 10)
    feeds.add_alias(ctx, "nba_pra", "A. J. Green", "nba-1631260")


@pytest.fixture(scope="module")
def production_calls(seeded_template: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[tuple, Call]]:
    home = tmp_path_factory.mktemp("analyzer") / "home"
    shutil.copytree(seeded_template.home, home)
    with pytest.MonkeyPatch.context() as env, accepting_webhook() as hook:
        for name in list(os.environ):
            if name.startswith("PROPFLOW_") or name == "SYSTEM_ID":
                env.delenv(name)
        env.setenv("PROPFLOW_HOME", str(home))
        env.setenv("PROPFLOW_ALERT_WEBHOOK_URL", hook)
        settings = Settings.from_env()
        resources = runtime.resources(settings)
        recorder = Recorder(resources.warehouse)
        runtime.install(settings, dataclasses.replace(resources, warehouse=recorder))
        try:
            production_day(runtime.context(settings), seeded_template)
        finally:
            runtime.reset()
    return recorder.calls


@dataclasses.dataclass
class Dataset:
    analyzer: BigQueryAnalyzer
    views: dict[str, Rejected | None]  # each view as the adapter created it: None, or BigQuery's refusal


@pytest.fixture(scope="module")
def bigquery() -> Dataset:
    """The analyzer over every table, then every view in the order the adapter creates them."""
    compiled = cache_dir() / "zetasql-wasm"
    compiled.mkdir(parents=True, exist_ok=True)
    try:
        service = load_service(compiled)
    except Exception as exc:  # wasmtime or the WASM build cannot run on this machine
        pytest.skip(f"ZetaSQL (the zetasql wheel) could not load here: {exc!r}")
    analyzer = BigQueryAnalyzer(service, PROJECT, DATASET)
    for name in schemas.tables():
        path = schemas.schemas_dir() / "tables" / f"{name}.json"
        analyzer.add_table(name, schema_columns(json.loads(path.read_text())))
    _, statements = sent(lambda adapter: adapter.ensure_schema())
    views: dict[str, Rejected | None] = {}
    for name, (text, _) in zip(schemas.view_names(), statements, strict=True):
        assert text.startswith(f"CREATE OR REPLACE VIEW `{PROJECT}.{DATASET}.{name}` AS ")
        try:
            analyzer.add_view(name, text)
            views[name] = None
        except Rejected as exc:
            views[name] = exc
    return Dataset(analyzer, views)


def typed(parameters: dict[str, dict]) -> dict:
    return {name: parameter_type(kind) for name, kind in parameters.items()}


@pytest.mark.parametrize("view", schemas.view_names())
def test_every_view_is_bigquery_sql_as_the_adapter_and_terraform_create_it(bigquery: Dataset, view: str):
    if bigquery.views[view]:
        raise bigquery.views[view]
    bigquery.analyzer.analyze(schemas.sql_text("views", view))  # Terraform: the file, comments and all


@pytest.mark.parametrize("query", QUERIES)
def test_every_named_query_is_bigquery_sql_with_the_parameters_production_passes(
    bigquery: Dataset, production_calls: dict[str, dict[tuple, Call]], query: str
):
    calls = production_calls.get(query)
    assert calls, f"no production path in production_day() ran {query}: add one, so its parameters are known"
    for call in calls.values():
        _, statements = sent(lambda adapter, call=call: getattr(adapter, call.method)(query, **call.params))
        [(text, parameters)] = statements
        assert f"{sql.DATASET_IN_SQL}." not in text  # requalified: `propflow` would resolve in the catalog
        output = bigquery.analyzer.analyze(text, typed(parameters))
        if call.columns is not None:  # the embedded warehouse returned the columns BigQuery would
            assert tuple(name for name, _ in output) == call.columns


def sample_row(spec: schemas.TableSpec) -> dict[str, Any]:
    """One row any table accepts, a value of each column's type."""
    value = {"STRING": "x", "INTEGER": 1, "FLOAT": 1.5, "BOOLEAN": True, "DATE": dt.date(2026, 2, 1),
             "TIMESTAMP": dt.datetime(2026, 2, 1, 16)}  # fmt: skip
    return {c.name: [value[c.type]] if c.mode == "REPEATED" else value[c.type] for c in spec.columns}


@pytest.mark.parametrize("table", sorted(schemas.tables()))
def test_every_merge_the_adapter_sends_is_bigquery_sql(bigquery: Dataset, table: str):
    spec = schemas.table(table)
    client, statements = sent(lambda adapter: adapter.upsert(table, [sample_row(spec)]))
    [(staging_id, fields)] = client.tables.items()
    bigquery.analyzer.add_table(staging_id.removeprefix(f"{PROJECT}.{DATASET}."), schema_columns(fields))
    [(text, parameters)] = statements
    assert text.startswith(f"MERGE INTO `{PROJECT}`.{DATASET}.{table} AS T USING `{PROJECT}`.{DATASET}._staging_")
    assert set(parameters) == ({sql.PARTITION_LOW, sql.PARTITION_HIGH} if sql.prunable(spec) else set())
    assert bigquery.analyzer.analyze(text, typed(parameters)) == []


@pytest.mark.parametrize(
    "table", sorted(t for t, spec in schemas.tables().items() if "source_object" in spec.column_names)
)
def test_every_delete_of_an_objects_rows_is_bigquery_sql(bigquery: Dataset, table: str):
    _, [(text, parameters)] = sent(lambda adapter: adapter.delete_rows(table, "source_object", "gs://l/f/a.csv#1"))
    assert text.startswith(f"DELETE FROM `{PROJECT}`.{DATASET}.{table}") and parameters == {"value": {"type": "STRING"}}
    assert bigquery.analyzer.analyze(text, typed(parameters)) == []


# As written: the adapter's sqlglot round trip would rewrite `::` and ILIKE into BigQuery SQL, Terraform would not.
SEEDED = {
    "misspelled column": ("SELECT entity_idd FROM propflow.grades", "Unrecognized name: entity_idd"),
    "COUNTIF over a string": (
        "SELECT COUNTIF(market) AS n FROM propflow.grades",
        "No matching signature for aggregate function COUNTIF\n  Argument types: STRING",
    ),
    "DuckDB cast": (
        "SELECT line::INT64 AS line FROM propflow.grades",
        'Syntax error: Expected end of input but got ":"',
    ),
    "ILIKE": ("SELECT market FROM propflow.grades WHERE market ILIKE 'nba%'", 'but got identifier "ILIKE"'),
    "non-grouped column": (
        "SELECT system_id, mean FROM propflow.grades GROUP BY system_id",
        "SELECT list expression references column mean which is neither grouped nor aggregated",
    ),
    "a type name BigQuery does not have": (
        "SELECT CAST(line AS DOUBLE) AS line FROM propflow.grades",
        "Type not found: DOUBLE",
    ),
}


@pytest.mark.parametrize(("text", "message"), SEEDED.values(), ids=list(SEEDED))
def test_bigquery_rejects_a_seeded_error_with_its_message(bigquery: Dataset, text: str, message: str):
    with pytest.raises(Rejected) as rejected:
        bigquery.analyzer.analyze(text)
    assert message in str(rejected.value)


def test_qualify_without_where_is_accepted_as_bigquery_accepts_it(bigquery: Dataset):
    text = "SELECT market FROM propflow.grades QUALIFY ROW_NUMBER() OVER (PARTITION BY market ORDER BY game_date) = 1"
    assert [name for name, _ in bigquery.analyzer.analyze(text)] == ["market"]


def test_a_merge_naming_a_column_the_bigquery_table_lacks_is_rejected(bigquery: Dataset):
    # A column added to schemas/ (and so to the staging table) but not to the deployed table.
    spec = schemas.table("grades")
    wider = dataclasses.replace(spec, columns=(*spec.columns, schemas.Column("grade_notes", "STRING", "NULLABLE")))
    fields = [{"name": c.name, "type": c.type, "mode": c.mode} for c in wider.columns]
    bigquery.analyzer.add_table("_staging_grades_with_notes", schema_columns(fields))
    merge = sql.merge_sql(wider, f"{sql.DATASET_IN_SQL}._staging_grades_with_notes", pruned=True)
    parameters = {sql.PARTITION_LOW: {"type": "DATE"}, sql.PARTITION_HIGH: {"type": "DATE"}}
    with pytest.raises(Rejected) as rejected:
        bigquery.analyzer.analyze(sql.for_bigquery(merge, PROJECT, DATASET), typed(parameters))
    assert "Unrecognized name: grade_notes" in str(rejected.value)


def test_a_timestamp_passed_for_a_date_is_rejected_as_the_adapter_types_it(bigquery: Dataset):
    _, [(text, parameters)] = sent(
        lambda adapter: adapter.query("final_games", market=MARKET, game_date=pd.Timestamp("2026-02-05"))
    )
    assert parameters["game_date"] == {"type": "TIMESTAMP"}
    with pytest.raises(Rejected) as rejected:
        bigquery.analyzer.analyze(text, typed(parameters))
    assert "No matching signature for operator = for argument types: DATE, TIMESTAMP" in str(rejected.value)
