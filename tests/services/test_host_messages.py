"""What the services tell the host pages keeps its template, so a French host reads it in
French: seats, licence locks, calendar settings refusals, domains, contacts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from meetings_ui import i18n
from meetings_ui.models import User
from meetings_ui.services import contacts, domains
from meetings_ui.services.accounts import AccountError
from meetings_ui.services.calendar_settings import (
    InvalidCalendarSettingsError,
    do_save_calendar_settings,
)
from meetings_ui.services.seats import assign_seat, remove_seat


def french(message: str) -> str:
    return i18n.translate(message, "fr")


def test_seat_changes_and_refusals_are_said_in_french(
    session: Session, admin: User, alice: User
) -> None:
    assigned = assign_seat(session=session, actor=admin, user_id=alice.id, seat_code="cms_pro")
    assert assigned.message == "alice@example.com now holds a CMS Hub Pro seat."
    assert (
        french(assigned.message) == "alice@example.com dispose désormais d'une licence CMS Hub Pro."
    )
    removed = remove_seat(session=session, actor=admin, user_id=alice.id, seat_code="cms_pro")
    assert french(removed.message) == "Licence CMS Hub Pro retirée."
    with pytest.raises(AccountError) as refused:
        remove_seat(session=session, actor=admin, user_id=alice.id, seat_code="cms_pro")
    assert french(refused.value.args[0]) == "alice@example.com n'a pas de licence CMS Hub."


def test_a_locked_meetings_url_is_refused_in_the_hosts_words(session: Session, alice: User) -> None:
    with pytest.raises(InvalidCalendarSettingsError) as refused:
        do_save_calendar_settings(
            session=session,
            actor=alice,
            user_id=alice.id,
            meetings_url="alice-new",
            default_link_id=alice.default_link_id,
            meeting_domain_id=alice.meeting_domain_id,
        )
    ((field, message),) = refused.value.problems
    assert field == "Meetings URL"
    assert french(field) == "URL de réunions"
    assert message.startswith("Changing the Meetings URL needs a Sales Hub or Service Hub seat")
    assert french(message) == (
        "La modification de l'URL de réunions nécessite une licence Sales Hub ou Service Hub "
        "(Starter, Pro ou Enterprise)."
    )


def test_a_domain_name_problem_is_said_in_french(session: Session, admin: User) -> None:
    problem = domains.check_domain_name(session=session, actor=admin, host="https://meet.x.org")
    assert problem.startswith("Enter only the domain name")
    assert french(problem).startswith("Saisissez uniquement le nom de domaine")
    with pytest.raises(domains.InvalidDomainError) as refused:
        domains.do_add_domain(session=session, actor=admin, host="meet.localhost")
    assert french(refused.value.args[0]) == (
        "localhost n'est pas joignable par les visiteurs : saisissez un domaine public."
    )


def test_a_contact_meetings_problems_are_said_in_french(
    session: Session, make_user: Callable[..., User]
) -> None:
    host = make_user("fr.host@example.com")
    contact = contacts.do_create_contact(session=session, actor=host, email="c@example.org")
    with pytest.raises(contacts.InvalidContactError) as refused:
        contacts.do_create_meeting(
            session=session,
            actor=host,
            contact_id=contact.id,
            title="Intro",
            start=datetime.now(UTC) + timedelta(days=1),
            duration=1,
            description="",
        )
    said = {field: french(message) for field, message in refused.value.problems}
    assert said == {"duration": "Choisissez une durée de 5 à 720 minutes."}
