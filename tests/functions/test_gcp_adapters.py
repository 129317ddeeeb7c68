"""What the gcp adapters do that the contract suite cannot see: table layout, staging, write preconditions."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from google.cloud import storage

from shared import runtime
from shared.adapters.gcp.gcs_blobs import GCSBlobStore
from shared.config import Settings
from shared.contract import schemas

pytestmark = pytest.mark.gcp


@pytest.fixture
def gcp(gcp_env, tmp_path) -> runtime.Resources:
    settings = Settings(backend="gcp", home=tmp_path, project="propflow-adapters", dataset="adapters")
    resources = runtime.resources(settings)
    resources.warehouse.ensure_schema()
    return resources


def test_fact_tables_are_partitioned_by_game_date(gcp):
    warehouse = gcp.warehouse
    for name, spec in schemas.tables().items():
        partitioning = warehouse.client.get_table(f"{warehouse.project}.{warehouse.dataset}.{name}").time_partitioning
        assert (partitioning.field if partitioning else None) == spec.partition, name


def test_upserts_leave_no_staging_table_behind(gcp):
    row = {"market": "nba_points", "game_date": dt.date(2026, 2, 1), "game_id": "g1", "entity_id": "a",
           "status": "played", "actual": 10.0}  # fmt: skip
    gcp.warehouse.upsert("outcomes", [row])
    gcp.warehouse.upsert("outcomes", [{**row, "actual": 11.0}])
    tables = {t.table_id for t in gcp.warehouse.client.list_tables(f"{gcp.warehouse.project}.adapters")}
    assert tables >= set(schemas.tables()) and not {t for t in tables if t.startswith("_staging_")}
    assert gcp.warehouse.sql("SELECT actual FROM propflow.outcomes")["actual"].tolist() == [11.0]


class RecordingSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def request(self, method, url, *args, **kwargs):
        self.urls.append(f"{method} {url} {kwargs.get('params') or ''}")
        return super().request(method, url, *args, **kwargs)


def test_write_once_puts_ask_gcs_for_generation_zero(gcp_env):
    """The emulator does not enforce the precondition (see the blob contract), so check that it is sent."""
    session = RecordingSession()
    blobs = GCSBlobStore("propflow-adapters", storage.Client(project="propflow-adapters", _http=session))
    blobs.ensure_bucket("preconditions")
    blobs.put("gs://preconditions/v1/model.json", b"{}", if_absent=True)
    blobs.put("gs://preconditions/v1/notes.txt", b"x")
    uploads = [u for u in session.urls if u.startswith("POST") and "/upload/" in u]
    assert len(uploads) == 2
    assert "ifGenerationMatch=0" in uploads[0] and "ifGenerationMatch" not in uploads[1]


def test_on_gcp_the_triggers_deliver_and_secrets_are_in_this_projects_secret_manager(gcp):
    assert not gcp.chain.waits and gcp.chain.drain() == 0  # nothing in this process waits for Eventarc
    assert gcp.secrets.version("alert-webhook") == "projects/propflow-adapters/secrets/alert-webhook/versions/latest"
