"""API keys: printed once, stored as digests, found by prefix, revocable."""

from __future__ import annotations

from sqlmodel import Session, select

from meetings_ui.models import ApiKey, User
from meetings_ui.services.api_keys import (
    authenticate_api_key,
    do_create_api_key,
    do_revoke_api_key,
)
from meetings_ui.services.tokens import digest


def test_a_key_authenticates_its_owner_and_notes_its_use(session: Session, alice: User) -> None:
    raw = do_create_api_key(session=session, actor=alice, user_id=alice.id)
    stored = session.exec(select(ApiKey)).one()
    assert raw.startswith(f"mtg_{stored.prefix}_")
    assert stored.key_hash == digest(raw)
    assert raw not in (stored.key_hash, stored.prefix)
    assert stored.last_used_at is None

    assert authenticate_api_key(session=session, raw_key=raw).id == alice.id
    session.refresh(stored)
    assert stored.last_used_at is not None


def test_wrong_or_revoked_keys_authenticate_nobody(session: Session, alice: User) -> None:
    raw = do_create_api_key(session=session, actor=alice, user_id=alice.id)
    prefix = raw.split("_")[1]
    for bad in ["", "Bearer x", "mtg_", f"mtg_{prefix}_wrong-secret", raw + "x", "xyz_" + raw[4:]]:
        assert authenticate_api_key(session=session, raw_key=bad) is None
    key = session.exec(select(ApiKey)).one()
    do_revoke_api_key(session=session, actor=alice, key_id=key.id)
    assert authenticate_api_key(session=session, raw_key=raw) is None


def test_a_deactivated_user_s_keys_stop_working(session: Session, alice: User) -> None:
    raw = do_create_api_key(session=session, actor=alice, user_id=alice.id)
    alice.is_active = False
    session.add(alice)
    session.commit()
    assert authenticate_api_key(session=session, raw_key=raw) is None
