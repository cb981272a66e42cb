"""Meeting link slugs and Meetings URLs (S7, S16).

A slug is the last part of a booking link: /meetings/<slug>. It is unique across every
domain (S16): custom.example/meetings/demo and <app domain>/meetings/demo are the same
link, so a slug names one link whichever domain serves it.

Whatever a host types goes through `canonical_slug` first, and only that form is checked,
stored and looked up, so two slugs never differ only by case or Unicode form (the
database's unique index then holds S16 for every form):

- upper case is folded: "DEMO" → "demo" ("Straße" → "strasse");
- compatibility forms are unified (NFKC): full-width "ｄｅｍｏ" → "demo", "ﬁ" → "fi";
- invisible format characters (zero-width space and joiners, soft hyphen, BOM) and
  surrounding spaces are dropped: "demo\u200b" → "demo";
- anything else outside a-z, 0-9 and "-" is refused with words saying what is allowed:
  accents ("démo", typed precomposed or with a combining accent, which NFKC composes),
  other scripts (Cyrillic "а" looks like Latin "a"), spaces, dots, underscores. The refusal
  suggests the nearest allowed slug ("demo").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from meetings_ui.domain.messages import Text

MIN_LENGTH = 3
MAX_LENGTH = 60
_ALLOWED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

ALLOWED_CHARACTERS = Text("lower-case letters a-z, digits 0-9 and single hyphens between them")

# Words that name a page or route of the app, at the top level or under /meetings (a link
# "booked" would hide /meetings/booked), files robots and browsers ask every site for, and
# words that would mislead a prospect. tests/domain/test_slugs.py checks every route in
# routes.py against this list.
RESERVED = frozenset(
    {
        # the app's pages and backend routes
        "admin", "api", "app", "assets", "auth", "brand", "contacts", "dashboard", "embed",
        "forgot-password", "health", "login", "logout", "meetings", "oauth", "reset-password",
        "sandbox", "settings", "setup", "signup", "static", "webhooks",
        # the booking pages' own routes under /meetings
        "book", "booked", "booking", "bookings", "cancel", "invite", "reschedule",
        # the web framework's backend routes (/_event, /_upload, /ping…)
        "event", "upload", "ping",
        # files every site is asked for
        "favicon", "robots", "sitemap", "well-known", "manifest",
        # words of an account or of the operator, which would mislead a prospect
        "about", "account", "billing", "domains", "help", "home", "index", "new", "password",
        "privacy", "register", "sign-in", "sign-up", "signin", "status", "support", "terms",
        "users", "www",
    }
)  # fmt: skip

# Zero-width space and joiners, soft hyphen, byte order mark...: they show nothing.
_INVISIBLE = "Cf"


def canonical_slug(text: str) -> str:
    """The one form of a slug that is checked, stored and looked up (see the module's
    docstring): NFKC case-folded (Unicode's NFKC_Casefold), without invisible characters
    or surrounding spaces. It may still have problems (`slug_problems`)."""
    visible = "".join(c for c in text if unicodedata.category(c) != _INVISIBLE)
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", visible).casefold())
    return folded.strip()


def slug_from_text(text: str) -> str:
    """A slug-shaped version of any text: 'Zoë's Demo!' → 'zoes-demo'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_LENGTH].rstrip("-")


def slug_problems(slug: str) -> list[Text]:
    """What is wrong with a canonical `slug`, in words a host can act on; empty when fine."""
    if not slug:
        return [Text("Enter a URL ending.")]
    problems = []
    if len(slug) < MIN_LENGTH:
        problems.append(Text("Use at least {count} characters.", count=MIN_LENGTH))
    if len(slug) > MAX_LENGTH:
        problems.append(Text("Use at most {max_length} characters.", max_length=MAX_LENGTH))
    if not _ALLOWED.fullmatch(slug):
        problems.append(
            Text(
                "Use only {allowed} (no spaces, accents, other alphabets or signs).",
                allowed=ALLOWED_CHARACTERS,
            )
        )
    if slug in RESERVED:
        problems.append(Text("“{slug}” is reserved; choose another.", slug=slug))
    return problems


def suggestions(base: str, is_taken: Callable[[str], bool], count: int = 3) -> list[str]:
    """Free slugs close to `base`, for when it is taken or not allowed: its nearest allowed
    form ("Démo!" → "demo") when that is free, then numbered ones ("demo-2")."""
    stem = slug_from_text(base)[: MAX_LENGTH - 4].rstrip("-") or "meeting"
    if len(stem) < MIN_LENGTH:
        stem = f"{stem}-meet"
    found = [stem] if not slug_problems(stem) and not is_taken(stem) else []
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
