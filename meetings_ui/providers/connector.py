"""What every provider's connector is configured with: an OAuth client, where the
provider answers, and how patiently to retry."""

from __future__ import annotations

from typing import Generic, TypeVar

from meetings_ui.providers.retry import RetryPolicy

EndpointsT = TypeVar("EndpointsT")


class OAuthConnector(Generic[EndpointsT]):
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        endpoints: EndpointsT,
        retry: RetryPolicy | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.endpoints = endpoints
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
