"""Every route of the app, in one place. Pages and links import these names."""

from __future__ import annotations

LANDING = "/"
LOGIN = "/login"
SIGN_UP = "/signup"
SIGN_UP_CONFIRM = "/signup/confirm"  # the link a new host is mailed
FIRST_ADMIN = "/setup"
FORGOT_PASSWORD = "/forgot-password"  # noqa: S105  (a route, not a secret)
RESET_PASSWORD = "/reset-password"  # noqa: S105

# Host pages: everything under this prefix needs a logged-in user.
APP_PREFIX = "/app"
MEETINGS = "/app/meetings"
CONTACTS = "/app/contacts"
CONTACT = "/app/contacts/[contact_id]"  # one contact's record (S4, S5)
LINK_WHY = "/app/links/[link_id]/why"  # "Why isn't this time free?" for one meeting link
SETTINGS = "/app/settings"
SETTINGS_CALENDAR = "/app/settings/calendar"
ADMIN = "/app/admin"
ADMIN_CALENDARS = "/app/admin/calendars"
ADMIN_USERS = "/app/admin/users"
ADMIN_AUDIT = "/app/admin/audit"
ADMIN_DELIVERIES = "/app/admin/deliveries"
ADMIN_DOMAINS = "/app/admin/domains"  # S12-S16: connect, verify and remove custom domains
ADMIN_DOMAIN = "/app/admin/domains/[domain_id]"  # one domain's brand and robots settings
DEV_OUTBOX = "/app/dev/outbox"

# Public booking pages live under this prefix; no other page may use it (S15: robots.txt).
BOOKING_PREFIX = "/meetings"

# Backend (non-page) HTTP routes.
HEALTH = "/health"
AUTH_COMPLETE = "/auth/complete"
AUTH_BROWSER = "/auth/browser"  # gives a browser its login binding cookie
AUTH_LOGOUT = "/auth/logout"
API_PREFIX = "/api/v1"
BOOKING_ICS = f"{API_PREFIX}/public/bookings/invite.ics"
ROBOTS_TXT = "/robots.txt"  # per host (S15), served by the backend
DOMAIN_LOGO_PREFIX = "/brand/logo"  # /brand/logo/<domain id>/<digest>.png (S14)
EMBED_SCRIPT = "/embed.js"  # the partner sites' widget script (assets/embed.js), on every host
SANDBOX_PREFIX = "/_sandbox"  # the provider sandbox, only when MEETINGS_SANDBOX is on


BOOKING_PAGE = f"{BOOKING_PREFIX}/[slug]"
BOOKING_CONFIRMED = f"{BOOKING_PREFIX}/booked"
BOOKING_CANCEL = f"{BOOKING_PREFIX}/cancel"
BOOKING_RESCHEDULE = f"{BOOKING_PREFIX}/reschedule"


OAUTH_CALLBACK = "/oauth/{provider}/callback"
# Where Google and Microsoft POST change notifications (services/calendar_sync.py).
WEBHOOK = "/webhooks/calendar/{provider}"


def oauth_callback(provider: str) -> str:
    return OAUTH_CALLBACK.replace("{provider}", provider)


def webhook(provider: str) -> str:
    return WEBHOOK.replace("{provider}", provider)


def admin_domain(domain_id: int) -> str:
    return ADMIN_DOMAIN.replace("[domain_id]", str(domain_id))


def link_why(link_id: int) -> str:
    return LINK_WHY.replace("[link_id]", str(link_id))


def contact(contact_id: int) -> str:
    return CONTACT.replace("[contact_id]", str(contact_id))


def booking_page(slug: str) -> str:
    return f"{BOOKING_PREFIX}/{slug}"
