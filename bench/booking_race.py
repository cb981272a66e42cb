"""Many prospects booking the same slot at the same moment: exactly one may win.

Each round asks the public slots API for a link's first free slot, then releases 50
threads at once (a barrier), each POSTing a booking of that slot for a different prospect
(its own address, email and idempotency key). Exactly one answer must be 201; the others
409 `slot_unavailable`. Rounds use the links of one host in turn (the per-link booking
limit is 60 an hour), so each round's slot is a new one of the same host's calendar.
After the rounds the database itself is asked for any two live bookings of the host at
the same start.

Set-ups: SQLite (one worker), PostgreSQL (one worker), PostgreSQL with two backend
worker processes sharing Redis (requests spread over both; the CPU seconds of each show
that both served). Baseline in the same run: 50 simultaneous GET /health, 10 times.

Run: .venv/bin/python -m bench.booking_race [--rounds 100] [--concurrency 50]
     [--setups sqlite postgresql postgresql-2] [--host connected|offline]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
import sqlalchemy as sa

from bench.servers import (
    POSTGRES,
    REDIS,
    App,
    database,
    fake_ip,
    line,
    machine,
    production_app,
    seed,
)

SETUPS = {  # name: (database, backend workers)
    "sqlite": ("sqlite", 1),
    "postgresql": ("postgresql", 1),
    "postgresql-2": ("postgresql", 2),
}
_next_ip = itertools.count(1)
_local = threading.local()


def _session() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


@dataclass
class Race:
    winners: list[int] = field(default_factory=list)  # per round
    statuses: Counter = field(default_factory=Counter)
    answers: list[float] = field(default_factory=list)  # seconds, every request
    winner_answers: list[float] = field(default_factory=list)
    skipped: int = 0  # rounds without a free slot to race for


def _burst(
    pool: ThreadPoolExecutor, size: int, send: Callable[[int], object]
) -> list[tuple[object, float]]:
    """`size` calls of `send(i)` released together; (result, seconds) each."""
    barrier = threading.Barrier(size)

    def one(index: int) -> tuple[object, float]:
        barrier.wait()
        began = time.perf_counter()
        result = send(index)
        return result, time.perf_counter() - began

    return list(pool.map(one, range(size)))


def _status(call: Callable[[], requests.Response]) -> object:
    try:
        return call().status_code
    except requests.RequestException as error:
        return type(error).__name__


def first_free_slot(app: App, slug: str) -> str | None:
    first = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)
    answer = _session().get(
        f"{app.url}/api/v1/public/links/{slug}/slots",
        params={
            "start": first.isoformat(),
            "end": (first + timedelta(days=61)).isoformat(),
            "timezone": "UTC",
        },
        headers={"X-Forwarded-For": fake_ip(next(_next_ip))},
        timeout=120,
    )
    answer.raise_for_status()
    slots = answer.json()["slots"]
    return slots[0]["start"] if slots else None


def race(app: App, slugs: list[str], rounds: int, concurrency: int) -> Race:
    result = Race()
    with ThreadPoolExecutor(concurrency) as pool:
        for number in range(rounds):
            slug = slugs[number % len(slugs)]
            start = first_free_slot(app, slug)
            if start is None:
                result.skipped += 1
                continue

            def book(
                index: int, slug: str = slug, start: str = start, number: int = number
            ) -> object:
                key = f"race-{number}-{index}"
                return _status(
                    lambda: _session().post(
                        f"{app.url}/api/v1/public/links/{slug}/bookings",
                        json={
                            "start": start,
                            "timezone": "UTC",
                            "name": f"Prospect {index}",
                            "email": f"prospect.{number}.{index}@example.com",
                            "idempotency_key": key,
                        },
                        headers={"X-Forwarded-For": fake_ip(next(_next_ip))},
                        timeout=120,
                    )
                )

            answers = _burst(pool, concurrency, book)
            result.winners.append(sum(1 for status, _ in answers if status == 201))
            for status, took in answers:
                result.statuses[status] += 1
                result.answers.append(took)
                if status == 201:
                    result.winner_answers.append(took)
    return result


def health_bursts(app: App, concurrency: int, times: int = 10) -> list[float]:
    latencies: list[float] = []
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(times):
            burst = _burst(
                pool, concurrency, lambda _i: _status(lambda: _session().get(f"{app.url}/health"))
            )
            latencies += [took for _, took in burst]
    return latencies


def double_bookings(database_url: str) -> int:
    """Starts of the host with more than one live booking, as the database has them."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text(
                    "SELECT count(*) FROM (SELECT host_id, start_at FROM booking "
                    "WHERE status != 'cancelled' GROUP BY host_id, start_at "
                    "HAVING count(*) > 1) AS doubled"
                )
            ).scalar_one()
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--setups", nargs="+", choices=list(SETUPS), default=list(SETUPS))
    parser.add_argument("--host", choices=["connected", "offline"], default="connected")
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--redis", default=REDIS, help="for the two-worker set-up (flushed)")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    print(
        f"{args.concurrency} simultaneous bookings of one slot, {args.rounds} rounds, "
        f"{args.host} host"
    )
    for setup in args.setups:
        kind, workers = SETUPS[setup]
        with (
            tempfile.TemporaryDirectory() as logs,
            database(kind, args.postgres) as database_url,
            production_app(
                database_url,
                Path(logs),
                workers=workers,
                redis_url=args.redis if workers > 1 else None,
            ) as app,
        ):
            hosts = seed(args.rounds, rolling_days=120)
            slugs = hosts.connected if args.host == "connected" else hosts.offline
            print(f"\n{setup}: {kind}, {workers} worker process(es)")
            print(line("baseline: GET /health, 50 at once", health_bursts(app, args.concurrency)))
            before = app.cpu_seconds()
            result = race(app, slugs, args.rounds, args.concurrency)
            after = app.cpu_seconds()
            wrong = sum(1 for winners in result.winners if winners != 1)
            print(line("every booking answer", result.answers))
            print(line("the winner's answer", result.winner_answers))
            print(f"  rounds raced                           {len(result.winners)}")
            print(f"  rounds with a number of winners != 1   {wrong}")
            print(f"  answers by status                      {dict(result.statuses)}")
            print(f"  rounds without a free slot (skipped)   {result.skipped}")
            print(f"  double bookings in the database        {double_bookings(database_url)}")
            busy = {pid: after[pid] - before.get(pid, 0.0) for pid in after}
            print(
                "  CPU seconds per server process         "
                + ", ".join(f"{seconds:.1f}" for seconds in sorted(busy.values(), reverse=True))
            )


if __name__ == "__main__":
    main()
