"""The secrets port: a file per secret on the embedded default, Secret Manager on gcp.

There is no Secret Manager emulator. The gcp adapter is checked for what runs here: its names, that it makes no
client before the first read, and its reads through the real client over gRPC against a loopback server that
answers AccessSecretVersion the way the service does (a stand-in, as test_alerting's webhook is for Slack).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest
from google.auth.exceptions import DefaultCredentialsError
from google.cloud import secretmanager
from google.cloud.secretmanager_v1.services.secret_manager_service.transports import SecretManagerServiceGrpcTransport

from shared import runtime
from shared.adapters.gcp.secret_manager import SecretManagerSecrets
from shared.adapters.local.folder_secrets import FolderSecrets
from shared.ports import SecretNotFound

HOOK = "https://hooks.example.test/services/T0/B0/xyz\n"
LIVE_SECRET = os.environ.get("PROPFLOW_LIVE_SECRET")  # read at import: the root conftest clears PROPFLOW_* per test


def test_a_stored_secret_is_returned_as_stored(tmp_path):
    (tmp_path / "alert-webhook").write_text(HOOK)
    assert FolderSecrets(tmp_path).get("alert-webhook") == HOOK


def test_a_missing_secret_says_where_it_was_looked_for(tmp_path):
    with pytest.raises(SecretNotFound, match=f"no secret 'alert-webhook': store it in {tmp_path}/alert-webhook"):
        FolderSecrets(tmp_path).get("alert-webhook")


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "projects/p/secrets/s/versions/latest", "a b"])
def test_a_local_secret_is_named_by_an_id_that_stays_in_its_folder(tmp_path, name):
    (tmp_path / "escape").write_text("outside")
    with pytest.raises(ValueError, match="named by its id"):
        FolderSecrets(tmp_path / "secrets").get(name)


def test_the_context_reads_secrets_from_the_home_folder():
    ctx = runtime.context()
    (ctx.settings.home / "secrets").mkdir(parents=True)
    (ctx.settings.home / "secrets" / "alert-webhook").write_text(HOOK)
    assert ctx.secrets.get("alert-webhook") == HOOK


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("alert-webhook", "projects/proj/secrets/alert-webhook/versions/latest"),
        ("projects/other/secrets/s_1", "projects/other/secrets/s_1/versions/latest"),
        ("projects/other/secrets/s_1/versions/7", "projects/other/secrets/s_1/versions/7"),
        ("projects/123/secrets/s/versions/latest", "projects/123/secrets/s/versions/latest"),
    ],
)
def test_a_secret_manager_name_means_one_version(name, version):
    assert SecretManagerSecrets("proj").version(name) == version


@pytest.mark.parametrize(
    "name", ["", "a b", "projects/p/secrets/", "projects/p/secrets/s/versions/0", "projects/p/s", "s/versions/1"]
)
def test_a_malformed_secret_manager_name_is_refused_before_any_call(name):
    with pytest.raises(ValueError, match="expected a secret id"):
        SecretManagerSecrets("proj").get(name)


def test_the_secret_manager_client_is_made_on_the_first_read(tmp_path, monkeypatch):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "no-such-key.json"))
    secrets = SecretManagerSecrets("proj")  # a function that never reads a secret never looks for credentials
    with pytest.raises(DefaultCredentialsError):
        secrets.get("alert-webhook")


ACCESS = "/google.cloud.secretmanager.v1.SecretManagerService/AccessSecretVersion"


class StandIn(grpc.GenericRpcHandler):
    """Answers AccessSecretVersion from `stored` (version name -> bytes), NOT_FOUND otherwise."""

    def __init__(self, stored: dict[str, bytes]) -> None:
        self.stored, self.asked = stored, []

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        if details.method != ACCESS:
            return None

        def access(request: bytes, context: grpc.ServicerContext) -> bytes:
            name = secretmanager.AccessSecretVersionRequest.deserialize(request).name
            self.asked.append(name)
            if name not in self.stored:
                context.abort(grpc.StatusCode.NOT_FOUND, f"Secret Version [{name}] not found.")
            payload = secretmanager.SecretPayload(data=self.stored[name])
            return secretmanager.AccessSecretVersionResponse.serialize(
                secretmanager.AccessSecretVersionResponse(name=name, payload=payload)
            )

        return grpc.unary_unary_rpc_method_handler(access)


@pytest.fixture
def secret_manager() -> Iterator[tuple[StandIn, SecretManagerSecrets]]:
    stand_in = StandIn({"projects/proj/secrets/alert-webhook/versions/latest": HOOK.encode()})
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), handlers=[stand_in])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    client = secretmanager.SecretManagerServiceClient(transport=SecretManagerServiceGrpcTransport(channel=channel))
    yield stand_in, SecretManagerSecrets("proj", client)
    channel.close()
    server.stop(grace=None)


def test_secret_manager_returns_the_latest_version_of_a_secret_id(secret_manager):
    stand_in, secrets = secret_manager
    assert secrets.get("alert-webhook") == HOOK
    assert stand_in.asked == ["projects/proj/secrets/alert-webhook/versions/latest"]


def test_a_missing_secret_manager_version_raises_secret_not_found(secret_manager):
    stand_in, secrets = secret_manager
    with pytest.raises(SecretNotFound, match="no secret version projects/proj/secrets/other/versions/3 in Secret"):
        secrets.get("projects/proj/secrets/other/versions/3")
    assert stand_in.asked == ["projects/proj/secrets/other/versions/3"]


@pytest.mark.skipif(
    not LIVE_SECRET,
    reason="no Secret Manager emulator exists: reading a real secret needs a project, application default "
    "credentials and PROPFLOW_LIVE_SECRET=projects/P/secrets/S/versions/V naming one",
)
def test_a_real_secret_is_read():
    assert LIVE_SECRET and SecretManagerSecrets(LIVE_SECRET.split("/")[1]).get(LIVE_SECRET)
