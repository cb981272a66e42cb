"""Outgoing mail, through the outbox: `send_email` queues a message in the caller's
transaction, and the delivery worker sends it once that has committed.

Booking confirmations, reminders and password resets all go through `send_email`. Commit
the change the message announces in the same transaction: both happen, or neither.
Delivering sends over SMTP when SMTP_HOST is set, and otherwise stores the message in the
local mailbox (`OutboxEmail`, the /dev/outbox page). Subjects are made of names people
typed; they are put on one line here, so no stored name can add a header.
"""

from __future__ import annotations

import base64
import email.errors
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr

from sqlmodel import Session, select

from meetings_ui import i18n
from meetings_ui.config import Settings, get_settings
from meetings_ui.domain.enums import OutboxKind
from meetings_ui.domain.messages import Text
from meetings_ui.domain.text_fields import printable_line
from meetings_ui.models import OutboxEmail, OutboxItem, User
from meetings_ui.services import outbox
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
    booking_id: int | None = None,
) -> None:
    """Queue a message; it goes when the caller commits. `booking_id` shows a delivery
    that keeps failing on that booking, to its host."""
    subject = printable_line(subject)
    outbox.enqueue(
        session,
        kind=OutboxKind.EMAIL,
        booking_id=booking_id,
        recipient=to,
        summary=subject,
        payload={
            "to": to,
            "subject": subject,
            "text": text,
            "html": html,
            "attachments": [
                {
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "content": base64.b64encode(a.content).decode("ascii"),
                }
                for a in attachments
            ],
        },
    )


def deliver_email(session: Session, item: OutboxItem) -> None:
    """Send one queued message (or store it in the local mailbox); the caller records it."""
    settings = get_settings()
    payload = item.payload
    attachments = [
        Attachment(a["filename"], a["content_type"], base64.b64decode(a["content"]))
        for a in payload.get("attachments", [])
    ]
    try:
        message = _message(
            settings,
            payload["to"],
            payload["subject"],
            payload["text"],
            payload.get("html"),
            attachments,
        )
        message["Message-ID"] = message_id(item, settings)
    except (ValueError, email.errors.MessageError) as error:
        raise outbox.PermanentDeliveryError(f"This message cannot be written: {error}") from None
    if settings.captures_mail:
        session.add(
            OutboxEmail(
                to=payload["to"],
                subject=payload["subject"],
                text=payload["text"],
                html=payload.get("html"),
                attachments=[
                    {"filename": a.filename, "content_type": a.content_type, "size": len(a.content)}
                    for a in attachments
                ],
            )
        )
        return
    _deliver(message, settings)


def message_id(item: OutboxItem, settings: Settings) -> str:
    """Stable for the row: a message delivered twice (a crash between sending and recording
    it) is recognised as one by mail clients and servers."""
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "meetings.invalid"
    return f"<outbox-{item.key}@{domain}>"


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
        raise ForbiddenError(
            Text("Admins only: the local outbox can hold other people's reset links.")
        )
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


def reader_of(user: User, browser_locale: str = i18n.DEFAULT_LANGUAGE) -> i18n.Reader:
    """A user reads mail in the language they chose; while they follow their browser, in
    the asking browser's (`browser_locale`, for a mail they asked for), else English (a
    mail has no browser). In their time zone."""
    return i18n.Reader(user.language or browser_locale, user.time_zone or "UTC")
