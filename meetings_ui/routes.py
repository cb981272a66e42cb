"""Every route of the app, in one place. Pages and links import these names."""

from __future__ import annotations

LANDING = "/"
MEETINGS = "/app/meetings"
CONTACTS = "/app/contacts"
SETTINGS = "/app/settings"
SETTINGS_CALENDAR = "/app/settings/calendar"
ADMIN = "/app/admin"
ADMIN_CALENDARS = "/app/admin/calendars"

# Public booking pages live under this prefix; no other page may use it (S15: robots.txt).
BOOKING_PREFIX = "/meetings"

# Backend (non-page) HTTP routes.
HEALTH = "/health"
API_PREFIX = "/api/v1"
SANDBOX_PREFIX = "/_sandbox"  # the provider sandbox, when no real credentials are set


def booking_page(slug: str) -> str:
    return f"{BOOKING_PREFIX}/{slug}"
