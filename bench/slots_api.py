"""The public slots API under concurrency, beside GET /health at the same concurrency.

`GET /api/v1/public/links/<slug>/slots` for 14 and 62 days, from 1, 10 and 50 client
threads at once, for a host whose Google calendar is connected (the provider sandbox; its
busy time read once and then served from the busy-time cache for 60 s, M9) and for an
offline host (no calendar), on SQLite and on PostgreSQL: the production server of
bench/servers.py. Each phase runs for --seconds; the figures are requests per second and
p50/p95/p99 of the answers, with GET /health measured the same way as the baseline. Every
request comes from its own address (X-Forwarded-For) and the links of each host are used
in turn, so the rate limits (60 per minute per address, 600 per link) are not reached;
any refusal is counted as an error.

Run: .venv/bin/python -m bench.slots_api [--databases sqlite postgresql] [--seconds 5]
     [--concurrency 1 10 50] [--days 14 62] [--workers 1 --redis redis://127.0.0.1:6379/7]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from bench.servers import (
    POSTGRES,
    database,
    fake_ip,
    machine,
    own_cpu_seconds,
    percentiles,
    production_app,
    seed,
)

LINKS_PER_HOST = 40
_next_ip = itertools.count(1)


@dataclass
class Phase:
    latencies: list[float]
    errors: Counter
    wall: float
    client_cpu: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall


def phase(urls: Callable[[], str], concurrency: int, seconds: float) -> Phase:
    """`concurrency` threads, each sending the next request as soon as the last one is
    answered, for `seconds`; only 200 answers count as served."""
    latencies: list[float] = []
    errors: Counter = Counter()
    lock = threading.Lock()
    began = time.perf_counter()
    deadline = began + seconds
    cpu_before = own_cpu_seconds()

    def client() -> None:
        with requests.Session() as session:
            while time.perf_counter() < deadline:
                url = urls()
                sent = time.perf_counter()
                try:
                    answer = session.get(
                        url, headers={"X-Forwarded-For": fake_ip(next(_next_ip))}, timeout=120
                    )
                    status = answer.status_code
                except requests.RequestException as error:
                    status = type(error).__name__
                took = time.perf_counter() - sent
                with lock:
                    if status == 200:
                        latencies.append(took)
                    else:
                        errors[status] += 1

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Phase(latencies, errors, time.perf_counter() - began, own_cpu_seconds() - cpu_before)


def _row(label: str, result: Phase, baseline: Phase | None = None) -> str:
    p50, p95, _ = percentiles(result.latencies)
    text = (
        f"    {label:<30} {result.rate:8.1f} req/s  p50 {p50 * 1000:7.1f}  p95 {p95 * 1000:7.1f} ms"
    )
    if baseline is not None and result.latencies:
        text += f"  p95 {p95 / percentiles(baseline.latencies)[1]:5.1f} x /health"
    if result.errors:
        text += f"  errors {dict(result.errors)}"
    return text + f"  (client CPU {result.client_cpu / result.wall:.2f} cores)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--days", type=int, nargs="+", default=[14, 62])
    parser.add_argument("--seconds", type=float, default=5.0, help="per phase")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--redis", default="", help="REDIS_URL (needed for --workers > 1)")
    parser.add_argument("--latency", type=int, default=0, help="ms added to provider answers")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    print(
        f"production server: {args.workers} worker(s), "
        f"{'Redis' if args.redis else 'no Redis'}; provider latency {args.latency} ms; "
        f"{args.seconds:.0f} s per phase"
    )
    for kind in args.databases:
        with (
            tempfile.TemporaryDirectory() as logs,
            database(kind, args.postgres) as database_url,
            production_app(
                database_url, Path(logs), workers=args.workers, redis_url=args.redis or None
            ) as app,
        ):
            hosts = seed(LINKS_PER_HOST)
            app.control("PUT", "/settings", latency_ms=args.latency)
            first = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)
            print(f"\n{kind}")
            for concurrency in args.concurrency:
                print(f"  concurrency {concurrency}")
                health = phase(lambda: f"{app.url}/health", concurrency, args.seconds)
                print(_row("baseline: GET /health", health))
                for host, slugs in (("connected", hosts.connected), ("offline", hosts.offline)):
                    for days in args.days:
                        urls = _slots_urls(app.url, slugs, first, days)
                        requests.get(urls(), timeout=120)  # the busy-time cache warm
                        result = phase(urls, concurrency, args.seconds)
                        print(_row(f"{host}, {days} days", result, health))


def _slots_urls(base: str, slugs: list[str], first: date, days: int) -> Callable[[], str]:
    """The next slots query, the host's links in turn (thread-safe: itertools.cycle)."""
    last = first + timedelta(days=days - 1)
    query = f"start={first.isoformat()}&end={last.isoformat()}&timezone=Europe/Paris"
    cycle = itertools.cycle([f"{base}/api/v1/public/links/{slug}/slots?{query}" for slug in slugs])
    lock = threading.Lock()

    def next_url() -> str:
        with lock:
            return next(cycle)

    return next_url


if __name__ == "__main__":
    main()
