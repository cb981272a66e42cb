"""The local outbox: mail this server would have sent, when no SMTP server is configured."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC

import reflex as rx

from meetings_ui import i18n, routes
from meetings_ui.components.i18n import t
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.mail import OutboxMessage, outbox_messages
from meetings_ui.state.auth import AuthState

_LINK = re.compile(r"https?://\S+")


@dataclass
class MailView:
    id: int
    when: str
    recipient: str
    subject: str
    text: str
    links: list[str]


class OutboxState(AuthState):
    # Backend only: the messages hold reset links; `mails` is derived, for whoever may see.
    _messages: tuple[OutboxMessage, ...] = ()
    refused: str = ""

    @rx.var
    def mails(self) -> list[MailView]:
        return [
            MailView(
                id=m.id,
                when=i18n.format_datetime(m.created_at, self.locale, UTC, width="medium") + " UTC",
                recipient=m.to,
                subject=m.subject,
                text=m.text,
                links=_LINK.findall(m.text),
            )
            for m in self._messages
        ]

    @rx.event
    def load(self) -> None:
        """Public in demo mode (someone who forgot a password cannot log in); else admins."""
        try:
            self._messages = outbox_messages(actor=self._current_user())
        except ForbiddenError as error:
            self.refused = self.translate(error)
            self._messages = ()
            return
        self.refused = ""


def _mail(mail: MailView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(mail.subject, size="4", as_="h2"),
            rx.text(
                t("To {recipient}", recipient=mail.recipient),
                " · ",
                mail.when,
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.el.pre(mail.text, style={"white_space": "pre-wrap", "font_size": "0.9em"}),
            rx.foreach(
                mail.links,
                # Opened as a mail client would: a document load (the link may be a backend route).
                lambda link: rx.link(
                    t("Open the link in this message"), href=link, reload_document=True
                ),
            ),
            spacing="2",
        ),
        width="100%",
        role="article",
        aria_label=mail.subject,
    )


@rx.page(route=routes.DEV_OUTBOX, title=t("Local outbox · Meetings"), on_load=OutboxState.load)
def dev_outbox() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading(t("Local outbox"), size="7", as_="h1"),
            rx.callout(
                t(
                    "This is the local outbox, not real email: SMTP_HOST is not set, so "
                    "messages are kept here instead of being sent. Set SMTP_HOST to send mail."
                ),
                icon="inbox",
                color_scheme="amber",
                high_contrast=True,
            ),
            rx.cond(
                OutboxState.refused != "",
                rx.callout(
                    OutboxState.refused, icon="shield-alert", color_scheme="red", role="alert"
                ),
                rx.cond(
                    OutboxState.mails.length() > 0,
                    rx.foreach(OutboxState.mails, _mail),
                    rx.callout(
                        t(
                            "No message yet. Mail this server sends (booking confirmations, "
                            "reset links…) appears here."
                        ),
                        icon="mail",
                        color_scheme="gray",
                        role="status",
                    ),
                ),
            ),
            rx.hstack(
                rx.link(t("Log in"), href=routes.LOGIN),
                rx.link("Meetings", href=routes.MEETINGS),
                spacing="4",
            ),
            spacing="4",
            max_width="48em",
        ),
        padding="2em",
    )
