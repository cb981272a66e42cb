"""Fixtures: the provider sandbox on a real port, and helpers that drive its consent page
over HTTP as a person would."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from meetings_ui.config import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, get_settings
from meetings_ui.providers.google import GoogleConnector, GoogleEndpoints
from meetings_ui.providers.microsoft import MicrosoftConnector, MicrosoftEndpoints
from meetings_ui.providers.retry import RetryPolicy
from meetings_ui.sandbox.app import build_sandbox_app
from meetings_ui.sandbox.store import SandboxStore, seed_demo_data

REDIRECT_URI = "http://127.0.0.1:9/oauth/callback"  # the tests' own registered callback
CONTROL_TOKEN = "test-sandbox-control-token"


def pytest_configure(config: pytest.Config) -> None:
    """The sandbox stands in for Google and Microsoft in every test: turn the setting on
    (it is off by default), with the control token this harness sends."""
    os.environ["MEETINGS_SANDBOX"] = "1"
    os.environ["MEETINGS_SANDBOX_TOKEN"] = CONTROL_TOKEN


def registered_callbacks(provider: str) -> set[str]:
    """The test client's callback, and the app's own as the current settings have it."""
    return {REDIRECT_URI, get_settings().oauth_callback_url(provider)}


def control(sandbox_url: str, method: str, endpoint: str, /, **json: object) -> dict:
    """Call the control API of the sandbox at `sandbox_url`, with its token."""
    response = requests.request(
        method,
        f"{sandbox_url}/control{endpoint}",
        json=json or None,
        headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json() if response.content else {}


@dataclass
class Sandbox:
    url: str
    store: SandboxStore
    sleeps: list[float] = field(default_factory=list)

    def control(self, method: str, endpoint: str, /, **json: object) -> dict:
        return control(self.url, method, endpoint, **json)

    def fault(self, **json: object) -> None:
        self.control("POST", "/faults", **json)

    def retry(self) -> RetryPolicy:
        return RetryPolicy(attempts=4, base_delay=0.01, sleep=self.sleeps.append)

    def google(self, timeout: float = 10.0) -> GoogleConnector:
        return GoogleConnector(
            client_id=SANDBOX_CLIENT_ID,
            client_secret=SANDBOX_CLIENT_SECRET,
            endpoints=GoogleEndpoints.sandbox(self.url),
            retry=self.retry(),
            timeout=timeout,
        )

    def microsoft(self, timeout: float = 10.0) -> MicrosoftConnector:
        return MicrosoftConnector(
            client_id=SANDBOX_CLIENT_ID,
            client_secret=SANDBOX_CLIENT_SECRET,
            endpoints=MicrosoftEndpoints.sandbox(self.url),
            retry=self.retry(),
            timeout=timeout,
        )


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.accounts: list[str] = []
        self.ticked: list[str] = []  # checkboxes ticked by default (Google's scopes)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden":
            self.hidden[attributes["name"] or ""] = attributes.get("value") or ""
        if tag == "input" and attributes.get("name") == "account":
            self.accounts.append(attributes.get("value") or "")
        if tag == "input" and attributes.get("type") == "checkbox" and "checked" in attributes:
            self.ticked.append(attributes.get("value") or "")


def consent(
    auth_url: str,
    account: str,
    decision: str = "allow",
    redirect_uri: str = REDIRECT_URI,
    untick: tuple[str, ...] = (),
) -> dict[str, str]:
    """Do what a person does on the consent page: pick the account, untick the scopes in
    `untick` (Google's granular consent), press Allow or Deny. Returns the query
    parameters the provider sends back to our redirect URI."""
    page = requests.get(auth_url, timeout=10)
    page.raise_for_status()
    form = _FormReader()
    form.feed(page.text)
    assert account in form.accounts, f"{account} is not offered on the consent page"
    answer = requests.post(
        auth_url.split("?")[0],
        data={
            **form.hidden,
            "account": account,
            "decision": decision,
            "granted_scope": [scope for scope in form.ticked if scope not in untick],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(redirect_uri)
    return dict(parse_qsl(urlsplit(location).query))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Sandbox]:
    store = SandboxStore()
    sandbox = build_sandbox_app(
        store, redirect_uris=registered_callbacks, control_token=CONTROL_TOKEN, seed=False
    )
    app = Starlette(routes=[Mount("/_sandbox", app=sandbox)])
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the sandbox did not start"
        time.sleep(0.05)
    yield Sandbox(f"http://127.0.0.1:{port}/_sandbox", store)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Sandbox:
    """The sandbox with fresh demo data, no faults and no recorded sleeps."""
    sandbox_server.store.reset()
    seed_demo_data(sandbox_server.store)
    sandbox_server.sleeps.clear()
    return sandbox_server
