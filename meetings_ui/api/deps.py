"""FastAPI dependencies: the request's database session, the client's IP and the API key's
owner."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from meetings_ui.api.errors import ApiError
from meetings_ui.client_ip import client_ip
from meetings_ui.domain.messages import N_
from meetings_ui.services.api_keys import authenticate_api_key
from meetings_ui.services.guard import Actor
from meetings_ui.services.transactions import Session, database_session

DatabaseSession = Annotated[Session, Depends(database_session)]


def request_ip(request: Request) -> str:
    """The client's address (client_ip.py: trusted proxy hops only)."""
    peer = request.client.host if request.client else ""
    return client_ip(peer, ", ".join(request.headers.getlist("x-forwarded-for")))


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from Settings, sent as `Authorization: Bearer mtg_…`.",
)


def api_caller(
    session: DatabaseSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The active owner of the API key in the request; 401 for anyone else."""
    user = (
        authenticate_api_key(session=session, raw_key=credentials.credentials)
        if credentials is not None
        else None
    )
    if user is None:
        raise ApiError(
            401,
            "unauthorized",
            N_("Send a valid API key as Authorization: Bearer <key>."),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


Caller = Annotated[Actor, Depends(api_caller)]
