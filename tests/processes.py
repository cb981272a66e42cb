"""Servers started as real processes (the production build, the sandbox on its own), for
the production browser test and the booking page benchmark alike."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import requests


class ServerDidNotStartError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(
    url: str,
    process: subprocess.Popen,
    log: Path,
    timeout: float,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Poll `url` until it answers 200; fail with the end of the server's log if the
    process stops or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStartError(
                f"the server stopped ({process.returncode}):\n{log.read_text()[-4000:]}"
            )
        try:
            if requests.get(url, headers=dict(headers or {}), timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(2)
    raise ServerDidNotStartError(f"{url} did not answer in {timeout} s:\n{log.read_text()[-4000:]}")


def stop_group(process: subprocess.Popen) -> None:
    """The process group a server was started in (make, reflex and its workers)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
