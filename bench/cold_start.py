"""Size and cold start of every function as deployed, for this checkout and, with --before, an earlier commit.

For each tree (this checkout; --before REF adds REF's tree, checked out as a
temporary git worktree and removed afterwards), everything runs on that tree's
own code:

1. `python -m shared package` builds its archives (that tree's packaging);
2. per archive: its size, and the installed size of its requirements.txt, which
   pip installs into a scratch folder (--target) from the indexes it is
   configured with, once per distinct requirements.txt;
3. a short demo (history, one replayed day, the weekly retrain; that tree's
   `prepare`) fills a warehouse and records the last message of every topic;
4. per deployment, a new Python process in the unpacked archive, with only the
   archive and its installed requirements on sys.path (-S: not even this
   checkout's editable install), imports main.py (timed: what a cold start
   loads), then handles the recorded message under a fresh event id on a copy
   of that warehouse (timed: the real work, not a duplicate acknowledged by the
   ledger). The warehouse is the embedded default's, whose adapters and DuckDB
   deployed archives leave out, so after the import is timed the child lends
   them: this checkout's shared/adapters and this interpreter's site-packages,
   searched last. Peak memory is the child's VmHWM (getrusage's max RSS
   survives exec, so a child would report its parent's). Each figure is the
   median of --runs such processes, the trees taking turns.

    python bench/cold_start.py --before b3d99f5
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from machine import describe

ROOT = Path(__file__).resolve().parents[1]
# Where a tree keeps the CloudEvent encoder: since issue 18, and before it.
ENCODERS = ("shared/contract/envelope.py", "shared/events.py")

# The child: nothing imported before the clock starts but what timing needs.
CHILD = """
import importlib, importlib.util, json, sys, time
function, message, message_id, encoder, lent_adapters, lent_site = sys.argv[1:]
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location("cold_main", "main.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
t1 = time.perf_counter()
import shared.adapters
shared.adapters.__path__.append(lent_adapters)
sys.path.append(lent_site)
message = json.loads(message)
event = importlib.import_module(encoder).encode(
    message["topic"], message["data"].encode(), message_id=message_id, attributes=message["attributes"])
getattr(module, function)(event)
t2 = time.perf_counter()
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"import_s": t1 - t0, "first_event_s": t2 - t1, "peak_mib": int(hwm.split()[1]) / 1024}))
"""

# Runs `prepare` of the bench in the tree given, on that tree's code.
PREPARE = """
import json, sys
from pathlib import Path
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/bench"]
import cold_start
print(json.dumps(cold_start.prepare(Path(sys.argv[2]))))
"""


@dataclass(frozen=True)
class Function:
    archive_bytes: int
    installed_bytes: int
    unpacked: Path
    site: Path  # its requirements, installed


def prepare(home: Path) -> dict[str, dict]:
    """Run a short demo in `home`; topic -> its last published message."""
    os.environ["PROPFLOW_HOME"] = str(home)
    from shared import runtime
    from shared.adapters.local.local_bus import LocalBus
    from shared.contract.events import EnsembleDeadline, message_data
    from shared.ops import demo

    recorded: dict[str, dict] = {}
    publish = LocalBus.publish

    def recording(self, topic, payload, attributes=None):
        recorded[topic] = {
            "topic": topic,
            "data": message_data(topic, payload).decode(),
            "attributes": dict(attributes or {}),
        }
        return publish(self, topic, payload, attributes)

    LocalBus.publish = recording
    try:
        demo.run(runtime.context(), days=8, history_days=30, seed=7, retrain_every=7)
    finally:
        LocalBus.publish = publish
    last_day = demo.DEFAULT_START + dt.timedelta(days=37)
    deadline = EnsembleDeadline(game_date=last_day)
    recorded["ensemble-deadline"] = {
        "topic": "ensemble-deadline",
        "data": message_data("ensemble-deadline", deadline).decode(),
        "attributes": {},
    }
    runtime.reset()
    return recorded


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])}... failed in {cwd}:\n{out.stderr[-3000:]}")
    return out.stdout


def _environ(*path: Path) -> dict[str, str]:
    """The environment of a process that runs the code on `path`, not this checkout's, with no settings of ours."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("PROPFLOW_")}
    return {**kept, "PYTHONPATH": os.pathsep.join(map(str, path))}


def _bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _install(requirements: Path, installs: Path) -> Path:
    """pip install --target of one requirements.txt, shared by every archive with the same one."""
    site = installs / hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    if not site.is_dir():
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(site), "-r", str(requirements)]
        _run(pip, installs)
    return site


def functions(tree: Path, scratch: Path, installs: Path) -> dict[str, Function]:
    """Build the tree's archives; per function folder, its sizes and where it is unpacked and installed."""
    out = scratch / "archives"
    _run([sys.executable, "-m", "shared", "package", "--out", str(out)], tree, _environ(tree))
    result = {}
    for source, name in json.loads((out / "manifest.json").read_text()).items():
        unpacked = scratch / "unpacked" / source
        zipfile.ZipFile(out / name).extractall(unpacked)
        site = _install(unpacked / "requirements.txt", installs)
        result[source] = Function((out / name).stat().st_size, _bytes(site), unpacked, site)
    return result


def cold_start(function: Function, home: Path, deployment, message: dict, scratch: Path) -> dict:
    copy = scratch / deployment.name
    shutil.copytree(home, copy)
    encoder = next(e for e in ENCODERS if (function.unpacked / e).is_file())
    env = {**_environ(function.unpacked, function.site), **deployment.env, "PROPFLOW_HOME": str(copy)}
    args = [
        *(sys.executable, "-S", "-c", CHILD, deployment.function, json.dumps(message), uuid.uuid4().hex),
        encoder.removesuffix(".py").replace("/", "."),
        str(ROOT / "shared" / "adapters"),
        sysconfig.get_paths()["purelib"],
    ]
    figures = json.loads(_run(args, function.unpacked, env).strip().splitlines()[-1])
    shutil.rmtree(copy)
    return figures


@contextmanager
def worktree(ref: str, folder: Path) -> Iterator[Path]:
    """REF's tree as a git worktree, removed afterwards (the checkout's own state is left alone)."""
    _run(["git", "worktree", "add", "--detach", str(folder), ref], ROOT)
    try:
        yield folder
    finally:
        _run(["git", "worktree", "remove", "--force", str(folder)], ROOT)


@dataclass(frozen=True)
class Tree:
    functions: dict[str, Function]  # function folder -> its archive, unpacked and installed
    home: Path  # the warehouse its demo filled
    recorded: dict[str, dict]  # topic -> the last message published


def prepared(tree: Path, scratch: Path, installs: Path) -> Tree:
    """A tree's archives, built, unpacked and installed, and its demo's warehouse and messages."""
    built = functions(tree, scratch, installs)
    home = scratch / "home"
    out = _run([sys.executable, "-c", PREPARE, str(tree), str(home)], tree, _environ(tree))
    return Tree(built, home, json.loads(out.strip().splitlines()[-1]))


def cold_starts(trees: dict[str, Tree], deployments: list, runs: int, scratch: Path) -> dict[str, dict]:
    """label -> deployment -> each figure's median over `runs` cold starts.

    The trees take turns, run by run: on a shared machine the load of the moment then weighs on both alike.
    """
    from shared.contract import topology

    medians: dict[str, dict] = {label: {} for label in trees}
    for d in deployments:
        figures: dict[str, list[dict]] = {label: [] for label in trees}
        for _ in range(runs):
            for label, tree in trees.items():
                function = tree.functions[topology.source(d.function)]
                figures[label].append(cold_start(function, tree.home, d, tree.recorded[d.topic], scratch))
        for label, done in figures.items():
            medians[label][d.name] = {key: statistics.median(f[key] for f in done) for key in done[0]}
    return medians


def _columns(values: list[float], width: int, digits: int) -> str:
    return " ".join(f"{v:{width}.{digits}f}" for v in values)


def report(labels: list[str], sizes: dict[str, dict[str, Function]], starts: dict[str, dict], runs: int) -> None:
    header = " ".join(f"{label:>9}" for label in labels)
    print(f"size per function on {describe()} ({' | '.join(labels)})")
    print(f"{'function':14} {'archive KiB':>{10 * len(labels)}} {'installed MiB':>{10 * len(labels)}}")
    print(f"{'':14} {header} {header}")
    for source in sorted(sizes[labels[-1]]):
        archive = [sizes[label][source].archive_bytes / 2**10 for label in labels]
        installed = [sizes[label][source].installed_bytes / 2**20 for label in labels]
        print(f"{source:14} {_columns(archive, 9, 0)} {_columns(installed, 9, 0)}")
    print(f"\ncold start per deployment, median of {runs} ({' | '.join(labels)})")
    print(f"{'deployment':24} {'import s':>{10 * len(labels)}} {'first event s':>{10 * len(labels)}} "
          f"{'peak MiB':>{10 * len(labels)}}")  # fmt: skip
    print(f"{'':24} {header} {header} {header}")
    for name in starts[labels[-1]]:
        row = [[starts[label][name][key] for label in labels] for key in ("import_s", "first_event_s", "peak_mib")]
        print(f"{name:24} {_columns(row[0], 9, 2)} {_columns(row[1], 9, 2)} {_columns(row[2], 9, 0)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", metavar="REF", help="also measure this commit's tree (e.g. b3d99f5)")
    parser.add_argument("--runs", type=int, default=5, help="cold starts per deployment; the median is shown")
    args = parser.parse_args()
    from shared.contract import markets, topology

    systems = {s for m in markets.all_markets().values() for s in m.active_systems(None)}
    deployments = topology.deployments(systems)
    trees: dict[str, Tree] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scratch, installs = Path(tmp), Path(tmp) / "installs"
        installs.mkdir()
        if args.before:
            with worktree(args.before, scratch / "before-tree") as tree:
                trees["before"] = prepared(tree, scratch / "before", installs)
        trees["after"] = prepared(ROOT, scratch / "after", installs)
        starts = cold_starts(trees, deployments, args.runs, scratch / "cold")
        report(list(trees), {label: t.functions for label, t in trees.items()}, starts, args.runs)


if __name__ == "__main__":
    main()
