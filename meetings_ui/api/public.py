"""The REST API (/api/v1): public booking endpoints, and link and booking management for
the holder of an API key (Authorization: Bearer <key>). Described at /api/v1/openapi.json.

Handlers are plain functions: Starlette runs them in its thread pool, so the database
and provider calls never block the event loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import anyio.from_thread
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meetings_ui import routes
from meetings_ui.api.openapi import openapi_document
from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.domain.link_settings import LinkSettings
from meetings_ui.domain.time_zones import UnknownTimeZoneError, zone
from meetings_ui.models import Booking, MeetingLink, User
from meetings_ui.services import bookings as booking_service
from meetings_ui.services import links as link_service
from meetings_ui.services import scheduling
from meetings_ui.services.api_keys import authenticate_api_key
from meetings_ui.services.links import host_ids_of


def error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


def invalid(
    problems: list[tuple[str, str]], message: str = "Some fields need fixing."
) -> JSONResponse:
    return error(
        422, "invalid", message, problems=[{"field": f, "message": m} for f, m in problems]
    )


def _json_body(request: Request) -> dict[str, Any] | JSONResponse:
    """The JSON object in the body; handlers run in a worker thread, the body on the loop."""
    try:
        body = json.loads(anyio.from_thread.run(request.body) or b"null")
    except (ValueError, UnicodeDecodeError):
        return error(400, "bad_json", "The request body is not valid JSON.")
    if not isinstance(body, dict):
        return error(422, "invalid", "The request body must be a JSON object.")
    return body


def _public_link(session: Session, slug: str) -> MeetingLink | None:
    return link_service.link_by_slug(session=session, slug=slug)


def link_summary(session: Session, link: MeetingLink) -> dict[str, Any]:
    settings = link.settings
    owner = session.get(User, link.owner_id)
    return {
        "slug": link.slug,
        "name": link.name,
        "host": owner.display_name,
        "link_type": link.link_type,
        "durations": list(settings.durations),
        "questions": [
            {"id": "name", "label": "Name", "kind": "text", "required": True, "choices": []},
            {"id": "email", "label": "Email", "kind": "text", "required": True, "choices": []},
            *(
                {
                    "id": q.id,
                    "label": q.label,
                    "kind": q.kind,
                    "required": q.required,
                    "choices": list(q.choices),
                }
                for q in settings.questions
            ),
        ],
        "mode": "online" if scheduling.is_online(session, link) else "offline",
        "host_time_zone": settings.time_zone,
    }


def booking_json(session: Session, booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "link_id": booking.link_id,
        "status": booking.status,
        "start": booking.start_at.astimezone(zone(booking.prospect_time_zone)).isoformat(),
        "end": booking.end_at.astimezone(zone(booking.prospect_time_zone)).isoformat(),
        "timezone": booking.prospect_time_zone,
        "name": booking.prospect_name,
        "email": booking.prospect_email,
        "answers": booking.answers,
        "host_id": booking.host_id,
        "cancel_url": booking_service.cancel_url(booking),
        "reschedule_url": booking_service.reschedule_url(booking),
        "ics_url": booking_service.ics_url(booking),
    }


# --- public ----------------------------------------------------------------------------


def get_link(request: Request) -> Response:
    with session_scope() as session:
        link = _public_link(session, request.path_params["slug"])
        if link is None:
            return error(404, "not_found", "No meeting link at this address.")
        return JSONResponse(link_summary(session, link))


def parse_slot_query(
    params: dict[str, str], settings: LinkSettings
) -> tuple[datetime, datetime, str, int] | JSONResponse:
    time_zone = params.get("timezone", "UTC")
    try:
        zone(time_zone)
    except UnknownTimeZoneError:
        return error(400, "bad_timezone", f"{time_zone!r} is not an IANA time zone.")
    try:
        first = date.fromisoformat(params["start"])
        last = date.fromisoformat(params.get("end") or params["start"])
    except (KeyError, ValueError):
        return error(400, "bad_range", "Give start and end as YYYY-MM-DD.")
    if last < first:
        return error(400, "bad_range", "The range ends before it starts.")
    if (last - first).days + 1 > scheduling.MAX_RANGE_DAYS:
        return error(
            400, "bad_range", f"Ask for at most {scheduling.MAX_RANGE_DAYS} days at a time."
        )
    raw_duration = params.get("duration")
    try:
        duration = int(raw_duration) if raw_duration else settings.durations[0]
    except ValueError:
        return error(400, "bad_duration", "duration is a number of minutes.")
    if duration not in settings.durations:
        return error(
            400,
            "bad_duration",
            f"This link offers {', '.join(map(str, settings.durations))} minutes.",
        )
    start, end = scheduling.day_range(first, last, time_zone)
    return start, end, time_zone, duration


def get_slots(request: Request) -> Response:
    with session_scope() as session:
        link = _public_link(session, request.path_params["slug"])
        if link is None:
            return error(404, "not_found", "No meeting link at this address.")
        settings = link.settings
        parsed = parse_slot_query(dict(request.query_params), settings)
        if isinstance(parsed, Response):
            return parsed
        start, end, time_zone, duration = parsed
        tz = zone(time_zone)
        _, slots = scheduling.link_slots(
            session=session,
            link=link,
            start=start,
            end=end,
            duration=duration,
            now=datetime.now(UTC),
        )
        return JSONResponse(
            {
                "timezone": time_zone,
                "duration": duration,
                "slots": [
                    {
                        "start": s.start.astimezone(tz).isoformat(),
                        "end": s.end.astimezone(tz).isoformat(),
                    }
                    for s in slots
                ],
            }
        )


def post_booking(request: Request) -> Response:
    body = _json_body(request)
    if isinstance(body, Response):
        return body
    with session_scope() as session:
        link = _public_link(session, request.path_params["slug"])
        if link is None:
            return error(404, "not_found", "No meeting link at this address.")
        try:
            start = datetime.fromisoformat(str(body.get("start", "")).replace("Z", "+00:00"))
            if start.tzinfo is None:
                raise ValueError
        except ValueError:
            return invalid([("start", "Give the start as an ISO-8601 time with its offset.")])
        booking_request = booking_service.BookingRequest(
            start=start,
            time_zone=body.get("timezone") if isinstance(body.get("timezone"), str) else "",
            name=body.get("name", ""),
            email=body.get("email", ""),
            answers=body.get("answers") if body.get("answers") is not None else {},
            duration=body.get("duration"),
            idempotency_key=body.get("idempotency_key"),
        )
        try:
            outcome = booking_service.do_book(session=session, link=link, request=booking_request)
        except booking_service.InvalidBookingError as refused:
            return invalid(refused.problems)
        except booking_service.SlotUnavailableError:
            return _slot_taken(session, link, booking_request)
        return JSONResponse(
            booking_json(session, outcome.booking), status_code=201 if outcome.created else 200
        )


def _slot_taken(
    session: Session, link: MeetingLink, booking_request: booking_service.BookingRequest
) -> Response:
    """409 with fresh slots of that day, so the prospect can pick another at once."""
    settings = link.settings
    tz = zone(booking_request.time_zone)
    day = booking_request.start.astimezone(tz).date()
    start, end = scheduling.day_range(day, day, booking_request.time_zone)
    duration = booking_request.duration or settings.durations[0]
    _, slots = scheduling.link_slots(
        session=session, link=link, start=start, end=end, duration=duration, now=datetime.now(UTC)
    )
    return error(
        409,
        "slot_unavailable",
        "This time was just taken — pick another.",
        slots=[
            {"start": s.start.astimezone(tz).isoformat(), "end": s.end.astimezone(tz).isoformat()}
            for s in slots
        ],
    )


def get_invite(request: Request) -> Response:
    with session_scope() as session:
        try:
            booking = booking_service.booking_from_token(
                session=session,
                purpose=booking_service.VIEW,
                token=request.query_params.get("token", ""),
            )
        except booking_service.BookingNotFoundError:
            return error(404, "not_found", "This link is not valid.")
        return Response(
            booking_service.ics_for(session, booking),
            media_type="text/calendar",
            headers={"Content-Disposition": 'attachment; filename="meeting.ics"'},
        )


# --- with an API key ----------------------------------------------------------------------------


def _caller(session: Session, request: Request) -> User | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    return authenticate_api_key(session=session, raw_key=header[7:].strip())


def authenticated(
    handler: Callable[[Request, Session, User], Response],
) -> Callable[[Request], Response]:
    def endpoint(request: Request) -> Response:
        with session_scope() as session:
            user = _caller(session, request)
            if user is None:
                return error(
                    401, "unauthorized", "Send a valid API key as Authorization: Bearer <key>."
                )
            return handler(request, session, user)

    return endpoint


def link_json(session: Session, link: MeetingLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "name": link.name,
        "slug": link.slug,
        "url": f"{get_settings().app_url}{routes.booking_page(link.slug)}",
        "link_type": link.link_type,
        "host_ids": host_ids_of(session=session, link=link),
        "settings": link.settings.to_json(),
        "created_at": link.created_at.isoformat(),
    }


def _link_problem(refused: link_service.InvalidLinkError) -> Response:
    response = invalid(refused.problems)
    if refused.suggestions:
        body = json.loads(response.body)
        body["suggestions"] = refused.suggestions
        return JSONResponse(body, status_code=422)
    return response


@authenticated
def list_or_create_links(request: Request, session: Session, user: User) -> Response:
    if request.method == "GET":
        return JSONResponse(
            {
                "links": [
                    link_json(session, link)
                    for link in link_service.links_of(session=session, user=user)
                ]
            }
        )
    body = _json_body(request)
    if isinstance(body, Response):
        return body
    unknown = set(body) - {"name", "slug", "link_type", "settings", "host_ids"}
    if unknown:
        return invalid([(key, "is not a link field") for key in sorted(unknown)])
    try:
        link = link_service.do_create_link(
            session=session,
            owner=user,
            name=body.get("name"),
            slug=body.get("slug"),
            link_type=body.get("link_type", "one_on_one"),
            settings=body.get("settings"),
            host_ids=body.get("host_ids"),
        )
    except link_service.InvalidLinkError as refused:
        return _link_problem(refused)
    return JSONResponse(link_json(session, link), status_code=201)


@authenticated
def one_link(request: Request, session: Session, user: User) -> Response:
    try:
        link_id = int(request.path_params["link_id"])
        link = link_service.link_for(session=session, actor=user, link_id=link_id)
    except (ValueError, link_service.LinkNotFoundError):
        return error(404, "not_found", "No such meeting link.")
    if request.method == "GET":
        return JSONResponse(link_json(session, link))
    if request.method == "DELETE":
        link_service.do_delete_link(session=session, actor=user, link_id=link.id)
        return Response(status_code=204)
    body = _json_body(request)
    if isinstance(body, Response):
        return body
    try:
        link = link_service.do_update_link(
            session=session, actor=user, link_id=link.id, changes=body
        )
    except link_service.InvalidLinkError as refused:
        return _link_problem(refused)
    return JSONResponse(link_json(session, link))


@authenticated
def list_bookings(request: Request, session: Session, user: User) -> Response:
    status = request.query_params.get("status")
    if status is not None and status not in set(BookingStatus):
        return error(400, "bad_status", "status is confirmed, requested or cancelled.")
    mine = [link.id for link in link_service.links_of(session=session, user=user)]
    query = select(Booking).where(Booking.link_id.in_(mine)).order_by(Booking.start_at)
    if status:
        query = query.where(Booking.status == status)
    return JSONResponse({"bookings": [booking_json(session, b) for b in session.exec(query).all()]})


@authenticated
def cancel_booking(request: Request, session: Session, user: User) -> Response:
    try:
        booking = session.get(Booking, int(request.path_params["booking_id"]))
    except ValueError:
        booking = None
    if booking is None:
        return error(404, "not_found", "No such booking.")
    try:
        link_service.link_for(session=session, actor=user, link_id=booking.link_id)
    except link_service.LinkNotFoundError:
        return error(404, "not_found", "No such booking.")
    booking_service.do_cancel(session=session, booking=booking, reason="Cancelled by the host.")
    return JSONResponse(booking_json(session, booking))


def get_openapi(_request: Request) -> Response:
    return JSONResponse(openapi_document())


def api_routes() -> list[Route]:
    prefix = routes.API_PREFIX
    return [
        Route(f"{prefix}/openapi.json", get_openapi, methods=["GET"]),
        Route(f"{prefix}/public/links/{{slug}}", get_link, methods=["GET"]),
        Route(f"{prefix}/public/links/{{slug}}/slots", get_slots, methods=["GET"]),
        Route(f"{prefix}/public/links/{{slug}}/bookings", post_booking, methods=["POST"]),
        Route(routes.BOOKING_ICS, get_invite, methods=["GET"]),
        Route(f"{prefix}/links", list_or_create_links, methods=["GET", "POST"]),
        Route(f"{prefix}/links/{{link_id}}", one_link, methods=["GET", "PATCH", "DELETE"]),
        Route(f"{prefix}/bookings", list_bookings, methods=["GET"]),
        Route(f"{prefix}/bookings/{{booking_id}}/cancel", cancel_booking, methods=["POST"]),
    ]
