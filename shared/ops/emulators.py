"""Local emulators of BigQuery, Pub/Sub and GCS, so the gcp backend runs on this machine.

Each emulator is a child process on a free loopback port: Google's Pub/Sub
emulator (Java, from the gcloud SDK), bqemulator (DuckDB-backed BigQuery REST
API) and gcp-storage-emulator. `start` waits until all three answer and
records them in <home>/emulators.json, so `propflow emulators up` in one shell
and `propflow demo --backend gcp` in another find the same servers; `env()`
is what the official clients need to talk to them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from shared import paths
from shared.config import PREFIX, process_environ

STATE_FILE = "emulators.json"
ENV_VARS = ("BIGQUERY_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST", "STORAGE_EMULATOR_HOST")
# The project the gcp backend uses on the emulators when PROPFLOW_GCP_PROJECT is not set; any id works there.
PROJECT = "propflow-emulated"
START_TIMEOUT_S = 90.0
HOST = "127.0.0.1"
PUBSUB_LAUNCHER = "cloud-pubsub-emulator"
# Where the Debian package google-cloud-cli-pubsub-emulator puts the launcher.
SDK_ROOTS = (Path("/usr/lib/google-cloud-sdk"), Path("/usr/share/google-cloud-sdk"))


def backend_env() -> dict[str, str]:
    """The settings that point propflow at the emulators: the gcp backend, and a project (PROJECT unless set)."""
    return {PREFIX + "BACKEND": "gcp", PREFIX + "GCP_PROJECT": os.environ.get(PREFIX + "GCP_PROJECT", PROJECT)}


class EmulatorUnavailable(RuntimeError):
    """An emulator could not start here; the message says why."""


@dataclass(frozen=True)
class Emulator:
    name: str
    pid: int
    port: int
    log: str


@dataclass(frozen=True)
class Emulators:
    home: Path
    bigquery: Emulator
    pubsub: Emulator
    storage: Emulator

    def all(self) -> tuple[Emulator, ...]:
        return (self.bigquery, self.pubsub, self.storage)

    def env(self) -> dict[str, str]:
        """The variables the google-cloud clients (and shared/adapters) read to use the emulators."""
        hosts = (
            f"http://{HOST}:{self.bigquery.port}",
            f"{HOST}:{self.pubsub.port}",
            f"http://{HOST}:{self.storage.port}",
        )
        return dict(zip(ENV_VARS, hosts, strict=True))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def pubsub_launcher() -> Path:
    found = shutil.which(PUBSUB_LAUNCHER)
    candidates = [Path(found)] if found else []
    candidates += [root / "platform" / "pubsub-emulator" / "bin" / PUBSUB_LAUNCHER for root in SDK_ROOTS]
    for path in candidates:
        if path.is_file():
            return path
    raise EmulatorUnavailable(
        "the Pub/Sub emulator is not installed (Debian package google-cloud-cli-pubsub-emulator, "
        f"looked for {PUBSUB_LAUNCHER} on PATH and under {', '.join(map(str, SDK_ROOTS))})"
    )


def _commands(ports: Mapping[str, int]) -> dict[str, list[str]]:
    if shutil.which("java") is None:
        raise EmulatorUnavailable("the Pub/Sub emulator needs java on PATH")
    for module in ("bqemulator", "gcp_storage_emulator"):
        try:
            __import__(module)
        except ImportError as exc:
            raise EmulatorUnavailable(f"{module} is not installed: pip install -r requirements.txt ({exc})") from exc
    return {
        "bigquery": [sys.executable, "-m", "shared.ops.emulators", str(ports["bigquery"]), str(free_port())],
        "pubsub": [str(pubsub_launcher()), f"--host={HOST}", f"--port={ports['pubsub']}"],
        "storage": [sys.executable, "-m", "gcp_storage_emulator", "start", f"--host={HOST}",
                    f"--port={ports['storage']}", "--in-memory", "--quiet"],
    }  # fmt: skip


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tail(path: str, lines: int = 15) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait(emulator: Emulator, process: subprocess.Popen, deadline: float) -> None:
    while not _answers(emulator.port):
        if process.poll() is not None:
            raise EmulatorUnavailable(
                f"the {emulator.name} emulator exited with {process.returncode}:\n{_tail(emulator.log)}"
            )
        if time.monotonic() > deadline:
            raise EmulatorUnavailable(f"the {emulator.name} emulator did not answer on port {emulator.port}")
        time.sleep(0.1)


def start(home: Path) -> Emulators:
    """Start all three on free ports, wait until they answer, and record them under home."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in ("bigquery", "pubsub", "storage")}
    commands = _commands(ports)
    started: dict[str, Emulator] = {}
    processes: dict[str, subprocess.Popen] = {}
    env = {**os.environ, "CLOUDSDK_CORE_DISABLE_PROMPTS": "1", "PYTHONPATH": str(paths.ROOT)}
    try:
        for name, command in commands.items():
            log = home / f"emulator-{name}.log"
            with log.open("wb") as out:
                # Own session: `emulators down` (or a test's teardown) stops the whole process group.
                processes[name] = subprocess.Popen(
                    command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
                )
            started[name] = Emulator(name, processes[name].pid, ports[name], str(log))
        deadline = time.monotonic() + START_TIMEOUT_S
        for name, emulator in started.items():
            _wait(emulator, processes[name], deadline)
    except BaseException:
        for emulator in started.values():
            _kill(emulator.pid)
        raise
    emulators = Emulators(home, **started)
    (home / STATE_FILE).write_text(json.dumps({e.name: asdict(e) for e in emulators.all()}, indent=2))
    return emulators


def running(home: Path) -> Emulators | None:
    """The emulators `start` recorded under home, if all of them still run."""
    state = Path(home) / STATE_FILE
    if not state.exists():
        return None
    recorded = {name: Emulator(**fields) for name, fields in json.loads(state.read_text()).items()}
    if not all(_alive(e.pid) and _answers(e.port) for e in recorded.values()):
        return None
    return Emulators(Path(home), **recorded)


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        if not _alive(pid):
            return
        with contextlib.suppress(ChildProcessError):  # reap it if it is our child, so it stops being "alive"
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def stop(home: Path) -> bool:
    """Stop the emulators recorded under home; False when none were recorded."""
    state = Path(home) / STATE_FILE
    if not state.exists():
        return False
    for fields in json.loads(state.read_text()).values():
        _kill(int(fields["pid"]))
    state.unlink()
    return True


@contextlib.contextmanager
def use(home: Path) -> Iterator[dict[str, str]]:
    """Point the official clients at emulators for the block: the ones the environment already names,
    else the ones `propflow emulators up` recorded under home, else new ones stopped when the block ends."""
    if all(os.environ.get(name) for name in ENV_VARS):
        yield {name: os.environ[name] for name in ENV_VARS}
        return
    found = running(home)
    owned = found is None
    if found is None:
        found = start(home)
    try:
        with process_environ(found.env()):
            yield found.env()
    finally:
        if owned:
            stop(home)


def serve_bigquery(rest_port: int, grpc_port: int) -> None:
    """Run bqemulator in memory, without DuckDB's spatial extension (it would be downloaded; nothing here needs it)."""
    from bqemulator.config import Settings
    from bqemulator.server import run_forever
    from bqemulator.storage.engine import DuckDBEngine

    DuckDBEngine._load_spatial = lambda self: None  # type: ignore[method-assign]
    run_forever(Settings(rest_host=HOST, rest_port=rest_port, grpc_host=HOST, grpc_port=grpc_port, log_level="error"))


if __name__ == "__main__":  # the bigquery child process of `start`
    serve_bigquery(int(sys.argv[1]), int(sys.argv[2]))
