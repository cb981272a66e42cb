"""Without provider credentials the backend serves the sandbox; with them, it does not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from meetings_ui.backend import build_backend
from meetings_ui.config import get_settings


@pytest.fixture
def settings_reset() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_sandbox_is_mounted_by_default(settings_reset: None) -> None:
    client = TestClient(build_backend())
    state = client.get("/_sandbox/control/state").json()
    providers = {a["provider"] for a in state["accounts"]}
    assert providers == {"google", "microsoft"}
    assert state["events"] > 0  # seeded this week and next
    consent = client.get(
        "/_sandbox/google/o/oauth2/auth",
        params={
            "response_type": "code",
            "client_id": "sandbox-client",
            "redirect_uri": "http://x/cb",
            "code_challenge": "abc",
            "code_challenge_method": "S256",
            "scope": "s",
        },
    )
    assert "Provider sandbox" in consent.text


def test_real_credentials_switch_the_sandbox_off(
    settings_reset: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "GOOGLE_CLIENT_ID",
        "GOOGLE_CLIENT_SECRET",
        "MICROSOFT_CLIENT_ID",
        "MICROSOFT_CLIENT_SECRET",
    ):
        monkeypatch.setenv(name, "configured")
    get_settings.cache_clear()
    assert TestClient(build_backend()).get("/_sandbox/control/state").status_code == 404
