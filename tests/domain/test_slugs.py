"""Slugs (S16): one canonical form whatever a host types, the reserved words, suggestions."""

from __future__ import annotations

import re

import pytest

from meetings_ui import routes
from meetings_ui.config import PROJECT_ROOT
from meetings_ui.domain import slugs


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("DEMO", "demo"),  # case is folded
        ("Demo-Call", "demo-call"),
        ("ｄｅｍｏ", "demo"),  # full-width letters (NFKC)
        ("ﬁle-share", "file-share"),  # a ligature (NFKC)
        ("demo\u200b", "demo"),  # a zero-width space
        ("\ufeffde\u00admo\u200d", "demo"),  # BOM, soft hyphen, zero-width joiner
        ("  demo \t", "demo"),  # surrounding spaces
        ("straße", "strasse"),  # case folding, not just lower()
        ("\u212aelvin", "kelvin"),  # the Kelvin sign is a K
    ],
)
def test_what_a_host_types_becomes_one_canonical_slug(typed: str, canonical: str) -> None:
    assert slugs.canonical_slug(typed) == canonical
    assert slugs.slug_problems(slugs.canonical_slug(typed)) == []


@pytest.mark.parametrize(
    ("typed", "nearest"),
    [
        ("Démo", "demo"),  # precomposed accent
        ("de\u0301mo", "demo"),  # combining accent: NFKC composes it, then it is refused
        ("demo call", "demo-call"),
        ("demo_call", "demo-call"),
        ("demo.call", "demo-call"),
        ("d\u0435mo", "dmo"),  # a Cyrillic "е" that looks Latin: never the same as demo
    ],
)
def test_other_characters_are_refused_with_the_nearest_allowed_slug(
    typed: str, nearest: str
) -> None:
    slug = slugs.canonical_slug(typed)
    assert any(slugs.ALLOWED_CHARACTERS in problem for problem in slugs.slug_problems(slug))
    assert slugs.suggestions(slug, set().__contains__)[0] == nearest


def test_two_spellings_of_one_slug_are_the_same_slug() -> None:
    spellings = ["demo", "DEMO", "Demo", "ｄｅｍｏ", "ＤＥＭＯ", "demo\u200b", "\u200bdemo "]
    assert {slugs.canonical_slug(s) for s in spellings} == {"demo"}
    assert slugs.canonical_slug("de\u0301mo") == slugs.canonical_slug("Démo")  # one refusal


def _first_segments(path: str) -> list[str]:
    """The slug-like words a route takes: its first segment, and its second under
    /meetings, without a leading "_" or "." and without a file extension."""
    parts = [p for p in path.split("/") if p and not p.startswith(("[", "{"))]
    if path.startswith(routes.BOOKING_PREFIX + "/"):
        parts = parts[1:]
    return [parts[0].lstrip("_.").split(".")[0]] if parts else []


ROUTE_PATHS = sorted(
    value
    for name, value in vars(routes).items()
    if name.isupper() and isinstance(value, str) and value.startswith("/")
)
# What browsers, crawlers and the web framework ask every site for.
WELL_KNOWN_PATHS = [
    "/robots.txt",
    "/favicon.ico",
    "/sitemap.xml",
    "/.well-known/security.txt",
    "/manifest.json",
    "/_event",
    "/_upload",
    "/ping",
]


@pytest.mark.parametrize("path", ROUTE_PATHS + WELL_KNOWN_PATHS)
def test_no_slug_can_shadow_a_route_of_the_app(path: str) -> None:
    for word in _first_segments(path):
        assert word in slugs.RESERVED or slugs.slug_problems(word), word
        assert "reserved" in " ".join(slugs.slug_problems(slugs.canonical_slug(word.upper())))


def test_booking_sub_pages_are_reserved() -> None:
    for page in ("booked", "cancel", "reschedule", "invite", "signup", "setup"):
        assert slugs.slug_problems(page) == [f"“{page}” is reserved; choose another."]
    assert slugs.suggestions("booked", set().__contains__) == ["booked-2", "booked-3", "booked-4"]


def test_the_api_document_lists_every_reserved_word() -> None:
    text = (PROJECT_ROOT / "docs" / "api.md").read_text()
    section = text[text.index("- **Reserved**") : text.index("- **Taken**")]
    listed = set(re.findall(r"`([a-z-]+)`", section))
    assert listed == slugs.RESERVED
