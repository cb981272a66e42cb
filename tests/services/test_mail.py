"""Mail: the local outbox without SMTP_HOST, a real SMTP conversation with it."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlmodel import Session, select

from meetings_ui.domain.enums import Role
from meetings_ui.models import OutboxEmail, User
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.mail import Attachment, do_list_outbox, send_email


def test_without_smtp_mail_lands_in_the_local_outbox(session: Session, env) -> None:
    env(SMTP_HOST=None)
    send_email(
        session=session,
        to="p@example.com",
        subject="Booked",
        text="See you",
        html="<p>See you</p>",
        attachments=[Attachment("invite.ics", "text/calendar", b"BEGIN:VCALENDAR")],
    )
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


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to receive one message."""

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line.strip().split(b" ")[0].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250 test\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                self.server.received.append(data)
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server() -> Iterator[socketserver.TCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp(env, smtp_server: socketserver.TCPServer) -> Callable[[], EmailMessage]:
    """The app sends to the test server; call the result for the one message it received."""
    env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.server_address[1]), SMTP_USERNAME=None)

    def received() -> EmailMessage:
        (raw,) = smtp_server.received
        return message_from_bytes(raw, policy=policy.default)

    return received


def test_with_smtp_the_message_is_sent_and_not_stored(
    session: Session, smtp: Callable[[], EmailMessage]
) -> None:
    send_email(
        session=session,
        to="p@example.com",
        subject="Booked",
        text="See you",
        attachments=[Attachment("invite.ics", "text/calendar", b"BEGIN:VCALENDAR")],
    )
    assert session.exec(select(OutboxEmail)).all() == []
    message = smtp()
    assert message["To"] == "p@example.com"
    assert message["Subject"] == "Booked"
    assert message.get_body(("plain",)).get_content().strip() == "See you"
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "text/calendar"


def test_the_outbox_is_for_admins_unless_in_demo_mode(
    session: Session, env, make_user, alice: User
) -> None:
    env(SMTP_HOST=None, MEETINGS_DEMO="0")
    send_email(session=session, to="x@example.com", subject="Reset", text="secret link")
    with pytest.raises(ForbiddenError, match="Admins only"):
        do_list_outbox(session=session, actor=alice)
    with pytest.raises(ForbiddenError):
        do_list_outbox(session=session, actor=None)
    admin = make_user("root@example.com", Role.ADMIN)
    assert [m.subject for m in do_list_outbox(session=session, actor=admin)] == ["Reset"]
    env(MEETINGS_DEMO="1")
    assert [m.subject for m in do_list_outbox(session=session, actor=None)] == ["Reset"]


def test_a_stored_name_with_line_breaks_cannot_add_a_header(
    session: Session, smtp: Callable[[], EmailMessage]
) -> None:
    """Rows saved before names were checked may hold CR/LF; the subject stays one line."""
    send_email(
        session=session,
        to="p@example.com",
        subject="Confirmed: Intro with Eve\r\nBcc: all@evil.example\rX-Evil: 1",
        text="See you",
    )
    message = smtp()
    assert message["Subject"] == "Confirmed: Intro with Eve Bcc: all@evil.example X-Evil: 1"
    assert message["Bcc"] is None and message["X-Evil"] is None
