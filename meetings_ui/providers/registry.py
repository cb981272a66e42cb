"""Which connector serves each provider: the real one with credentials, else the sandbox."""

from __future__ import annotations

from meetings_ui.config import Settings, get_settings
from meetings_ui.providers.base import CalendarConnector
from meetings_ui.providers.google import GoogleConnector, GoogleEndpoints
from meetings_ui.providers.microsoft import MicrosoftConnector, MicrosoftEndpoints
from meetings_ui.providers.retry import RetryPolicy
from meetings_ui.sandbox.store import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

PROVIDERS = ("google", "microsoft")
PROVIDER_LABELS = {"google": "Google/Gmail", "microsoft": "Office 365"}


class UnknownProviderError(ValueError):
    pass


def connector_for(
    provider: str, settings: Settings | None = None, *, retry: RetryPolicy | None = None
) -> CalendarConnector:
    settings = settings or get_settings()
    if provider == "google":
        if settings.uses_google_sandbox:
            return GoogleConnector(
                client_id=SANDBOX_CLIENT_ID,
                client_secret=SANDBOX_CLIENT_SECRET,
                endpoints=GoogleEndpoints.sandbox(settings.sandbox_url),
                retry=retry,
            )
        return GoogleConnector(
            client_id=settings.google_client_id,
            client_secret=settings.google_client_secret,
            endpoints=GoogleEndpoints.production(),
            retry=retry,
        )
    if provider == "microsoft":
        if settings.uses_microsoft_sandbox:
            return MicrosoftConnector(
                client_id=SANDBOX_CLIENT_ID,
                client_secret=SANDBOX_CLIENT_SECRET,
                endpoints=MicrosoftEndpoints.sandbox(
                    settings.sandbox_url, settings.microsoft_tenant
                ),
                retry=retry,
            )
        return MicrosoftConnector(
            client_id=settings.microsoft_client_id,
            client_secret=settings.microsoft_client_secret,
            endpoints=MicrosoftEndpoints.production(settings.microsoft_tenant),
            retry=retry,
        )
    raise UnknownProviderError(f"Unknown calendar provider {provider!r}")
