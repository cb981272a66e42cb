"""The app as production runs it, started as processes for the load benchmarks.

`production_app` runs the commands of `make serve` (migrations, then `reflex run --env
prod`: the built frontend and the backend on one port, GRANIAN_WORKERS backend processes)
without its settings check, so that SQLite and one worker without Redis can be measured
as well as the documented PostgreSQL + Redis set-up. The provider sandbox runs in its own
process, as a real provider would. The frontend is built into `.web-production-test`
(minutes the first time; the production browser test uses the same directory).

Rate limits stay on, as in production: every simulated visitor sends its own address in
X-Forwarded-For (the app trusts one proxy hop here), and the load is spread over several
links of the same host (`seed`), so no per-address or per-link limit is reached.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psutil
import redis
import requests
import sqlalchemy as sa

from bench import sampler
from tests.processes import free_port, stop_group, wait_until_up

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTROL_TOKEN = "bench-sandbox-control-token"
GOOGLE_ACCOUNT = "demo.google@example.com"  # seeded in the sandbox, with events
BUILD_TIMEOUT = 1800  # seconds: npm and the production build on a busy machine
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/7"
# The settings of the app this process seeds and asks; a server gets them afresh.
APP_VARIABLES = ("MEETINGS_", "SMTP_", "DATABASE_", "REDIS_", "GRANIAN_", "REFLEX_", "PYTEST_")


def fake_ip(number: int) -> str:
    """A distinct client address per simulated visitor or request (10.0.0.0/8)."""
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A PostgreSQL database of its own on `server_url`, dropped afterwards."""
    name = f"meetings_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database(kind: str, postgres: str = POSTGRES) -> Iterator[str]:
    """An empty database: "sqlite" (a file in a temporary directory) or "postgresql"."""
    if kind == "postgresql":
        with scratch_database(postgres) as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as directory:
        yield f"sqlite:///{directory}/bench.db"


@dataclass(frozen=True)
class App:
    url: str
    sandbox_url: str
    server: subprocess.Popen

    def control(self, method: str, endpoint: str, **json: object) -> dict:
        """The sandbox's control API (latency, request counts)."""
        answer = requests.request(
            method,
            f"{self.sandbox_url}/control{endpoint}",
            json=json or None,
            headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
            timeout=30,
        )
        answer.raise_for_status()
        return answer.json() if answer.content else {}

    def processes(self) -> list[psutil.Process]:
        """The server's processes: make/reflex, Granian's supervisor and its workers."""
        root = psutil.Process(self.server.pid)
        return [root, *root.children(recursive=True)]

    def cpu_seconds(self) -> dict[int, float]:
        """User and system CPU seconds so far, per process of the server."""
        cpu = {}
        for process in self.processes():
            with suppress(psutil.Error):
                times = process.cpu_times()
                cpu[process.pid] = times.user + times.system
        return cpu

    def rss(self) -> int:
        """Resident memory of all the server's processes, in bytes."""
        total = 0
        for process in self.processes():
            with suppress(psutil.Error):
                total += process.memory_info().rss
        return total


def _environment(database_url: str, redis_url: str | None, url: str, sandbox_url: str) -> dict:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(APP_VARIABLES) and name != "APP_HARNESS_FLAG"
    } | {
        "DATABASE_URL": database_url,
        "MEETINGS_SECRET_KEY": "load-benchmark-secret-key-0123456789abcdef",
        "MEETINGS_APP_URL": url,
        "MEETINGS_BACKEND_URL": url,
        "MEETINGS_SANDBOX": "1",
        "MEETINGS_SANDBOX_TOKEN": CONTROL_TOKEN,
        "MEETINGS_SANDBOX_URL": sandbox_url,
        # Each simulated visitor's address comes in X-Forwarded-For (see the docstring).
        "MEETINGS_TRUSTED_PROXY_HOPS": "1",
        "REFLEX_WEB_WORKDIR": str(PROJECT_ROOT / ".web-production-test"),
        # What the Makefile exports for `make serve`: Node from the virtualenv, npm (bun's
        # installer needs the internet), no telemetry.
        "PATH": f"{Path(sys.prefix) / 'bin'}:{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "TELEMETRY_ENABLED": "false",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["REFLEX_OPLOCK_ENABLED"] = "1"  # as `make serve` sets it
    return env


@contextmanager
def production_app(
    database_url: str,
    logs: Path,
    *,
    workers: int = 1,
    redis_url: str | None = None,
    extra_env: dict[str, str] | None = None,
    profile_to: Path | None = None,
) -> Iterator[App]:
    """The sandbox, then the production server (the commands of `make serve`). This
    process's settings then point at the same database, so that `seed` and the benchmarks
    can use the services directly. With `profile_to`, the server's processes are sampled
    into that directory (bench/sampler.py)."""
    if workers > 1 and not redis_url:
        raise ValueError("several workers share their state through Redis: give --redis")
    if redis_url:
        redis.Redis.from_url(redis_url).flushdb()
    port, sandbox_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    sandbox_url = f"http://127.0.0.1:{sandbox_port}/_sandbox"
    env = _environment(database_url, redis_url, url, sandbox_url) | (extra_env or {})
    server_env = env | {"GRANIAN_WORKERS": str(workers)}
    if profile_to is not None:
        (profile_to / "site").mkdir(parents=True, exist_ok=True)
        (profile_to / "site" / "sitecustomize.py").write_text(sampler.SITECUSTOMIZE)
        server_env |= {
            "PYTHONPATH": f"{profile_to / 'site'}:{PROJECT_ROOT}",
            "BENCH_SAMPLE_TO": str(profile_to),
        }
    sandbox_log, server_log = logs / "sandbox.log", logs / "serve.log"
    bin_dir = Path(sys.prefix) / "bin"
    subprocess.run(
        [str(bin_dir / "alembic"), "upgrade", "head"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "meetings_ui.sandbox", "--port", str(sandbox_port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=sandbox_log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = _reflex_prod(
        ["--frontend-port", str(port), "--backend-port", str(port)],
        PROJECT_ROOT,
        server_env,
        server_log,
    )
    saved = {name: value for name, value in os.environ.items() if name.startswith(APP_VARIABLES)}
    try:
        wait_until_up(
            f"{sandbox_url}/control/state",
            sandbox,
            sandbox_log,
            120,
            headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
        )
        wait_until_up(f"{url}/health", server, server_log, BUILD_TIMEOUT)
        wait_until_up(f"{url}/login", server, server_log, 120)
        for name in saved:
            del os.environ[name]
        os.environ.update({k: v for k, v in env.items() if k.startswith(APP_VARIABLES)})
        _settings_changed()
        yield App(url, sandbox_url, server)
    finally:
        stop_group(server)
        stop_group(sandbox)
        for name in [n for n in os.environ if n.startswith(APP_VARIABLES)]:
            del os.environ[name]
        os.environ.update(saved)
        _settings_changed()


def _reflex_prod(ports: list[str], app_dir: Path, env: dict, log: Path) -> subprocess.Popen:
    """`reflex run --env prod` of the app in `app_dir` on 127.0.0.1, in a session of its
    own (stop_group stops its workers too), its output in `log`."""
    return subprocess.Popen(
        [
            str(Path(sys.prefix) / "bin" / "reflex"),
            *("run", "--env", "prod", *ports, "--backend-host", "127.0.0.1"),
        ],
        cwd=app_dir,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


BARE_APP = Path(__file__).parent / "bare_app"


@contextmanager
def bare_reflex_app(
    logs: Path,
    *,
    workers: int = 1,
    redis_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[App]:
    """bench/bare_app's backend (one state, one event), run as the app is: the same
    workers, state manager and Redis. Backend only: its events need no built frontend."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        name: value
        for name, value in _environment("", redis_url, url, "").items()
        if not name.startswith(("MEETINGS_", "DATABASE_"))
    }
    env |= (extra_env or {}) | {"GRANIAN_WORKERS": str(workers)}
    env.pop("REFLEX_WEB_WORKDIR", None)
    log = logs / "bare.log"
    server = _reflex_prod(["--backend-only", "--backend-port", str(port)], BARE_APP, env, log)
    try:
        wait_until_up(f"{url}/ping", server, log, 120)
        yield App(url, "", server)
    finally:
        stop_group(server)


def _settings_changed() -> None:
    from meetings_ui.config import get_settings

    get_settings.cache_clear()


@dataclass(frozen=True)
class Hosts:
    connected: list[str]  # slugs of the host whose Google calendar is connected
    offline: list[str]  # slugs of a host without a calendar (requests, S3)


def seed(links: int, *, rolling_days: int = 90) -> Hosts:
    """Two hosts with `links` links each, 30 minutes on weekdays 09:00–17:00 Paris: one
    with the sandbox's demo Google calendar (events this week and next), one offline."""
    from meetings_ui.db import session_scope
    from meetings_ui.domain.enums import Provider
    from meetings_ui.providers.registry import connector_for
    from meetings_ui.services.accounts import do_create_user
    from meetings_ui.services.calendar_connections import callback_url, do_save_connected_account
    from meetings_ui.services.guard import OPERATOR
    from meetings_ui.services.links import do_create_link
    from tests.sandbox import consent

    settings = {
        "time_zone": "Europe/Paris",
        "durations": [30],
        "minimum_notice": 0,
        "rolling_days": rolling_days,
    }
    slugs: dict[str, list[str]] = {}
    with session_scope() as session:
        for kind in ("connected", "offline"):
            host = do_create_user(
                session=session,
                actor=OPERATOR,
                email=f"bench.{kind}@example.com",
                password="bench host password",
                display_name=f"Bench {kind.title()}",
            )
            if kind == "connected":
                connector = connector_for(Provider.GOOGLE)
                callback = callback_url(Provider.GOOGLE)
                start = connector.begin(redirect_uri=callback, state="bench")
                account = connector.complete(
                    flow=start.flow,
                    callback_params=consent(start.url, GOOGLE_ACCOUNT, redirect_uri=callback),
                )
                calendars = connector.open(account.credentials, lambda _: None).list_calendars()
                do_save_connected_account(
                    session=session, user_id=host.id, account=account, calendars=calendars
                )
            slugs[kind] = [
                do_create_link(
                    session=session,
                    owner=host,
                    name="Intro call",
                    slug=f"bench-{kind}-{number}",
                    settings=settings,
                ).slug
                for number in range(links)
            ]
    return Hosts(slugs["connected"], slugs["offline"])


def state_manager_env(mode: str | None) -> dict[str, str]:
    """Reflex's state manager for the server: without a choice, Redis when REDIS_URL is
    set, else Reflex's default, `disk` (states pickled under .states/, kept in memory too)."""
    return {"REFLEX_STATE_MANAGER_MODE": mode} if mode else {}


def state_manager_name(mode: str | None, redis_url: str | None) -> str:
    return mode or ("redis" if redis_url else "disk (Reflex's default without Redis)")


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, load average {load}"
    )


def own_cpu_seconds() -> float:
    """This process's user and system CPU seconds so far (the load client's)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 (nearest rank) of `values`, in the same unit."""
    if not values:
        return (float("nan"),) * 3
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]

    return rank(50), rank(95), rank(99)


class HealthProbe:
    """GET /health one after another in a thread while a load runs: the baseline of the
    same moment (a request that asks no provider and holds no state)."""

    def __init__(self, url: str, path: str = "/health") -> None:
        self.url = f"{url}{path}"
        self.latencies: list[float] = []
        self.errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with requests.Session() as session:
            while not self._stop.is_set():
                began = time.perf_counter()
                try:
                    ok = session.get(self.url, timeout=60).status_code == 200
                except requests.RequestException:
                    ok = False
                if ok:
                    self.latencies.append(time.perf_counter() - began)
                else:
                    self.errors += 1
                self._stop.wait(0.05)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def idle_health(url: str, count: int = 50) -> list[float]:
    """`count` sequential GET /health on an idle server (seconds each)."""
    latencies = []
    with requests.Session() as session:
        for _ in range(count):
            began = time.perf_counter()
            session.get(f"{url}/health", timeout=30).raise_for_status()
            latencies.append(time.perf_counter() - began)
    return latencies


def line(label: str, values: list[float], unit: float = 1000) -> str:
    """`label  p50 / p95 / p99 ms (n)` for latencies in seconds."""
    p50, p95, p99 = (v * unit for v in percentiles(values))
    return f"  {label:<38} p50 {p50:8.1f}  p95 {p95:8.1f}  p99 {p99:8.1f} ms  (n={len(values)})"
