"""Memory per connected prospect, and whether it comes back once they leave.

The production server of bench/servers.py (one worker) is measured idle, then with N
prospects of bench/ws_load.py holding the booking page open (the month's days shown),
then after they disconnect, then once their states have expired. Reflex's state manager
is its default without Redis, `disk` (every state tree kept in memory and pickled under
.states/), or `memory` (--state-manager memory), or Redis (--redis: the trees live in
Redis between events). Reflex keeps a tab's state after it disconnects (the tab may come
back) until `redis_token_expiration` seconds after its last event, whichever the manager
(default 3600 s; rxconfig.py does not change it); this run sets it to --expiry seconds
(REFLEX_REDIS_TOKEN_EXPIRATION) so that the expiry can be watched.
A second wave of N prospects then shows whether the memory freed is used again (Python
rarely gives freed memory back to the system: a second wave that does not grow the
process is the sign that nothing is kept).

Baseline in the same run: the idle server's resident memory (RSS, all its processes).
With Redis, Redis's own `used_memory` and key count are shown too.

Run: .venv/bin/python -m bench.memory [--prospects 50] [--expiry 30]
     [--state-manager memory|disk] [--redis redis://127.0.0.1:6379/7]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from contextlib import suppress
from pathlib import Path

import redis

from bench.servers import (
    POSTGRES,
    App,
    database,
    machine,
    production_app,
    seed,
    state_manager_env,
    state_manager_name,
)
from bench.ws_load import Prospect, Protocol

MB = 1024 * 1024


def _open_all(protocol: Protocol, app: App, slugs: list[str], count: int) -> list[Prospect]:
    prospects = [
        Prospect(
            protocol,
            app.url,
            slugs[i % len(slugs)],
            french=i % 2 == 1,
            picks=0,
            timeout=180,
            sample=False,
            seed_value=i,
        )
        for i in range(count)
    ]
    failures: list[str] = []

    def open_one(prospect: Prospect) -> None:
        try:
            prospect._open(time.perf_counter())
        except Exception as error:  # counted: the measure goes on with the others
            failures.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=open_one, args=(p,)) for p in prospects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        print(f"  {len(failures)} prospects could not open the page: {failures[0]}")
    return prospects


def _leave(prospects: list[Prospect]) -> None:
    for prospect in prospects:
        with suppress(Exception):
            prospect.client.disconnect()


class Meter:
    def __init__(self, app: App, redis_url: str | None, count: int) -> None:
        self.app, self.count = app, count
        self.redis = redis.Redis.from_url(redis_url) if redis_url else None
        self.idle = self._take()

    def _take(self) -> tuple[int, int, int]:
        time.sleep(2)  # let the server settle (closing sockets, pending tasks)
        if self.redis is None:
            return self.app.rss(), 0, 0
        info = self.redis.info("memory")
        return self.app.rss(), info["used_memory"], self.redis.dbsize()

    def show(self, label: str) -> None:
        rss, used, keys = self._take()
        grown = (rss - self.idle[0]) / self.count / 1024
        text = (
            f"  {label:<44} server RSS {rss / MB:7.1f} MB  "
            f"({grown:+7.1f} KB per prospect over idle)"
        )
        if self.redis is not None:
            text += (
                f"  Redis {used / MB:6.1f} MB ({(used - self.idle[1]) / self.count / 1024:+6.1f}"
                f" KB per prospect), {keys} keys"
            )
        print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prospects", type=int, default=50)
    parser.add_argument("--expiry", type=int, default=30, help="seconds of state expiry")
    parser.add_argument("--redis", default="", help="REDIS_URL: the states in Redis")
    parser.add_argument("--state-manager", choices=["memory", "disk", "redis"])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres", default=POSTGRES)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as logs,
        database(args.database, args.postgres) as database_url,
        production_app(
            database_url,
            Path(logs),
            redis_url=args.redis or None,
            extra_env={"REFLEX_REDIS_TOKEN_EXPIRATION": str(args.expiry)}
            | state_manager_env(args.state_manager),
        ) as app,
    ):
        hosts = seed(max(1, args.prospects // 100 + 1))
        protocol = Protocol()
        print(f"machine: {machine()}")
        print(
            f"production server: 1 worker, {args.database}, "
            f"state manager {state_manager_name(args.state_manager, args.redis)}; state expiry "
            f"{args.expiry} s; {args.prospects} prospects per wave"
        )
        _leave(_open_all(protocol, app, hosts.connected, 2))  # modules and caches loaded
        time.sleep(args.expiry + 5)
        meter = Meter(app, args.redis or None, args.prospects)
        meter.show("baseline: idle")
        for number in (1, 2):
            prospects = _open_all(protocol, app, hosts.connected, args.prospects)
            meter.show(f"wave {number}: {args.prospects} prospects on the page")
            _leave(prospects)
            meter.show(f"wave {number}: all left (states kept until expiry)")
            time.sleep(args.expiry + 5)
            meter.show(f"wave {number}: {args.expiry + 5} s later (states expired)")


if __name__ == "__main__":
    main()
