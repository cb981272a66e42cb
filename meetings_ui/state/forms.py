"""Submitting a form whose work is slow (argon2, mail): in a thread, once at a time.

Every account page's state mixes in `FormMixin`. `submit_in_thread` runs the page's use
case off the event loop, holding the state's lock only while it changes `busy` and
`error`, and turns a refusal into the error on the page. (It is a function, not a method
of the mixin: a background event's `self` is a proxy that methods would not receive.)
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any, Final

import reflex as rx

from meetings_ui import i18n
from meetings_ui.services.accounts import AccountError

NOT_DONE: Final = object()  # the form was already busy, or the use case refused


class FormMixin(rx.State, mixin=True):
    """The submit state of a form page: `busy` spins its button, `error` says what to fix."""

    error: str = ""
    busy: bool = False

    def _clear_form(self) -> None:
        self.error, self.busy = "", False


def new_account_input(form: dict[str, str]) -> dict[str, str]:
    """The sign-up form's fields, as the account use cases name them."""
    return {
        "email": form.get("email", ""),
        "password": form.get("password", ""),
        "display_name": form.get("name", ""),
    }


async def submit_in_thread(
    state: rx.State,
    use_case: Callable[..., Any],
    /,
    *,
    refused: tuple[type[Exception], ...] = (AccountError,),
    **arguments: Any,
) -> Any:
    """What `use_case(**arguments)` returned, or NOT_DONE (the refusal's message is then
    `state.error`, in the reader's language). Any other error leaves the form usable again
    and propagates."""
    async with state:
        if state.busy:
            return NOT_DONE
        state.busy, state.error = True, ""
        language = state.language
    try:
        result = await asyncio.to_thread(functools.partial(use_case, **arguments))
    except refused as error:
        async with state:
            state.error, state.busy = i18n.translate(i18n.said(error), language), False
        return NOT_DONE
    except BaseException:
        async with state:
            state.busy = False
        raise
    async with state:
        state.busy = False
    return result
