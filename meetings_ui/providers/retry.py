"""Retries with backoff that honour the provider's Retry-After, shared by the adapters."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from meetings_ui.providers.base import ProviderUnavailableError

T = TypeVar("T")


class RetryableError(Exception):
    """Raised by an adapter's request for a failure worth trying again (429, 5xx, timeout)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0  # a longer Retry-After is handed to the caller instead of waited
    sleep: Callable[[float], None] = time.sleep

    def run(self, request: Callable[[], T]) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                return request()
            except RetryableError as error:
                delay = (
                    error.retry_after
                    if error.retry_after is not None
                    else random.uniform(0, self.base_delay * 2 ** (attempt - 1))  # noqa: S311
                )
                if attempt == self.attempts or delay > self.max_delay:
                    raise ProviderUnavailableError(
                        f"{error} (gave up after {attempt} attempts)", error.retry_after
                    ) from error
                self.sleep(delay)
        raise AssertionError("unreachable")


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is not used by these providers)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
