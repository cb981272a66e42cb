"""The reader's language, for every page: the root of the app's states.

Prospects get the language their browser asks for (Accept-Language); hosts the one they
chose in their settings (the auth guard sets `chosen_locale`). Every state derives from
`LocaleState`, so handlers say things in the reader's language with `self.t(...)`,
and components with `t(...)` (components/i18n.py), which looks the words up in the
browser by `language`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from meetings_ui import i18n


class LocaleState(rx.State):
    # A host's own choice (their settings); "" lets the browser's languages decide.
    chosen_locale: str = ""

    @rx.var
    def locale(self) -> str:
        """ "fr-FR", "en-GB", "en": formats dates and times; its language picks the words.
        A host who chose the browser's own language keeps the browser's region (en-GB's
        24-hour clock)."""
        browser = i18n.negotiate(self.router.headers.accept_language)
        if not self.chosen_locale or i18n.language_of(browser) == self.chosen_locale:
            return browser
        return self.chosen_locale

    @rx.var
    def language(self) -> str:
        return i18n.language_of(self.locale)

    @rx.var
    def clock_24h(self) -> bool:
        return i18n.uses_24_hour_clock(self.locale)

    def t(self, msgid: str, /, **params: Any) -> str:
        """`msgid` in the reader's language (the handler's twin of components' `t`)."""
        return i18n.gettext(self.language, msgid, **params)

    def t_plural(self, singular: str, plural: str, count: int, /, **params: Any) -> str:
        return i18n.ngettext(self.language, singular, plural, count, **params)

    def translate(self, message: str | BaseException) -> str:
        """A service's or the domain's message (a `Text`, a msgid, or an error carrying
        one) in the reader's words."""
        if isinstance(message, BaseException):
            message = i18n.said(message)
        return i18n.translate(message, self.language)
