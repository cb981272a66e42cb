"""Mail: queued in the caller's transaction, then delivered to the local mailbox without
SMTP_HOST, or over a real SMTP conversation with it."""

from __future__ import annotations

import base64
from collections.abc import Callable
from email.message import EmailMessage

import pytest
from sqlmodel import Session, select

from meetings_ui.domain.enums import OutboxStatus, Role
from meetings_ui.models import OutboxEmail, OutboxItem, User
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.mail import Attachment, do_list_outbox, send_email
from tests.smtp_server import SMTPServer

ICS = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


def test_a_message_is_queued_with_its_attachment_bytes_until_the_commit(
    session: Session, env, deliver
) -> None:
    env(SMTP_HOST=None)
    send_email(
        session=session,
        to="p@example.com",
        subject="Booked",
        text="See you",
        attachments=[Attachment("invite.ics", "text/calendar", ICS)],
    )
    session.rollback()  # the change it announced did not happen: neither does the mail
    assert session.exec(select(OutboxItem)).all() == []
    send_email(
        session=session,
        to="p@example.com",
        subject="Booked",
        text="See you",
        attachments=[Attachment("invite.ics", "text/calendar", ICS)],
    )
    session.commit()
    queued = session.exec(select(OutboxItem)).one()
    (attachment,) = queued.payload["attachments"]
    assert base64.b64decode(attachment["content"]) == ICS
    assert session.exec(select(OutboxEmail)).all() == []  # not delivered yet
    assert deliver().sent == 1


def test_without_smtp_mail_lands_in_the_local_outbox(session: Session, env, deliver) -> None:
    env(SMTP_HOST=None)
    send_email(
        session=session,
        to="p@example.com",
        subject="Booked",
        text="See you",
        html="<p>See you</p>",
        attachments=[Attachment("invite.ics", "text/calendar", b"BEGIN:VCALENDAR")],
    )
    session.commit()
    assert deliver().sent == 1
    mail = session.exec(select(OutboxEmail)).one()
    assert (mail.to, mail.subject, mail.text, mail.html) == (
        "p@example.com",
        "Booked",
        "See you",
        "<p>See you</p>",
    )
    assert mail.attachments == [
        {"filename": "invite.ics", "content_type": "text/calendar", "size": 15}
    ]
    assert deliver().claimed == 0  # delivered once


def test_with_smtp_the_message_is_sent_and_not_stored(
    session: Session, smtp: Callable[[], EmailMessage], deliver
) -> None:
    send_email(
        session=session,
        to="p@example.com",
        subject="Booked",
        text="See you",
        attachments=[Attachment("invite.ics", "text/calendar", ICS)],
    )
    session.commit()
    assert deliver().sent == 1
    assert session.exec(select(OutboxEmail)).all() == []
    message = smtp()
    assert message["To"] == "p@example.com"
    assert message["Subject"] == "Booked"
    assert message.get_body(("plain",)).get_content().strip() == "See you"
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_content().encode() == ICS  # the bytes, not a description
    queued = session.exec(select(OutboxItem)).one()
    assert queued.status == OutboxStatus.SENT
    assert message["Message-ID"] == f"<outbox-{queued.key}@localhost>"


def test_the_outbox_is_for_admins_unless_in_demo_mode(
    session: Session, env, make_user, alice: User, deliver
) -> None:
    env(SMTP_HOST=None, MEETINGS_DEMO="0")
    send_email(session=session, to="x@example.com", subject="Reset", text="secret link")
    session.commit()
    deliver()
    with pytest.raises(ForbiddenError, match="Admins only"):
        do_list_outbox(session=session, actor=alice)
    with pytest.raises(ForbiddenError):
        do_list_outbox(session=session, actor=None)
    admin = make_user("root@example.com", Role.ADMIN)
    assert [m.subject for m in do_list_outbox(session=session, actor=admin)] == ["Reset"]
    env(MEETINGS_DEMO="1")
    assert [m.subject for m in do_list_outbox(session=session, actor=None)] == ["Reset"]


def test_a_stored_name_with_line_breaks_cannot_add_a_header(
    session: Session, smtp: Callable[[], EmailMessage], deliver
) -> None:
    """Rows saved before names were checked may hold CR/LF; the subject stays one line."""
    send_email(
        session=session,
        to="p@example.com",
        subject="Confirmed: Intro with Eve\r\nBcc: all@evil.example\rX-Evil: 1",
        text="See you",
    )
    session.commit()
    deliver()
    message = smtp()
    assert message["Subject"] == "Confirmed: Intro with Eve Bcc: all@evil.example X-Evil: 1"
    assert message["Bcc"] is None and message["X-Evil"] is None


def test_a_message_that_cannot_be_written_fails_alone_and_at_once(
    session: Session, smtp_server: SMTPServer, smtp: Callable[[], EmailMessage], deliver
) -> None:
    """A stored address with a line break cannot become a header: that row fails for good,
    without retries, and the message queued after it still goes."""
    send_email(session=session, to="p@example.com\r\nBcc: all@evil.example", subject="A", text="a")
    send_email(session=session, to="q@example.com", subject="B", text="b")
    session.commit()
    report = deliver()
    assert (report.sent, report.failed) == (1, 1)
    assert smtp()["To"] == "q@example.com"
    bad = session.exec(select(OutboxItem).where(OutboxItem.summary == "A")).one()
    assert bad.status == OutboxStatus.FAILED and bad.attempts == 1
    assert "cannot be written" in bad.last_error
