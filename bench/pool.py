"""Benchmark of the database pool under the backend's request threads.

FastAPI runs each plain (sync) handler on a pool of 40 threads; every request takes one
session. This runs the /health use case (one query) from 40 threads at once, as a busy
worker does, and prints requests per second for, all in this run on the same machine:
  (a) SQLite: the baseline PostgreSQL should not fall behind;
  (b) PostgreSQL with the old engine: SQLAlchemy's pool of 5 + 10 overflow, a ping per checkout;
  (c) PostgreSQL with the old pool size but no ping (the ping's share);
  (d) PostgreSQL with the app's engine (meetings_ui/db.py): a pool sized to the threads.

Run: .venv/bin/python -m bench.pool [--url postgresql://postgres@127.0.0.1:5432/postgres]
     [--threads 40] [--requests 4000] [--repeat 3]
It creates (and drops) a scratch PostgreSQL database next to the one in --url.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time as clock
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from meetings_ui.db import DEFAULT_POOL_SIZE, POOL_OVERFLOW, engine_for
from meetings_ui.services.health import check_health


def requests_per_second(engine: sa.Engine, threads: int, requests: int) -> float:
    """`requests` health checks spread over `threads` threads, each in its own session."""
    per_thread = requests // threads
    start = threading.Barrier(threads + 1)

    def work() -> None:
        start.wait()
        for _ in range(per_thread):
            with Session(engine, expire_on_commit=False) as session:
                assert check_health(session=session)["status"] == "ok"

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = clock.perf_counter()
    for worker in workers:
        worker.join()
    return per_thread * threads / (clock.perf_counter() - began)


def best(make_engine: Callable[[], sa.Engine], threads: int, requests: int, repeat: int) -> float:
    engine = make_engine()
    try:
        requests_per_second(engine, threads, threads * 5)  # warm up: connect, compile
        return max(requests_per_second(engine, threads, requests) for _ in range(repeat))
    finally:
        engine.dispose()


def _migrated(url: str) -> str:
    from tests.conftest import migrate

    migrate(url)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pool")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--threads", type=int, default=40)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    server = sa.make_url(args.url).set(drivername="postgresql+psycopg")
    name = f"meetings_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    postgres = _migrated(server.set(database=name).render_as_string(hide_password=False))
    try:
        with tempfile.TemporaryDirectory() as directory:
            sqlite = _migrated(f"sqlite:///{Path(directory) / 'bench.db'}")
            run = (args.threads, args.requests, args.repeat)
            figures = {
                "(a) SQLite (baseline)": best(lambda: engine_for.__wrapped__(sqlite), *run),
                "(b) PostgreSQL, old: pool 5+10, ping": best(
                    lambda: sa.create_engine(postgres, pool_pre_ping=True), *run
                ),
                "(c) PostgreSQL, pool 5+10, no ping": best(
                    lambda: sa.create_engine(postgres), *run
                ),
                f"(d) PostgreSQL, app: pool {DEFAULT_POOL_SIZE}+{POOL_OVERFLOW}": best(
                    lambda: engine_for.__wrapped__(postgres), *run
                ),
            }
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    print(
        f"/health use case, {args.threads} threads, {args.requests} requests, best of {args.repeat}"
    )
    for label, rate in figures.items():
        print(f"  {label:<44} {rate:8.0f} requests/s")
    baseline = figures["(a) SQLite (baseline)"]
    old, new = list(figures.values())[1], list(figures.values())[3]
    print(f"  app / old PostgreSQL engine                  {new / old:8.2f} x")
    print(f"  app PostgreSQL / SQLite                      {new / baseline:8.2f} x")


if __name__ == "__main__":
    main()
