"""The client's IP behind proxies: only the right-most MEETINGS_TRUSTED_PROXY_HOPS entries
of X-Forwarded-For are believed; whatever a client writes further left never is."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from meetings_ui.client_ip import client_ip
from meetings_ui.config import get_settings
from meetings_ui.state.auth import visitor_ip


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch):
    def set_hops(value: int) -> None:
        monkeypatch.setenv("MEETINGS_TRUSTED_PROXY_HOPS", str(value))
        get_settings.cache_clear()

    yield set_hops
    monkeypatch.delenv("MEETINGS_TRUSTED_PROXY_HOPS")
    get_settings.cache_clear()


def test_without_trusted_proxies_the_header_is_ignored(hops) -> None:
    hops(0)
    assert client_ip("203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_default_is_no_trusted_proxy() -> None:
    assert get_settings().trusted_proxy_hops == 0
    assert client_ip("203.0.113.7", "198.51.100.1") == "203.0.113.7"


@pytest.mark.parametrize(
    ("forwarded_for", "trusted_hops", "expected"),
    [
        ("198.51.100.1", 1, "198.51.100.1"),  # what our one proxy saw
        ("6.6.6.6, 198.51.100.1", 1, "198.51.100.1"),  # a spoofed left-most entry
        ("6.6.6.6,198.51.100.1, 10.0.0.2", 2, "198.51.100.1"),  # two proxies
        ("", 1, "10.0.0.1"),  # no header: the peer
        ("198.51.100.1", 2, "10.0.0.1"),  # fewer entries than proxies: the peer
        (" , ,", 1, "10.0.0.1"),
    ],
)
def test_right_most_entries_only(forwarded_for: str, trusted_hops: int, expected: str) -> None:
    assert client_ip("10.0.0.1", forwarded_for, trusted_hops=trusted_hops) == expected


def test_the_setting_is_read(hops) -> None:
    hops(1)
    assert client_ip("10.0.0.1", "6.6.6.6, 198.51.100.1") == "198.51.100.1"


def test_the_setting_refuses_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    from meetings_ui.config import ConfigurationError, load_settings

    monkeypatch.setenv("MEETINGS_TRUSTED_PROXY_HOPS", "-1")
    with pytest.raises(ConfigurationError, match="MEETINGS_TRUSTED_PROXY_HOPS"):
        load_settings()


def _router(peer: str, forwarded_for: str | None) -> SimpleNamespace:
    headers = {"x-forwarded-for": forwarded_for} if forwarded_for is not None else {}
    return SimpleNamespace(
        session=SimpleNamespace(client_ip=peer), headers=SimpleNamespace(raw_headers=headers)
    )


def test_reflex_events_use_the_same_rule(hops) -> None:
    hops(0)
    assert visitor_ip(_router("203.0.113.7", "1.2.3.4")) == "203.0.113.7"
    hops(1)
    assert visitor_ip(_router("10.0.0.1", "1.2.3.4, 198.51.100.1")) == "198.51.100.1"
    assert visitor_ip(_router("10.0.0.1", None)) == "10.0.0.1"
