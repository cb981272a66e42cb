"""Outgoing mail: SMTP when SMTP_HOST is set, otherwise the local outbox table.

Booking confirmations, reminders and password resets all go through `send_email`.
Call it after committing the change the message announces.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlmodel import Session, select

from meetings_ui.config import Settings, get_settings
from meetings_ui.models import OutboxEmail
from meetings_ui.services.guard import Actor, ForbiddenError, is_admin
from meetings_ui.services.transactions import use_case


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar"
    content: bytes


def send_email(
    *,
    session: Session,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> None:
    settings = get_settings()
    if settings.captures_mail:
        session.add(
            OutboxEmail(
                to=to,
                subject=subject,
                text=text,
                html=html,
                attachments=[
                    {"filename": a.filename, "content_type": a.content_type, "size": len(a.content)}
                    for a in attachments
                ],
            )
        )
        session.commit()
        return
    _deliver(_message(settings, to, subject, text, html, attachments), settings)


def _message(
    settings: Settings,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    attachments: Sequence[Attachment],
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


def _deliver(message: EmailMessage, settings: Settings) -> None:
    """Port 465 speaks TLS from the start; other ports upgrade with STARTTLS when offered."""
    context = ssl.create_default_context()
    if settings.smtp_port == 465:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=30, context=context
        )
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    with client:
        if settings.smtp_port != 465:
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
        if settings.smtp_username:
            client.login(settings.smtp_username, settings.smtp_password)
        client.send_message(message)


def outbox_visible_to(actor: Actor | None) -> bool:
    """The local outbox holds reset links: admins only, or anyone in the demo workspace."""
    return get_settings().demo_mode or is_admin(actor)


def do_list_outbox(*, session: Session, actor: Actor | None, limit: int = 50) -> list[OutboxEmail]:
    if not outbox_visible_to(actor):
        raise ForbiddenError("Admins only: the local outbox can hold other people's reset links.")
    return list(
        session.exec(
            select(OutboxEmail)
            .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
            .limit(limit)
        ).all()
    )


@dataclass(frozen=True)
class OutboxMessage:
    """One captured message, as the local outbox page shows it."""

    id: int
    created_at: datetime
    to: str
    subject: str
    text: str


@use_case
def outbox_messages(*, session: Session, actor: Actor | None) -> tuple[OutboxMessage, ...]:
    """The latest captured messages, for the local outbox page (same rule as the list)."""
    return tuple(
        OutboxMessage(id=m.id, created_at=m.created_at, to=m.to, subject=m.subject, text=m.text)
        for m in do_list_outbox(session=session, actor=actor)
    )
