"""REST API keys: shown once, stored as a SHA-256, found by a public prefix.

A key reads "mtg_<prefix>_<secret>"; the REST API takes it as `Authorization: Bearer <key>`.
"""

from __future__ import annotations

import hmac
import secrets

from sqlmodel import Session, select

from meetings_ui.domain.messages import Text
from meetings_ui.models import ApiKey, User, utc_now
from meetings_ui.services import audit
from meetings_ui.services.accounts import AccountError
from meetings_ui.services.guard import Actor, require_self_or_admin
from meetings_ui.services.tokens import digest
from meetings_ui.services.transactions import use_case

KEY_SCHEME = "mtg"


@use_case
def do_create_api_key(*, session: Session, actor: Actor, user_id: int) -> str:
    """Returns the raw key; it cannot be shown again."""
    require_self_or_admin(actor, user_id)
    user = session.get(User, user_id)
    if user is None:
        raise AccountError(Text("That account no longer exists."))
    prefix = secrets.token_hex(6)
    raw_key = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    session.add(ApiKey(user_id=user.id, prefix=prefix, key_hash=digest(raw_key)))
    session.commit()
    audit.record(
        session=session,
        actor_id=actor.id,
        action="api_key.created",
        target=user.email,
        details={"prefix": prefix},
    )
    return raw_key


def authenticate_api_key(*, session: Session, raw_key: str) -> User | None:
    """The active owner of a live key, or None; notes when the key was last used."""
    scheme, _, rest = raw_key.strip().partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != KEY_SCHEME or not prefix or not secret:
        return None
    key = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.key_hash, digest(raw_key.strip())):
        return None
    user = session.get(User, key.user_id)
    if user is None or not user.is_active:
        return None
    key.last_used_at = utc_now()
    session.add(key)
    session.commit()
    return user


@use_case
def do_revoke_api_key(*, session: Session, actor: Actor, key_id: int) -> None:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise AccountError(Text("That API key does not exist."))
    require_self_or_admin(actor, key.user_id)
    if key.revoked_at is None:
        key.revoked_at = utc_now()
        session.add(key)
        session.commit()
        audit.record(
            session=session,
            actor_id=actor.id,
            action="api_key.revoked",
            target=str(key.user_id),
            details={"prefix": key.prefix},
        )
