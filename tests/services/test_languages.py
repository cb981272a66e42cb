"""French and English in what the app sends: each email and its .ics in the reader's
language (a prospect's booking locale, a host's setting, the asking browser's for
sign-up and reset), dates and times by Babel in their locale and zone; the migration
that stores those languages carries existing rows over on both databases."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.domain.enums import BookingStatus
from meetings_ui.domain.messages import Text
from meetings_ui.models import Booking, OutboxItem, User
from meetings_ui.services import bookings, sign_in
from meetings_ui.services.accounts import AccountError, do_set_language
from meetings_ui.services.bookings import do_book
from meetings_ui.services.links import do_create_link
from meetings_ui.services.sign_in import viewer_of
from tests.conftest import BACKENDS, downgrade, make_empty_database, migrate
from tests.services.test_bookings import next_weekday, paris, request

FRENCH_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def _mails(session: Session, to: str) -> list[dict]:
    rows = session.exec(
        select(OutboxItem).where(OutboxItem.recipient == to).order_by(OutboxItem.id)
    ).all()
    return [row.payload for row in rows]


def _ics(payload: dict) -> icalendar.Event:
    content = base64.b64decode(payload["attachments"][0]["content"])
    return icalendar.Calendar.from_ical(content).walk("VEVENT")[0]


def _french_day(start: datetime) -> str:
    """ "jeudi 3 décembre 2026 à 10:00" as Babel writes it (Paris time)."""
    return (
        f"{FRENCH_DAYS[start.weekday()]} {start.day} {FRENCH_MONTHS[start.month - 1]} {start.year}"
    )


def test_a_french_prospect_reads_french_and_the_host_english(session: Session, link) -> None:
    day = next_weekday(3)
    start = paris(day, 14, 30)
    booking = do_book(
        session=session,
        link=link,
        request=request(start, time_zone="Europe/Paris"),
        locale="fr-FR",
    ).booking
    assert booking.locale == "fr-FR"

    [prospect] = _mails(session, "pat@example.org")
    assert prospect["subject"] == "Demandée : Intro call avec Hugo Host"
    text = prospect["text"]
    assert text.startswith("Bonjour Pat Prospect,")
    assert "Hugo Host confirmera votre demande." in text
    assert f"{_french_day(start)}, 14:30–15:00 (Europe/Paris)" in text
    assert "Reprogrammer : http" in text and "Annuler : http" in text
    event = _ics(prospect)
    assert str(event["SUMMARY"]) == "Intro call avec Hugo Host"
    assert str(event["DESCRIPTION"]).startswith("Réservé par Pat Prospect <pat@example.org>")

    [host] = _mails(session, "hugo@example.com")  # language "": English
    assert host["subject"] == "New booking: Intro call"
    assert host["text"].startswith("Pat Prospect <pat@example.org> requested “Intro call”.")
    assert f"{start:%A}, {start:%B} {start.day}, {start.year}" in host["text"]
    assert "2:30\u202fPM–3:00\u202fPM (Europe/Paris)" in host["text"]
    assert str(_ics(host)["SUMMARY"]) == "Intro call with Hugo Host"


def test_a_host_who_chose_french_reads_french(session: Session, link, host: User) -> None:
    assert do_set_language(session=session, actor=host, language="fr") == "fr"
    start = paris(next_weekday(1), 10)
    do_book(session=session, link=link, request=request(start))  # an English prospect
    [mail] = _mails(session, "hugo@example.com")
    assert mail["subject"] == "Nouvelle réservation : Intro call"
    assert "Pat Prospect <pat@example.org> a demandé « Intro call »." in mail["text"]
    assert f"{_french_day(start)}, 10:00–10:30 (Europe/Paris)" in mail["text"]
    [prospect] = _mails(session, "pat@example.org")
    assert prospect["subject"] == "Requested: Intro call with Hugo Host"


def test_cancelling_tells_each_person_in_their_language(session: Session, link) -> None:
    booking = do_book(
        session=session, link=link, request=request(paris(next_weekday(2), 11)), locale="fr"
    ).booking
    bookings.do_cancel(session=session, booking=booking, reason=Text("Cancelled by the host."))
    prospect = _mails(session, "pat@example.org")[-1]
    assert prospect["subject"] == "Annulée : Intro call"
    assert "est annulée. Annulée par l'organisateur." in prospect["text"]
    assert _ics(prospect)["STATUS"] == "CANCELLED"
    host = _mails(session, "hugo@example.com")[-1]
    assert host["subject"] == "Cancelled: Intro call"
    assert "is cancelled. Cancelled by the host." in host["text"]


def test_reminders_follow_the_locale_of_the_booking(session: Session, link) -> None:
    start = paris(next_weekday(4), 9)
    do_book(session=session, link=link, request=request(start), locale="fr-CA")
    session.execute(sa.update(Booking).values(status=BookingStatus.CONFIRMED))
    session.commit()
    assert bookings.do_send_due_reminders(session=session, now=start - timedelta(hours=23)) == 1
    reminder = _mails(session, "pat@example.org")[-1]
    assert reminder["subject"] == "Rappel : Intro call avec Hugo Host"
    # In the prospect's zone (New York), by the French clock.
    assert f"Votre réunion a lieu le {_french_day(start)}" in reminder["text"]
    assert "(America/New_York)" in reminder["text"]


def test_a_locale_we_do_not_speak_is_stored_as_english(session: Session, link) -> None:
    booking = do_book(
        session=session, link=link, request=request(paris(next_weekday(0), 9)), locale="de-DE"
    ).booking
    assert booking.locale == "en"


def test_sign_up_and_reset_mails_speak_the_browsers_language(
    session: Session, admin: User, alice: User, mail_captured: None
) -> None:
    sign_in.sign_up(
        session=session,
        email="nina@example.com",
        password="correct horse battery",
        display_name="Nina",
        client_ip="10.0.0.1",
        locale="fr-FR",
    )
    [confirm] = _mails(session, "nina@example.com")
    assert confirm["subject"] == "Confirmez votre compte Meetings"
    assert confirm["text"].startswith("Bonjour Nina,")
    assert "dans les 24 heures" in confirm["text"]

    sign_in.request_password_reset(
        session=session, email="alice@example.com", client_ip="10.0.0.2", locale="fr"
    )
    [reset] = _mails(session, "alice@example.com")
    assert reset["subject"] == "Réinitialisez votre mot de passe Meetings"
    assert "votre mot de passe reste inchangé" in reset["text"]

    # A user who chose English gets English, whatever the asking browser speaks.
    do_set_language(session=session, actor=alice, language="en")
    sign_in.request_password_reset(
        session=session, email="alice@example.com", client_ip="10.0.0.3", locale="fr"
    )
    assert _mails(session, "alice@example.com")[-1]["subject"] == "Reset your Meetings password"


def test_the_language_setting_is_checked_and_reaches_the_viewer(
    session: Session, alice: User
) -> None:
    with pytest.raises(AccountError) as refused:
        do_set_language(session=session, actor=alice, language="de")
    assert refused.value.field == "language"
    do_set_language(session=session, actor=alice, language="fr")
    session.refresh(alice)
    assert viewer_of(alice).language == "fr"
    do_set_language(session=session, actor=alice, language="")
    session.refresh(alice)
    assert viewer_of(alice).language == ""


def test_a_co_host_is_invited_in_their_own_language(
    session: Session, alice: User, bob: User, mail_captured: None
) -> None:
    do_set_language(session=session, actor=bob, language="fr")
    do_create_link(
        session=session, owner=alice, name="Équipe", link_type="group", host_ids=[bob.id]
    )
    [invite] = _mails(session, bob.email)
    assert invite["subject"] == "alice vous invite à co-organiser « Équipe »"
    assert "Acceptez ou refusez sur votre page Réunions :" in invite["text"]


BEFORE = "8b2c3d4e5f16"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_language_migration_carries_existing_rows_over(backend: str, tmp_path) -> None:
    url, drop = make_empty_database(backend, tmp_path)
    migrate(url, BEFORE)
    engine = sa.create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                'INSERT INTO "user" (id, email, display_name, role, time_zone, is_active, '
                "crm_sync_all_attendees, created_at) VALUES (1, 'u@example.com', 'U', 'user', "
                "'UTC', true, false, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO meeting_link (id, owner_id, name, slug, link_type, settings, "
                "created_at) VALUES (1, 1, 'L', 'l', 'one_on_one', '{}', :now)"
            ),
            {"now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO booking (id, link_id, host_id, start_at, end_at, status, "
                "prospect_name, prospect_email, prospect_time_zone, answers, sequence, "
                "reminders_sent, created_at) VALUES (1, 1, 1, :now, :now, 'confirmed', 'P', "
                "'p@example.com', 'UTC', '{}', 0, '[]', :now)"
            ),
            {"now": now},
        )
    migrate(url)
    with engine.connect() as connection:
        assert connection.execute(sa.text('SELECT language FROM "user"')).scalar_one() == ""
        assert connection.execute(sa.text("SELECT locale FROM booking")).scalar_one() == "en"
    downgrade(url, BEFORE)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("booking")}
    assert "locale" not in columns
    assert "language" not in {c["name"] for c in sa.inspect(engine).get_columns("user")}
    migrate(url)
    engine.dispose()
    drop()
