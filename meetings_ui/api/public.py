"""The public half of the REST API: a link, its free slots, booking one, its .ics.

Handlers are plain functions: FastAPI runs them in its thread pool, so the database and
provider calls never block the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from pydantic_core import to_json

from meetings_ui import i18n, routes
from meetings_ui.api import schemas
from meetings_ui.api.deps import DatabaseSession, request_ip
from meetings_ui.api.errors import ApiError, documented, invalid, said
from meetings_ui.domain.messages import N_, Text
from meetings_ui.services import api_views, challenges, domain_brand, rate_limits
from meetings_ui.services import bookings as booking_service
from meetings_ui.services.links import LinkNotFoundError
from meetings_ui.services.transactions import Session

router = APIRouter(prefix="/public", tags=["public"])

Slug = Annotated[
    str,
    Path(
        max_length=60,
        pattern=r"^[A-Za-z0-9-]+$",
        description="The URL ending, in any case (links are found by its lower-case form).",
    ),
]
NO_LINK = N_("No meeting link at this address.")
# The .ics route answers text/calendar; its errors are the usual JSON body.
JSON_ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
# 429 answers say when to come back.
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}


class CalendarResponse(Response):
    media_type = "text/calendar"


def limited(*statuses: int) -> dict[int | str, dict]:
    """`documented(...)` plus the 429 of a rate-limited route, with its Retry-After header."""
    responses = documented(*statuses, 429)
    responses[429] = {**responses[429], "headers": RETRY_AFTER}
    return responses


def _served_here(request: Request, slug: str, session: Session | None = None) -> None:
    """A link is not served "through" another custom domain (docs/custom-domains.md).
    `session`: the request's, for a read-only route (else a session of its own)."""
    if not domain_brand.api_serves_link(
        session=session, slug=slug, host=request.headers.get("host")
    ):
        raise ApiError(404, "not_found", NO_LINK)


def _throttle(check: Callable[..., None], request: Request, slug: str) -> None:
    """Count this request (client IP, link); a 429 with Retry-After when over a limit."""
    try:
        check(client_ip=request_ip(request), slug=slug)
    except rate_limits.RateLimitedError as refused:
        raise ApiError(
            429,
            "rate_limited",
            Text(
                "Too many requests: try again in {seconds} seconds.",
                seconds=refused.retry_after,
            ),
            headers={"Retry-After": str(refused.retry_after)},
        ) from None


@router.get("/challenges/{action}", responses=documented())
def get_challenge(
    action: Annotated[
        Literal["booking", "password-reset"], Path(description="What the challenge is for.")
    ],
) -> schemas.Challenge:
    """What to solve before `action`; send the solution in the `X-Meetings-Challenge`
    header (proof of work: `<challenge>:<nonce>`). `kind` is "none" when nothing is asked."""
    issued = challenges.issue(action)
    if issued is None:
        return schemas.Challenge(kind="none")
    return schemas.Challenge.model_validate(issued)


@router.get("/links/{slug}", responses=documented(404))
def get_link(slug: Slug, session: DatabaseSession, request: Request) -> schemas.PublicLink:
    _served_here(request, slug, session)
    try:
        view = api_views.public_link(session=session, slug=slug)
    except LinkNotFoundError:
        raise ApiError(404, "not_found", NO_LINK) from None
    return schemas.PublicLink.model_validate(view)


@router.get("/links/{slug}/slots", response_model=schemas.Slots, responses=limited(400, 404))
def get_slots(
    slug: Slug,
    session: DatabaseSession,
    request: Request,
    start: Annotated[
        schemas.SupportedDate, Query(description=f"The first day, {schemas.SUPPORTED}.")
    ],
    end: Annotated[
        schemas.SupportedDate | None, Query(description="The last day (default: start).")
    ] = None,
    timezone: Annotated[
        schemas.TimeZone, Query(description="The zone of the days and of the answer.")
    ] = "UTC",
    duration: Annotated[
        int | None, Query(ge=5, le=24 * 60, description="Minutes (default: the link's first).")
    ] = None,
) -> Response:
    """Free slots starting on the days from `start` to `end` (at most 62 days) in `timezone`;
    at most `api_views.MAX_SLOTS` of them, else a 400 `bad_range` naming a shorter range."""
    # The answer is written here, as schemas.Slots describes it (the same bytes), with
    # pydantic's serializer on plain values: validating up to 2000 slots into models and
    # FastAPI checking them again cost more than everything else the request does.
    _throttle(rate_limits.slots_query, request, slug)
    _served_here(request, slug, session)
    try:
        view = api_views.open_slots(
            session=session,
            slug=slug,
            first_day=start,
            last_day=end,
            time_zone=timezone,
            duration=duration,
        )
    except LinkNotFoundError:
        raise ApiError(404, "not_found", NO_LINK) from None
    except api_views.InvalidSlotQueryError as refused:
        raise ApiError(400, f"bad_{refused.field}", said(refused)) from None
    return Response(slots_json(view), media_type="application/json")


def slots_json(view: api_views.SlotsView) -> bytes:
    """`schemas.Slots.model_validate(view).model_dump_json()`, without the models."""
    return to_json(
        {
            "timezone": view.timezone,
            "duration": view.duration,
            "slots": [{"start": slot.start, "end": slot.end} for slot in view.slots],
        }
    )


@router.post(
    "/links/{slug}/bookings",
    status_code=status.HTTP_201_CREATED,
    responses={
        201: {
            "model": schemas.Booking,
            "description": "Booked. The confirmation emails and the calendar event follow in "
            "the background, moments later (never lost if the mail server is down).",
        },
        200: {"model": schemas.Booking, "description": "The same request was booked before."},
        **limited(400, 404, 409, 422),
    },
)
def post_booking(
    slug: Slug,
    body: schemas.BookingRequest,
    session: DatabaseSession,
    request: Request,
    response: Response,
    solution: Annotated[
        str | None,
        Header(
            alias="X-Meetings-Challenge",
            max_length=challenges.MAX_SOLUTION_LENGTH,
            description="The solved challenge, when the server asks one (GET /challenges/booking).",
        ),
    ] = None,
) -> schemas.Booking:
    """Book a slot: 201 when booked, 200 when this `idempotency_key` was booked already,
    409 with the day's free slots when someone was quicker; 400 `challenge_failed` when
    the server asks a challenge and the header does not answer it. The confirmation email
    is sent in the background, so the answer never waits for the mail server. The
    prospect's emails are written in the language of the request's Accept-Language."""
    _throttle(rate_limits.booking_request, request, slug)
    _served_here(request, slug)
    try:
        challenges.verify(challenges.BOOKING, solution, request_ip(request))
    except challenges.ChallengeFailedError as failed:
        raise ApiError(400, "challenge_failed", said(failed)) from None
    wanted = booking_service.BookingRequest(
        time_zone=body.timezone, **body.model_dump(exclude={"timezone"})
    )
    try:
        view, created = api_views.book(
            session=session,
            slug=slug,
            request=wanted,
            locale=i18n.negotiate(request.headers.get("accept-language")),
        )
    except LinkNotFoundError:
        raise ApiError(404, "not_found", NO_LINK) from None
    except booking_service.InvalidBookingError as refused:
        raise invalid(refused.problems) from None
    except api_views.SlotTakenError as taken:
        raise ApiError(
            409,
            "slot_unavailable",
            N_("This time was just taken — pick another."),
            slots=[schemas.Slot.model_validate(slot) for slot in taken.slots],
        ) from None
    if not created:
        response.status_code = status.HTTP_200_OK
    return schemas.Booking.model_validate(view)


@router.get(
    routes.BOOKING_ICS.removeprefix(f"{routes.API_PREFIX}/public"),
    response_class=CalendarResponse,
    responses={
        200: {
            "content": {"text/calendar": {"schema": {"type": "string"}}},
            "description": "The meeting as an iCalendar file.",
        },
        404: {"description": "No booking for this token.", "content": JSON_ERROR_BODY},
        "4XX": {"description": "Any other client error", "content": JSON_ERROR_BODY},
    },
)
def get_invite(
    session: DatabaseSession,
    token: Annotated[str, Query(description="From the booking's ics_url.")] = "",
) -> CalendarResponse:
    try:
        booking = booking_service.booking_from_token(
            session=session, purpose=booking_service.VIEW, token=token
        )
    except booking_service.BookingNotFoundError:
        raise ApiError(404, "not_found", N_("This link is not valid.")) from None
    return CalendarResponse(
        booking_service.ics_for(session, booking),
        headers={"Content-Disposition": 'attachment; filename="meeting.ics"'},
    )
