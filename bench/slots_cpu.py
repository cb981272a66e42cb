"""CPU per request of the public slots API, in one process: deterministic figures that
do not depend on the machine's load (unlike bench/slots_api.py's requests per second).

`GET /api/v1/public/links/<slug>/slots` for the hosts of bench/servers.py's `seed` (a
connected Google calendar from the provider sandbox, and an offline host), for 14 and 62
days from tomorrow (Paris), on a scratch SQLite database (or --database-url). The whole
request runs in this thread: the ASGI app through httpx's ASGITransport, with FastAPI's
thread pool replaced by a direct call, so that this thread's CPU time (time.thread_time)
and cProfile see everything the server does for it: routing, validation, the rate limiter,
the database, the busy-time cache, the engine, serialization. The sandbox answers from
another thread of this process; its own CPU is not counted (a provider is elsewhere), the
app's side of each call to it is. One warming request precedes each case (so the
connected host's busy time is in the cache when the API uses it); every request comes
from its own address and the host's links are used in turn, so no rate limit is reached.

Run: .venv/bin/python -m bench.slots_cpu [--requests 100] [--batches 5] [--days 14 62]
     [--profile 25] [--sort tottime|cumulative] [--dump answers.json]

--profile N prints the N most expensive functions of each case (cProfile, a second run of
the same requests); --dump writes each case's answer body (to compare two versions).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import io
import json
import os
import pstats
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

LINKS = 40
CONTROL_TOKEN = "bench-slots-cpu-control-token"
APP_URL = "http://127.0.0.1:3000"  # the requests' Host: the app's own, as in production


@contextmanager
def _sandbox() -> Iterator[str]:
    """The provider sandbox with its demo data, on a real port, in a thread."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from meetings_ui.sandbox.app import build_sandbox_app
    from meetings_ui.sandbox.store import SandboxStore, seed_demo_data
    from tests.processes import free_port
    from tests.sandbox import registered_callbacks

    store = SandboxStore()
    seed_demo_data(store)
    sandbox = build_sandbox_app(
        store, redirect_uris=registered_callbacks, control_token=CONTROL_TOKEN, seed=False
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Mount("/_sandbox", app=sandbox)]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/_sandbox"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _count_statements() -> list[int]:
    """A counter of the SQL statements the app's engine runs from now on."""
    import sqlalchemy as sa

    from meetings_ui.db import get_engine

    count = [0]

    def counted(*_args: object) -> None:
        count[0] += 1

    sa.event.listen(get_engine(), "before_cursor_execute", counted)
    return count


def _inline_thread_pool() -> None:
    """FastAPI runs plain handlers and dependencies with anyio.to_thread.run_sync: run
    them here instead, so this thread does (and measures) all the work."""
    import anyio.to_thread

    async def run_sync(func, *args, **_kwargs):  # noqa: ANN001, ANN202
        return func(*args)

    anyio.to_thread.run_sync = run_sync


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100, help="per batch")
    parser.add_argument("--batches", type=int, default=5, help="per case: the best is shown")
    parser.add_argument("--days", type=int, nargs="+", default=[14, 62])
    parser.add_argument("--profile", type=int, default=0, help="print the N top functions")
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--dump", type=Path, help="write each case's answer here (JSON)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        database_url = args.database_url or f"sqlite:///{directory}/bench.db"
        os.environ.update(
            DATABASE_URL=database_url,
            MEETINGS_SECRET_KEY="slots-cpu-benchmark-secret-key-0123456789abcdef",
            MEETINGS_SANDBOX="1",
            MEETINGS_SANDBOX_TOKEN=CONTROL_TOKEN,
            MEETINGS_TRUSTED_PROXY_HOPS="1",
            MEETINGS_APP_URL=APP_URL,
            MEETINGS_BACKEND_URL=APP_URL,
        )
        os.environ.pop("REDIS_URL", None)
        from meetings_ui.config import get_settings
        from tests.conftest import migrate

        get_settings.cache_clear()
        migrate(database_url)
        with _sandbox() as sandbox_url:
            os.environ["MEETINGS_SANDBOX_URL"] = sandbox_url
            get_settings.cache_clear()
            asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> None:
    import httpx

    from bench.servers import fake_ip, seed
    from meetings_ui.api.app import build_api

    hosts = seed(LINKS)
    _inline_thread_pool()
    statements = _count_statements()
    first = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)
    numbers = iter(range(1, 1 << 24))
    answers: dict[str, str] = {}
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url=APP_URL) as client:

        async def get(slug: str, days: int) -> httpx.Response:
            last = first + timedelta(days=days - 1)
            answer = await client.get(
                f"/api/v1/public/links/{slug}/slots",
                params={
                    "start": first.isoformat(),
                    "end": last.isoformat(),
                    "timezone": "Europe/Paris",
                },
                headers={"X-Forwarded-For": fake_ip(next(numbers))},
            )
            if answer.status_code != 200:
                raise SystemExit(f"{answer.status_code}: {answer.text}")
            return answer

        async def statements_per_request(slug: str, days: int) -> int:
            before = statements[0]
            await get(slug, days)
            return statements[0] - before

        async def run(slugs: list[str], days: int) -> tuple[float, float]:
            began, process_began = time.thread_time(), time.process_time()
            for number in range(args.requests):
                await get(slugs[number % len(slugs)], days)
            return (
                (time.thread_time() - began) / args.requests,
                (time.process_time() - process_began) / args.requests,
            )

        print(
            f"CPU of this thread per request: best (and median) of {args.batches} batches"
            f" of {args.requests} requests; the whole process's (its other threads: the"
            " rate limiter's expiry timer, the sandbox when asked), best batch"
        )
        began = time.thread_time()
        for _ in range(args.requests):
            (await client.get("/health")).raise_for_status()
        health = (time.thread_time() - began) / args.requests
        print(f"  {'baseline: GET /health':<20} {health * 1000:7.2f} ms (one batch)")
        for kind, slugs in (("connected", hosts.connected), ("offline", hosts.offline)):
            for days in args.days:
                warm = await get(slugs[0], days)
                answers[f"{kind}, {days} days"] = warm.text
                count = len(warm.json()["slots"])
                batches = sorted([await run(slugs, days) for _ in range(args.batches)])
                process = sorted(cpu for _, cpu in batches)
                sql = await statements_per_request(slugs[1], days)
                digest = hashlib.sha256(warm.content).hexdigest()[:12]
                print(
                    f"  {kind + ', ' + str(days) + ' days':<20} {batches[0][0] * 1000:7.2f} ms"
                    f" ({batches[len(batches) // 2][0] * 1000:6.2f});"
                    f" whole process {process[0] * 1000:6.2f} ms; {sql} SQL statements"
                    f"   ({count} slots, {len(warm.content)} bytes, sha256 {digest})"
                )
                if args.profile:
                    profiler = cProfile.Profile()
                    profiler.enable()
                    await run(slugs, days)
                    profiler.disable()
                    out = io.StringIO()
                    stats = pstats.Stats(profiler, stream=out)
                    stats.sort_stats(args.sort).print_stats(args.profile)
                    print(out.getvalue())
    if args.dump:
        args.dump.write_text(json.dumps(answers, indent=1))


if __name__ == "__main__":
    main()
