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
Further waves of N prospects (--waves, default 2) then show whether the memory freed is
used again (Python rarely gives freed memory back to the system: a wave that does not grow
the process is the sign that nothing is kept).

Baseline in the same run: the idle server's resident memory (RSS, all its processes).
With Redis, Redis's own `used_memory` and key count are shown too.

Run: .venv/bin/python -m bench.memory [--prospects 50] [--expiry 30]
     [--state-manager memory|disk] [--redis redis://127.0.0.1:6379/7]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import aiohttp
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
from bench.ws_load import Prospect, Protocol, client_session

MB = 1024 * 1024


async def _open_all(
    protocol: Protocol, app: App, slugs: list[str], count: int, http: aiohttp.ClientSession
) -> list[Prospect]:
    """`count` prospects opening the page at once, on this process's event loop."""
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
    began = time.perf_counter()
    results = await asyncio.gather(
        *(prospect._open(http, began) for prospect in prospects), return_exceptions=True
    )
    if failures := [r for r in results if isinstance(r, BaseException)]:
        # counted: the measure goes on with the others
        print(f"  {len(failures)} prospects could not open the page: {failures[0]!r}")
    return prospects


async def _leave(prospects: list[Prospect]) -> None:
    await asyncio.gather(*(prospect.close() for prospect in prospects))


class Meter:
    def __init__(self, app: App, redis_url: str | None, count: int) -> None:
        self.app, self.count = app, count
        self.redis = redis.Redis.from_url(redis_url) if redis_url else None
        self.idle = (0, 0, 0)

    async def start(self) -> None:
        self.idle = await self._take()

    async def _take(self) -> tuple[int, int, int]:
        await asyncio.sleep(2)  # let the server settle (closing sockets, pending tasks)
        if self.redis is None:
            return self.app.rss(), 0, 0
        info = self.redis.info("memory")
        return self.app.rss(), info["used_memory"], self.redis.dbsize()

    async def show(self, label: str) -> None:
        rss, used, keys = await self._take()
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


async def measure(
    protocol: Protocol,
    app: App,
    slugs: list[str],
    count: int,
    expiry: int,
    redis_url: str,
    waves: int,
) -> None:
    async with client_session() as http:
        await _leave(await _open_all(protocol, app, slugs, 2, http))  # modules, caches loaded
        await asyncio.sleep(expiry + 5)
        meter = Meter(app, redis_url or None, count)
        await meter.start()
        await meter.show("baseline: idle")
        for number in range(1, waves + 1):
            prospects = await _open_all(protocol, app, slugs, count, http)
            await meter.show(f"wave {number}: {count} prospects on the page")
            await _leave(prospects)
            await meter.show(f"wave {number}: all left (states kept until expiry)")
            await asyncio.sleep(expiry + 5)
            await meter.show(f"wave {number}: {expiry + 5} s later (states expired)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prospects", type=int, default=50)
    parser.add_argument("--expiry", type=int, default=30, help="seconds of state expiry")
    parser.add_argument("--waves", type=int, default=2, help="waves of prospects, one by one")
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
        print(f"machine: {machine()}")
        print(
            f"production server: 1 worker, {args.database}, "
            f"state manager {state_manager_name(args.state_manager, args.redis)}; state expiry "
            f"{args.expiry} s; {args.prospects} prospects per wave"
        )
        protocol = Protocol()
        asyncio.run(
            measure(
                protocol,
                app,
                hosts.connected,
                args.prospects,
                args.expiry,
                args.redis,
                args.waves,
            )
        )


if __name__ == "__main__":
    main()
