"""Cold start of every deployment: import + first event, and peak memory, each in a fresh process.

A short demo (history, one replayed day, the weekly retrain) prepares a warehouse
and records the last message of every topic. Then, per deployment, a new
Python process on a copy of that warehouse imports the function's main.py
(timed: the framework, the shared library, the model libraries it pulls in) and
handles the recorded message under a fresh event id (timed: the real work, not a
duplicate acknowledged by the ledger). Peak memory is the child's VmHWM (getrusage's
max RSS survives exec, so a child would report its parent's).

    python bench/cold_start.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from machine import describe

ROOT = Path(__file__).resolve().parents[1]

# The child: nothing imported before the clock starts but what timing needs.
CHILD = """
import time, importlib.util, json, sys
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location("cold_main", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
t1 = time.perf_counter()
from shared.contract import events
message = json.loads(sys.argv[3])
event = events.encode(message["topic"], message["data"].encode(), message_id=sys.argv[4],
                      attributes=message["attributes"])
getattr(module, sys.argv[2])(event)
t2 = time.perf_counter()
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"import_s": t1 - t0, "first_event_s": t2 - t1, "peak_mib": int(hwm.split()[1]) / 1024}))
"""


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


def cold_start(home: Path, deployment, message: dict, scratch: Path) -> dict:
    from shared.contract import topology

    copy = scratch / deployment.name
    shutil.copytree(home, copy)
    env = {**os.environ, **deployment.env, "PROPFLOW_HOME": str(copy)}
    main = ROOT / "functions" / topology.source(deployment.function) / "main.py"
    args = [sys.executable, "-c", CHILD, str(main), deployment.function, json.dumps(message), uuid.uuid4().hex]
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    shutil.rmtree(copy)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    from shared.contract import markets, topology

    systems = {s for m in markets.all_markets().values() for s in m.active_systems(None)}
    with tempfile.TemporaryDirectory() as tmp:
        home, scratch = Path(tmp) / "home", Path(tmp) / "scratch"
        recorded = prepare(home)
        print(f"cold start per deployment on {describe()}")
        print(f"{'deployment':24} {'topic':20} {'import s':>9} {'first event s':>14} {'peak MiB':>9}")
        for deployment in topology.deployments(systems):
            figures = cold_start(home, deployment, recorded[deployment.topic], scratch)
            print(
                f"{deployment.name:24} {deployment.topic:20} {figures['import_s']:9.2f} "
                f"{figures['first_event_s']:14.2f} {figures['peak_mib']:9.0f}"
            )


if __name__ == "__main__":
    main()
