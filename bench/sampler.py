"""A sampling profiler for the server's processes, since no py-spy is installed.

`production_app(..., profile_to=DIR)` puts a `sitecustomize` on the server's PYTHONPATH
that calls `install(DIR)` in every process it starts (and in forked workers): a thread
then reads every other thread's stack every few milliseconds (`sys._current_frames`) and,
every few seconds, writes `DIR/<pid>.json`: samples per thread group (the event loop, the
thread pool of `asyncio.to_thread`, others), split into busy and waiting by the innermost
function, and per function the busy samples where it is innermost (self) and anywhere in
the stack (inclusive). `report(DIR)` prints the busiest process's tables.

Reading stacks needs the GIL: it measures where Python time goes, not the time threads
spend waiting for the GIL, which shows up as fewer samples overall.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType

INTERVAL = 0.005  # seconds between samples
WRITE_EVERY = 2.0  # seconds between dumps
# Innermost functions of a thread that waits rather than works.
_WAITING = {
    "select",
    "poll",
    "epoll",
    "wait",
    "acquire",
    "_worker",
    "get",
    "sleep",
    "recv",
    "recv_into",
    "accept",
    "read",
    "readinto",
    "_wait_for_tstate_lock",
    "run_forever",
    "_run_once",
    "serve",
    "join",
    "_try_wait",
}

SITECUSTOMIZE = """\
import os
if os.environ.get("BENCH_SAMPLE_TO"):
    import bench.sampler
    bench.sampler.install(os.environ["BENCH_SAMPLE_TO"])
"""


def _where(frame: FrameType) -> str:
    code = frame.f_code
    path = code.co_filename
    for marker in ("site-packages/", "/meetings_ui/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            if marker == "/meetings_ui/":
                path = "meetings_ui/" + path
            break
    return f"{path}:{code.co_name}"


def _group(thread: threading.Thread | None) -> str:
    name = thread.name if thread else "?"
    if name == "MainThread":
        return "event loop (main thread)"
    if name.startswith("asyncio_"):
        return "asyncio.to_thread pool"
    return name.rstrip("0123456789-_ ") or "other"


class _Sampler:
    def __init__(self, directory: str) -> None:
        self.path = Path(directory) / f"{os.getpid()}.json"
        self.groups: Counter = Counter()
        self.own: Counter = Counter()
        self.inclusive: Counter = Counter()
        self.samples = 0

    def run(self) -> None:
        me = threading.get_ident()
        written = time.monotonic()
        while True:
            time.sleep(INTERVAL)
            threads = {t.ident: t for t in threading.enumerate()}
            self.samples += 1
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                group = _group(threads.get(ident))
                if frame.f_code.co_name in _WAITING:
                    self.groups[f"{group}: waiting"] += 1
                    continue
                self.groups[f"{group}: busy"] += 1
                self.own[_where(frame)] += 1
                seen = set()
                while frame is not None:
                    seen.add(_where(frame))
                    frame = frame.f_back
                self.inclusive.update(seen)
            if time.monotonic() - written > WRITE_EVERY:
                self._write()
                written = time.monotonic()

    def _write(self) -> None:
        data = {
            "pid": os.getpid(),
            "argv": sys.argv[:3],
            "samples": self.samples,
            "interval": INTERVAL,
            "groups": self.groups.most_common(),
            "own": self.own.most_common(60),
            "inclusive": self.inclusive.most_common(400),
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data))
        temporary.replace(self.path)


def install(directory: str) -> None:
    """Start sampling this process, and every process forked from it."""

    def start() -> None:
        sampler = _Sampler(directory)
        threading.Thread(target=sampler.run, name="bench-sampler", daemon=True).start()

    start()
    os.register_at_fork(after_in_child=start)


def report(directory: Path, exclude: int, top: int = 25) -> None:
    """The tables of the backend worker: the process that handled Reflex events, but
    `exclude` (the `reflex run` command, which the workers are forked from)."""
    runs = [json.loads(p.read_text()) for p in Path(directory).glob("*.json")]
    runs = [
        run
        for run in runs
        if run["pid"] != exclude
        and any(name.startswith("reflex/app.py") for name, _ in run["inclusive"])
    ]
    if not runs:
        print("  no samples")
        return

    def busy(run: dict) -> int:
        return sum(count for name, count in run["groups"] if name.endswith("busy"))

    run = max(runs, key=busy)
    total = max(1, busy(run))
    seconds = run["samples"] * run["interval"]
    print(f"\n  profile of process {run['pid']} ({' '.join(run['argv'])}), ~{seconds:.0f} s")
    for name, count in run["groups"]:
        print(f"    {name:<48} {count:7d} samples")
    print(f"  innermost function, share of busy samples (top {top})")
    for name, count in run["own"][:top]:
        print(f"    {count / total:6.1%}  {name}")
    print(f"  anywhere in the stack, share of busy samples (top {top} of the app and Reflex)")
    ours = [(n, c) for n, c in run["inclusive"] if n.startswith(("meetings_ui/", "reflex"))]
    for name, count in ours[:top]:
        print(f"    {count / total:6.1%}  {name}")
