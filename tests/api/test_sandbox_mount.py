"""The provider sandbox is served only when MEETINGS_SANDBOX turns it on; then its control
API needs its token and takes no regular expressions, and its consent page sends codes
only to the app's registered callbacks. Each attack of issue 11 (item 2) is performed here
and now fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from meetings_ui.backend import build_backend
from meetings_ui.config import SANDBOX_CLIENT_ID, get_settings
from meetings_ui.domain.enums import Provider
from meetings_ui.sandbox.store import glob_match
from tests.sandbox import CONTROL_TOKEN

AUTHORIZE = {
    Provider.GOOGLE: "/_sandbox/google/o/oauth2/auth",
    Provider.MICROSOFT: "/_sandbox/microsoft/common/oauth2/v2.0/authorize",
}
CONTROL = {"Authorization": f"Bearer {CONTROL_TOKEN}"}
EVIL = "https://evil.example.net/steal"


@pytest.fixture
def settings_reset() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def backend(settings_reset: None) -> TestClient:
    """The backend as the tests configure it: sandbox on, with the control token."""
    return TestClient(build_backend(), follow_redirects=False)


def authorize_params(provider: Provider, redirect_uri: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": SANDBOX_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "code_challenge": "abc",
        "code_challenge_method": "S256",
        "scope": "openid",
        "state": "st",
    }


def test_the_sandbox_is_off_unless_turned_on(
    settings_reset: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: a Google-only deployment served a fake Office 365 consent page and the
    control API. Without MEETINGS_SANDBOX there is no /_sandbox at all."""
    monkeypatch.delenv("MEETINGS_SANDBOX")
    monkeypatch.setenv("GOOGLE_CLIENT_ID", "configured")
    monkeypatch.setenv("GOOGLE_CLIENT_SECRET", "configured")
    get_settings.cache_clear()
    client = TestClient(build_backend())
    assert client.get("/_sandbox/control/state", headers=CONTROL).status_code == 404
    microsoft = authorize_params(
        Provider.MICROSOFT, get_settings().oauth_callback_url(Provider.MICROSOFT)
    )
    assert client.get(AUTHORIZE[Provider.MICROSOFT], params=microsoft).status_code == 404


def test_turned_on_it_serves_both_providers_and_the_seeded_accounts(backend: TestClient) -> None:
    state = backend.get("/_sandbox/control/state", headers=CONTROL).json()
    assert {a["provider"] for a in state["accounts"]} == {"google", "microsoft"}
    assert state["events"] > 0  # seeded this week and next
    for provider, path in AUTHORIZE.items():
        callback = get_settings().oauth_callback_url(provider)
        consent = backend.get(path, params=authorize_params(provider, callback))
        assert consent.status_code == 200
        assert "Provider sandbox" in consent.text


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": CONTROL_TOKEN}],
    ids=["none", "wrong", "not-bearer"],
)
def test_the_control_api_needs_its_token(backend: TestClient, headers: dict[str, str]) -> None:
    """The attack: anyone revoked accounts, expired tokens or injected faults."""
    for method, path in [
        ("GET", "/state"),
        ("POST", "/reset"),
        ("POST", "/tokens/expire"),
        ("POST", "/accounts/google/demo.google@example.com/revoke"),
        ("DELETE", "/faults"),
    ]:
        answer = backend.request(method, f"/_sandbox/control{path}", headers=headers)
        assert answer.status_code == 401, path
        assert answer.headers["www-authenticate"].startswith("Bearer")
    refused = backend.post(
        "/_sandbox/control/faults", json={"path": "*", "status": 503}, headers=headers
    )
    assert refused.status_code == 401
    assert backend.get("/_sandbox/control/state", headers=CONTROL).json()["faults"] == 0


def test_without_a_token_the_control_api_is_not_served(
    settings_reset: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEETINGS_SANDBOX_TOKEN")
    get_settings.cache_clear()
    client = TestClient(build_backend())
    assert client.get("/_sandbox/control/state").status_code == 404
    assert (
        client.get("/_sandbox/control/state", headers={"Authorization": "Bearer "}).status_code
        == 404
    )


def test_a_fault_path_is_a_glob_never_a_regular_expression(backend: TestClient) -> None:
    """The attack: the fault path `(a+)+$` was searched as a regex in every request's path,
    and a path of many a's froze the event loop. Now it is plain text to match whole."""
    queued = backend.post(
        "/_sandbox/control/faults",
        json={"provider": "any", "path": "(a+)+$", "status": 503},
        headers=CONTROL,
    )
    assert queued.status_code == 201
    answer = backend.get("/_sandbox/google/" + "a" * 24 + "!")
    assert answer.status_code == 404  # an unknown path, answered at once: no fault matched
    assert backend.get("/_sandbox/control/state", headers=CONTROL).json()["faults"] == 1
    assert glob_match("(a+)+$", "(a+)+$")  # the characters stand for themselves
    assert not glob_match(".*", "/google/token")


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*/calendarList", "/google/calendar/v3/users/me/calendarList", True),
        ("*/events", "/google/calendar/v3/calendars/c1/events", True),
        ("*/events", "/google/calendar/v3/calendars/c1/events/watch", False),
        ("/google/*", "/google/token", True),
        ("/google/*", "/graph/v1.0/me", False),
        ("*/events/*", "/graph/v1.0/me/events/e1", True),
        ("*a*a*a*b", "a" * 40, False),
        ("*", "/anything", True),
        ("/google/token", "/google/token", True),
        ("token", "/google/token", False),  # the whole path, not a part of it
        ("*ab*ba*", "/aba", False),  # pieces may not overlap
    ],
)
def test_glob_rules(pattern: str, path: str, matches: bool) -> None:
    assert glob_match(pattern, path) is matches


def test_a_fault_path_has_a_length_limit(backend: TestClient) -> None:
    for path in ["*" * 201, 5]:
        answer = backend.post("/_sandbox/control/faults", json={"path": path}, headers=CONTROL)
        assert answer.status_code == 400


@pytest.mark.parametrize("provider", list(Provider))
def test_the_consent_page_redirects_only_to_registered_callbacks(
    backend: TestClient, provider: Provider
) -> None:
    """The attack: a consent link naming another site's redirect_uri sent the code, and
    the person, there. Now the provider's error page (redirect_uri_mismatch, AADSTS50011)
    answers both the page and a forged form post, and nothing is redirected."""
    foreign = authorize_params(provider, EVIL)
    page = backend.get(AUTHORIZE[provider], params=foreign)
    assert page.status_code == 400
    assert ("redirect_uri_mismatch" if provider == Provider.GOOGLE else "AADSTS50011") in page.text
    assert "Allow" not in page.text
    account = (
        "demo.google@example.com" if provider == Provider.GOOGLE else "demo.office@example.com"
    )
    posted = backend.post(
        AUTHORIZE[provider], data={**foreign, "account": account, "decision": "allow"}
    )
    assert posted.status_code == 400
    assert "location" not in posted.headers
    # a callback of the app, but for the other provider, is not this provider's either
    other = next(p for p in Provider if p != provider)
    crossed = authorize_params(provider, get_settings().oauth_callback_url(other))
    assert backend.get(AUTHORIZE[provider], params=crossed).status_code == 400
    # the app's own callback still works
    callback = get_settings().oauth_callback_url(provider)
    allowed = backend.post(
        AUTHORIZE[provider],
        data={**authorize_params(provider, callback), "account": account, "decision": "allow"},
    )
    assert allowed.status_code == 302
    assert allowed.headers["location"].startswith(callback + "?")
