"""Which connector serves each provider: the real one with credentials, else the sandbox
when it is turned on (MEETINGS_SANDBOX), else none: that provider is not offered."""

from __future__ import annotations

from collections.abc import Callable

from meetings_ui.config import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    Settings,
    get_settings,
)
from meetings_ui.domain.enums import Provider
from meetings_ui.providers.base import CalendarConnector, ProviderError
from meetings_ui.providers.google import GoogleConnector, GoogleEndpoints
from meetings_ui.providers.microsoft import MicrosoftConnector, MicrosoftEndpoints
from meetings_ui.providers.retry import RetryPolicy


class UnknownProviderError(ValueError):
    pass


class ProviderNotOfferedError(ProviderError):
    """This server has no client for the provider (and no sandbox standing in for it)."""


def is_offered(provider: Provider, settings: Settings | None = None) -> bool:
    """A provider is offered with its real OAuth client, or through the sandbox."""
    settings = settings or get_settings()
    if provider == Provider.GOOGLE:
        return settings.has_google_credentials or settings.sandbox
    return settings.has_microsoft_credentials or settings.sandbox


def offered_providers(settings: Settings | None = None) -> tuple[Provider, ...]:
    """The providers hosts may connect, in the order the UI lists them."""
    settings = settings or get_settings()
    return tuple(p for p in Provider if is_offered(p, settings))


def is_sandboxed(provider: Provider, settings: Settings | None = None) -> bool:
    """True when the provider's consent page is the sandbox's (the UI says so)."""
    settings = settings or get_settings()
    if provider == Provider.GOOGLE:
        return settings.uses_google_sandbox
    return settings.uses_microsoft_sandbox


def _google(settings: Settings, retry: RetryPolicy | None) -> GoogleConnector:
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


def _microsoft(settings: Settings, retry: RetryPolicy | None) -> MicrosoftConnector:
    if settings.uses_microsoft_sandbox:
        return MicrosoftConnector(
            client_id=SANDBOX_CLIENT_ID,
            client_secret=SANDBOX_CLIENT_SECRET,
            endpoints=MicrosoftEndpoints.sandbox(settings.sandbox_url, settings.microsoft_tenant),
            retry=retry,
        )
    return MicrosoftConnector(
        client_id=settings.microsoft_client_id,
        client_secret=settings.microsoft_client_secret,
        endpoints=MicrosoftEndpoints.production(settings.microsoft_tenant),
        retry=retry,
    )


_CONNECTORS: dict[Provider, Callable[[Settings, RetryPolicy | None], CalendarConnector]] = {
    Provider.GOOGLE: _google,
    Provider.MICROSOFT: _microsoft,
}


def connector_for(
    provider: Provider | str, settings: Settings | None = None, *, retry: RetryPolicy | None = None
) -> CalendarConnector:
    """The connector for `provider` (a Provider, or its stored value); ProviderNotOfferedError
    when this server has neither its credentials nor the sandbox."""
    try:
        build = _CONNECTORS[Provider(provider)]
    except ValueError:
        raise UnknownProviderError(f"Unknown calendar provider {provider!r}") from None
    settings = settings or get_settings()
    if not is_offered(Provider(provider), settings):
        raise ProviderNotOfferedError(
            f"The {Provider(provider).value} calendar provider is not configured on this server"
        )
    return build(settings, retry)
