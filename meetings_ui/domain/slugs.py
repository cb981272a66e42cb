"""Meeting link slugs and Meetings URLs (S7, S16).

A slug is the last part of a booking link: /meetings/<slug>. It is unique across every
domain (S16): custom.example/meetings/demo and <app domain>/meetings/demo are the same
link, so a slug names one link whichever domain serves it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

MIN_LENGTH = 3
MAX_LENGTH = 60
_ALLOWED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Words that name pages or routes, or that would mislead a prospect.
RESERVED = frozenset(
    {
        "admin", "api", "app", "assets", "auth", "book", "booking", "bookings", "cancel",
        "booked", "contacts", "dashboard", "embed", "health", "help", "login", "logout", "meetings",
        "new", "oauth", "reschedule", "robots", "settings", "signup", "static", "support",
        "_sandbox", "sandbox", "www",
    }
)  # fmt: skip


def slug_from_text(text: str) -> str:
    """A slug-shaped version of any text: 'Zoë's Demo!' → 'zoes-demo'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_LENGTH].rstrip("-")


def slug_problems(slug: str) -> list[str]:
    """What is wrong with `slug`, in words a host can act on; empty when it is fine."""
    if not slug:
        return ["Enter a URL ending."]
    problems = []
    if len(slug) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(slug) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if not _ALLOWED.fullmatch(slug):
        problems.append(
            "Use only lower-case letters, digits and single hyphens between them "
            "(no spaces, accents or other signs)."
        )
    if slug in RESERVED:
        problems.append(f"“{slug}” is reserved; choose another.")
    return problems


def suggestions(base: str, is_taken: Callable[[str], bool], count: int = 3) -> list[str]:
    """Free slugs close to `base`, for when it is taken."""
    stem = slug_from_text(base)[: MAX_LENGTH - 4] or "meeting"
    if len(stem) < MIN_LENGTH:
        stem = f"{stem}-meet"
    found: list[str] = []
    number = 2
    while len(found) < count and number < 1000:
        candidate = f"{stem}-{number}"
        if not slug_problems(candidate) and not is_taken(candidate):
            found.append(candidate)
        number += 1
    return found


def default_link_slug(meetings_url: str, link_name: str, is_taken: Callable[[str], bool]) -> str:
    """The slug a new link gets from the owner's Meetings URL (S7): the URL itself for the
    first link, then the URL followed by the link's name, then a number."""
    candidates = [meetings_url, f"{meetings_url}-{slug_from_text(link_name)}"]
    for candidate in candidates:
        candidate = candidate.strip("-")[:MAX_LENGTH].rstrip("-")
        if not slug_problems(candidate) and not is_taken(candidate):
            return candidate
    return suggestions(candidates[-1], is_taken, count=1)[0]
