"""Load on the booking page's websocket: N simulated prospects against the production server.

Each prospect is a python-socketio client speaking Reflex's event protocol to `/_event`,
as the browser's `state.js` does: the socket.io CONNECT packet carries the hydrate event
(`hydrate_and_load`, with the router data of the booking page, the hashes of the
compiled defaults and the browser's time zone as the page's head script leaves it in
localStorage), the page's `on_load` runs, and the prospect waits for the delta that
shows the month's days ("page ready"). Once every prospect of the wave has its page (so
the events are measured on a server holding N open pages, not among their openings), each
picks a few days and times:
`choose_day`, `choose_time`, `back_to_times`, and an echo (`set_name`: one var set, no
service called: the baseline event of the same state under the same load). State, var
and event names come from the Python classes, so a renamed handler fails here loudly.

Baselines in the same run: GET /health and the echo event on the idle server, then
GET /health polled during each wave. Reported per wave: page-ready and per-event
p50/p95/p99, errors, provider requests (the sandbox's count), the CPU seconds of the
server's processes and of this load client (which shares the machine).

Every prospect is a python-socketio asyncio client (over aiohttp) on one event loop in
this process: a tab costs the client a coroutine and a socket, not threads. The client's
CPU is printed so that a saturated client can be told from a slow server.

Run: .venv/bin/python -m bench.ws_load --prospects 50 200 [--ramp 0 60] [--workers 1]
     [--redis redis://127.0.0.1:6379/7] [--database sqlite|postgresql] [--french 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import itertools
import json
import math
import os
import random
import re
import tempfile
import time
import uuid
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import socketio
import sqlalchemy as sa

from bench import sampler
from bench.servers import (
    POSTGRES,
    App,
    HealthProbe,
    bare_reflex_app,
    database,
    fake_ip,
    idle_health,
    line,
    machine,
    own_cpu_seconds,
    percentiles,
    production_app,
    seed,
    state_manager_env,
    state_manager_name,
)

NAMESPACE = "/_event"
ZONE = "Europe/Paris"  # every simulated browser's
_CALLBACK = re.compile(r'ReflexEvent\("([^"]+)",\s*\{(\w+):_result\}')
PROSPECTS_PER_LINK = 100  # the per-link slots limit is 600/minute: waves stay well under it
_next_ip = itertools.count(1)


# --- the protocol, from the app's classes ----------------------------------------------------


class Protocol:
    """Names of the root and booking states, their events and vars, as the compiled
    frontend sends and receives them."""

    def __init__(self) -> None:
        from reflex.state import State, _resolve_delta, state_snapshot_hashes
        from reflex_base.constants import CompileVars

        import meetings_ui.meetings_ui  # noqa: F401  (every page's state, as the frontend has)
        from meetings_ui.pages.booking import BookingState

        self.state = BookingState
        self.booking = BookingState.get_full_name()
        self.boot_name = f"{State.get_full_name()}.{CompileVars.HYDRATE_AND_LOAD}"
        # The hashes the compiled frontend sends on a first connect: the backend then only
        # sends what differs from the defaults the page already holds.
        snapshot = asyncio.run(_resolve_delta(State(_reflex_internal_init=True).dict(initial=True)))
        self.hashes = state_snapshot_hashes(snapshot)

    def var(self, name: str) -> str:
        """The key of a var in a delta (`cells_rx_state_`)."""
        return getattr(self.state, name)._js_expr.rpartition(".")[2]

    def event(self, handler_name: str, *args: object) -> tuple[str, dict[str, object]]:
        handler = self.state.event_handlers[handler_name]
        parameters = list(inspect.signature(handler.fn).parameters)[1:]
        return f"{self.booking}.{handler_name}", dict(zip(parameters, args, strict=True))


# --- one prospect ------------------------------------------------------------------------------


@dataclass
class Outcome:
    ready: float | None = None  # seconds from the start of the connect to the days shown
    connected: float | None = None
    events: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    error: str = ""
    french: bool = False
    bytes_to_ready: int = 0  # of JSON received until ready (sampled prospects only)
    bytes_per_event: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


class Tab:
    """One browser tab's websocket: the deltas of one state as the page holds them, events
    sent and timed until the page shows their effect. A coroutine on the client's loop."""

    def __init__(self, url: str, state: str, path: str, query: dict[str, str]) -> None:
        self.url, self.state = url, state
        self.router_data = {"pathname": path, "asPath": path, "query": query}
        self.view: dict[str, Any] = {}  # the state's vars as the page holds them
        self.changed: asyncio.Condition | None = None
        self.client: socketio.AsyncClient | None = None
        self.sample = False
        self.received = 0
        self.outcome = Outcome()
        self.timeout = 120.0

    async def _on_update(self, update: dict) -> None:
        if self.sample:
            self.received += len(json.dumps(update))
        delta = (update.get("delta") or {}).get(self.state)
        assert self.changed is not None
        async with self.changed:
            if delta:
                self.view.update(delta)
            self.changed.notify_all()

    async def _emit(self, name: str, payload: dict) -> None:
        assert self.client is not None
        await self.client.emit(
            "event",
            {"name": name, "payload": payload, "router_data": self.router_data},
            namespace=NAMESPACE,
        )

    async def _wait(self, done: Any, deadline: float) -> bool:
        assert self.changed is not None
        async with self.changed:
            try:
                await asyncio.wait_for(
                    self.changed.wait_for(done), max(0.0, deadline - time.perf_counter())
                )
            except TimeoutError:
                return False
        return True

    async def _timed(self, label: str, name: str, payload: dict, done: Any) -> None:
        began, before = time.perf_counter(), self.received
        await self._emit(name, payload)
        if not await self._wait(done, began + self.timeout):
            raise TimeoutError(f"{label}: no answer in {self.timeout:.0f} s")
        self.outcome.events[label].append(time.perf_counter() - began)
        if self.sample:
            self.outcome.bytes_per_event[label].append(self.received - before)

    async def _connect(
        self, http: aiohttp.ClientSession, boot: dict, headers: dict[str, str], began: float
    ) -> None:
        self.changed = asyncio.Condition()
        self.client = socketio.AsyncClient(
            reconnection=False,
            http_session=http,
            websocket_extra_options={"origin": self.url},
            handle_sigint=False,
        )
        self.client.on("event", self._on_update, namespace=NAMESPACE)
        await self.client.connect(
            f"{self.url}?token={uuid.uuid4()}",
            headers=headers,
            auth={"event": boot | {"router_data": self.router_data}},
            transports=["websocket"],
            namespaces=[NAMESPACE],
            socketio_path="_event",
            wait_timeout=self.timeout,
        )
        self.outcome.connected = time.perf_counter() - began

    async def run(self, http: aiohttp.ClientSession, all_open: asyncio.Barrier) -> Outcome:
        raise NotImplementedError

    async def close(self) -> None:
        if self.client is not None:
            with suppress(Exception):  # the socket may be gone already
                await self.client.disconnect()


class Prospect(Tab):
    """One simulated browser tab on one booking page. Before the zone came with the first
    event (bench/README.md), the page asked the browser for it with `call_script`: that
    is answered too, so that the same script measures the earlier code."""

    def __init__(
        self,
        protocol: Protocol,
        url: str,
        slug: str,
        *,
        french: bool,
        picks: int,
        timeout: float,
        sample: bool,
        seed_value: int,
    ) -> None:
        path = f"/meetings/{slug}"
        super().__init__(url, protocol.booking, path, {"slug": slug})
        self.p = protocol
        self.french, self.picks, self.timeout, self.sample = french, picks, timeout, sample
        self.random = random.Random(seed_value)
        self.ip = fake_ip(next(_next_ip))
        self.outcome.french = french

    def _get(self, var: str) -> Any:
        return self.view.get(self.p.var(var))

    async def _on_update(self, update: dict) -> None:
        await super()._on_update(update)
        for event in update.get("events") or []:
            if event.get("name") == "_call_script":
                callback = (event.get("payload") or {}).get("callback") or ""
                if found := _CALLBACK.search(callback):
                    await self._emit(found[1], {found[2]: ZONE})

    async def _event(self, label: str, handler: str, arg: object, done: Any) -> None:
        name, payload = self.p.event(handler, *(() if arg is None else (arg,)))
        await self._timed(label, name, payload, done)

    def _ready(self) -> bool:
        if self._get("not_found") or self._get("limited"):
            raise RuntimeError(f"page refused: {self._get('limited') or 'not found'}")
        cells = self._get("cells") or []
        return bool(
            self._get("opened") and not self._get("loading") and any(c["available"] for c in cells)
        )

    async def run(self, http: aiohttp.ClientSession, all_open: asyncio.Barrier) -> Outcome:
        """Open the page; once every prospect of the wave has (or has failed), pick: the
        events are measured on a server holding N open pages, not among their openings."""
        began = time.perf_counter()
        try:
            try:
                await self._open(http, began)
            finally:
                await all_open.wait()
            for number in range(self.picks):
                await self._pick(number)
        except Exception as error:  # counted and shown: the wave goes on
            self.outcome.error = f"{type(error).__name__}: {error}"[:160]
        finally:
            await self.close()
        return self.outcome

    async def _open(self, http: aiohttp.ClientSession, began: float) -> None:
        boot = {"name": self.p.boot_name, "payload": {"hashes": self.p.hashes}}
        if hasattr(self.p.state, "browser_zone"):
            # The browser's zone, as the page's head script left it in localStorage.
            boot["payload"]["vars"] = {f"{self.p.booking}.{self.p.var('browser_zone')}": ZONE}
        headers = {
            "X-Forwarded-For": self.ip,
            "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5" if self.french else "en-GB,en;q=0.9",
            "User-Agent": "bench.ws_load",
        }
        await self._connect(http, boot, headers, began)
        if not await self._wait(self._ready, began + self.timeout):
            raise TimeoutError(f"page not ready in {self.timeout:.0f} s")
        self.outcome.ready = time.perf_counter() - began
        self.outcome.bytes_to_ready = self.received

    async def _pick(self, number: int) -> None:
        days = [c["iso"] for c in self._get("cells") if c["available"]]
        day = self.random.choice(days)
        await self._event(
            "choose_day", "choose_day", day, lambda: self._get("day") == day and self._get("times")
        )
        start = self.random.choice(self._get("times"))["start"]
        await self._event("choose_time", "choose_time", start, lambda: self._get("start") == start)
        await self._event("back_to_times", "back_to_times", None, lambda: self._get("start") == "")
        echo = f"prospect {self.ip} {number}"
        await self._event("echo (set_name)", "set_name", echo, lambda: self._get("name") == echo)


class BareTab(Tab):
    """A tab on bench/bare_app: connects (hydrates a one-var state), then, once every tab
    of the wave has, sends `echoes` set_name events one after another."""

    STATE = "reflex___state____state.bare_app___bare_app____echo_state"

    def __init__(self, url: str, echoes: int, timeout: float) -> None:
        super().__init__(url, self.STATE, "/", {})
        self.echoes, self.timeout = echoes, timeout

    async def run(self, http: aiohttp.ClientSession, all_open: asyncio.Barrier) -> Outcome:
        began = time.perf_counter()
        try:
            try:
                boot = {"name": "reflex___state____state.hydrate_and_load", "payload": {}}
                await self._connect(http, boot, {"User-Agent": "bench.ws_load"}, began)
                if not await self._wait(lambda: "name_rx_state_" in self.view, began + 60):
                    raise TimeoutError("not hydrated in 60 s")
                self.outcome.ready = time.perf_counter() - began
            finally:
                await all_open.wait()
            for number in range(self.echoes):
                echo = f"bare {id(self)} {number}"
                await self._timed(
                    "echo",
                    f"{self.STATE}.set_name",
                    {"value": echo},
                    lambda e=echo: self.view.get("name_rx_state_") == e,
                )
        except Exception as error:  # counted and shown
            self.outcome.error = f"{type(error).__name__}: {error}"[:160]
        finally:
            await self.close()
        return self.outcome


def client_session() -> aiohttp.ClientSession:
    """One HTTP session for every simulated tab: no cap on open connections."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))


# --- a wave of prospects ------------------------------------------------------------------------


@dataclass
class Wave:
    outcomes: list[Outcome]
    wall: float
    client_cpu: float
    server_cpu: dict[int, float]  # per process
    provider_requests: int
    health: list[float]
    health_errors: int


def prospects(
    protocol: Protocol,
    app: App,
    slugs: list[str],
    count: int,
    *,
    french: float,
    picks: int,
    timeout: float,
) -> list[Prospect]:
    """`count` prospects spread over the links, the first `french` share French."""
    return [
        Prospect(
            protocol,
            app.url,
            slugs[i % len(slugs)],
            french=i < round(count * french),
            picks=picks,
            timeout=timeout,
            sample=i % max(1, count // 5) == 0,
            seed_value=i,
        )
        for i in range(count)
    ]


def wave(app: App, tabs: list[Tab], *, ramp: float) -> Wave:
    """The tabs, all at once (ramp 0) or started evenly over `ramp` seconds."""
    if app.sandbox_url:
        app.control("DELETE", "/requests")
    server_before, client_before = app.cpu_seconds(), own_cpu_seconds()
    began = time.perf_counter()

    async def start(
        tab: Tab, index: int, http: aiohttp.ClientSession, all_open: asyncio.Barrier
    ) -> Outcome:
        if ramp:
            await asyncio.sleep(max(0.0, began + ramp * index / len(tabs) - time.perf_counter()))
        return await tab.run(http, all_open)

    async def everyone() -> list[Outcome]:
        all_open = asyncio.Barrier(len(tabs))
        async with client_session() as http:
            return await asyncio.gather(
                *(start(tab, i, http, all_open) for i, tab in enumerate(tabs))
            )

    with HealthProbe(app.url, "/health" if app.sandbox_url else "/ping") as probe:
        outcomes = asyncio.run(everyone())
    wall = time.perf_counter() - began
    return Wave(
        outcomes=outcomes,
        wall=wall,
        client_cpu=own_cpu_seconds() - client_before,
        server_cpu={
            pid: seconds - server_before.get(pid, 0.0) for pid, seconds in app.cpu_seconds().items()
        },
        provider_requests=app.control("GET", "/requests")["total"] if app.sandbox_url else 0,
        health=probe.latencies,
        health_errors=probe.errors,
    )


def forget_busy_time() -> None:
    """Empty the busy-time cache (services/busy_cache.py) of the server's database."""
    engine = sa.create_engine(os.environ["DATABASE_URL"])
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM busy_cache"))
    finally:
        engine.dispose()


def report(title: str, result: Wave) -> None:
    outcomes = result.outcomes
    errors = [o.error for o in outcomes if o.error]
    print(f"\n{title}")
    print(line("baseline: GET /health during the wave", result.health))
    connected = [o.connected for o in outcomes if o.connected]
    print(line("connected (socket.io CONNECT answered)", connected))
    print(line("page ready (the month's days shown)", [o.ready for o in outcomes if o.ready]))
    labels = sorted({label for o in outcomes for label in o.events})
    for label in labels:
        print(line(label, [t for o in outcomes for t in o.events[label]]))
    print(f"  errors                                 {len(errors)} of {len(outcomes)} prospects")
    for message, count in sorted(_count(errors).items(), key=lambda kv: -kv[1])[:5]:
        print(f"    {count} x {message}")
    sampled = [o for o in outcomes if o.bytes_to_ready]
    for french in (False, True):
        if sizes := [o.bytes_to_ready for o in sampled if o.french == french]:
            kb = sum(sizes) / len(sizes) / 1024
            who = "French" if french else "English"
            print(f"  JSON received until ready, {who:<8}   {kb:8.1f} KB per prospect (sample)")
    if sampled:
        for label in labels:
            sizes = [b for o in sampled for b in o.bytes_per_event[label]]
            if sizes:
                print(f"    per {label:<32} {sum(sizes) / len(sizes) / 1024:8.1f} KB")
    print(f"  provider requests (sandbox)            {result.provider_requests}")
    print(
        f"  wall {result.wall:.1f} s; CPU seconds: server {_cpu_text(result.server_cpu)}, "
        f"load client {result.client_cpu:.1f} "
        f"({result.client_cpu / result.wall:.2f} cores); health errors {result.health_errors}"
    )


def report_bare(result: Wave, app_wave: Wave) -> None:
    """The bare app's wave under the app's: the floor of the same tabs and events."""
    outcomes = result.outcomes
    errors = [o.error for o in outcomes if o.error]
    hydrated = [o.ready for o in outcomes if o.ready]
    echoes = [t for o in outcomes for t in o.events["echo"]]
    print("  baseline: the bare Reflex app (one state, one event), the same tabs and events")
    print(line("  connected and hydrated", hydrated))
    print(line("  echo (set_name)", echoes))
    print(
        f"    errors {len(errors)}; wall {result.wall:.1f} s; CPU seconds: server "
        f"{_cpu_text(result.server_cpu)}, load client {result.client_cpu:.1f}"
    )
    ready = [o.ready for o in app_wave.outcomes if o.ready]
    if hydrated and ready:
        print(f"  page ready p95 / bare hydrated p95      {_p95(ready) / _p95(hydrated):8.1f} x")
    for label in sorted({label for o in app_wave.outcomes for label in o.events}):
        times = [t for o in app_wave.outcomes for t in o.events[label]]
        if times and echoes:
            print(f"  {label + ' p95 / bare echo p95':<38} {_p95(times) / _p95(echoes):8.1f} x")


def _cpu_text(per_process: dict[int, float]) -> str:
    """ "3.1" for one busy process, "6.0 (2.9 + 3.1)" for several (the supervisor's and the
    launcher's few hundredths left out of the parts)."""
    busy = [seconds for seconds in per_process.values() if seconds >= 0.05]
    total = f"{sum(per_process.values()):.1f}"
    return total if len(busy) < 2 else f"{total} ({' + '.join(f'{s:.1f}' for s in busy)})"


def _p95(values: list[float]) -> float:
    return percentiles(values)[1]


def _count(items: list[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item] += 1
    return counts


def idle_echo(protocol: Protocol, app: App, slug: str, count: int = 30) -> list[float]:
    """The echo event on the idle server, one prospect, `count` times."""
    prospect = Prospect(
        protocol, app.url, slug, french=False, picks=0, timeout=60, sample=False, seed_value=0
    )

    async def echoes() -> list[float]:
        async with client_session() as http:
            await prospect._open(http, time.perf_counter())
            try:
                for number in range(count):
                    echo = f"idle {number}"
                    await prospect._event(
                        "echo", "set_name", echo, lambda e=echo: prospect._get("name") == e
                    )
            finally:
                await prospect.close()
        return prospect.outcome.events["echo"]

    return asyncio.run(echoes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prospects", type=int, nargs="+", default=[50, 200, 500, 1000])
    parser.add_argument("--ramp", type=float, nargs="+", default=[0.0], help="seconds")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--redis", default="", help="REDIS_URL (needed for --workers > 1)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--state-manager",
        choices=["memory", "disk", "redis"],
        help="REFLEX_STATE_MANAGER_MODE (default: Reflex's choice, redis with --redis, else disk)",
    )
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--french", type=float, default=0.5, help="share of French browsers")
    parser.add_argument("--picks", type=int, default=3, help="days picked per prospect")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per step")
    parser.add_argument("--latency", type=int, default=0, help="ms added to provider answers")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra variable for the server (REFLEX_OPLOCK_ENABLED=1, ...); repeatable",
    )
    parser.add_argument(
        "--cold-cache", action="store_true", help="empty the busy-time cache before each wave"
    )
    parser.add_argument(
        "--profile", type=Path, help="sample the server's stacks into DIR (bench/sampler.py)"
    )
    args = parser.parse_args()

    links = max(1, math.ceil(max(args.prospects) / PROSPECTS_PER_LINK))
    with (
        tempfile.TemporaryDirectory() as logs,
        database(args.database, args.postgres) as database_url,
        production_app(
            database_url,
            Path(logs),
            workers=args.workers,
            redis_url=args.redis or None,
            profile_to=args.profile,
            extra_env=state_manager_env(args.state_manager)
            | dict(item.split("=", 1) for item in args.env),
        ) as app,
        bare_reflex_app(
            Path(logs),
            workers=args.workers,
            redis_url=args.redis or None,
            extra_env=state_manager_env(args.state_manager)
            | dict(item.split("=", 1) for item in args.env),
        ) as bare,
    ):
        hosts = seed(links)
        app.control("PUT", "/settings", latency_ms=args.latency)
        protocol = Protocol()
        print(f"machine: {machine()}")
        print(
            f"production server: {args.workers} worker(s), {args.database}, "
            f"state manager {state_manager_name(args.state_manager, args.redis)}; "
            f"{links} link(s) of the connected host; provider latency {args.latency} ms; "
            f"{args.french:.0%} French browsers; {args.picks} picks per prospect"
            + (f"; {' '.join(args.env)}" if args.env else "")
        )
        print("\nidle server")
        print(line("baseline: GET /health", idle_health(app.url)))
        print(line("baseline: echo event (set_name)", idle_echo(protocol, app, hosts.connected[0])))
        for count in args.prospects:
            for ramp in args.ramp:
                how = f"ramp {ramp:.0f} s" if ramp else "all at once"
                how += ", busy-time cache emptied first" if args.cold_cache else ""
                if args.cold_cache:
                    forget_busy_time()
                tabs = prospects(
                    protocol,
                    app,
                    hosts.connected,
                    count,
                    french=args.french,
                    picks=args.picks,
                    timeout=args.timeout,
                )
                result = wave(app, tabs, ramp=ramp)
                report(f"N={count} prospects, {how}", result)
                echoes = max(1, args.picks * 4)  # as many events as a prospect's picks
                bare_tabs = [BareTab(bare.url, echoes, args.timeout) for _ in range(count)]
                report_bare(wave(bare, bare_tabs, ramp=ramp), result)
        if args.profile:
            time.sleep(sampler.WRITE_EVERY * 2)
            sampler.report(args.profile, exclude=app.server.pid, top=40)


if __name__ == "__main__":
    main()
