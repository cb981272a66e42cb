"""The REST API for the holder of an API key: their meeting links and bookings.

A link or booking that is not the caller's is a 404, exactly like one that does not
exist, so ids cannot be probed. Handlers are plain functions (FastAPI's thread pool).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Body, Path, Query, Response, status

from meetings_ui.api import schemas
from meetings_ui.api.deps import Caller, DatabaseSession
from meetings_ui.api.errors import ApiError, documented, invalid
from meetings_ui.domain.availability import Reason
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.services import api_views, host_meetings, why_not
from meetings_ui.services import bookings as booking_service
from meetings_ui.services import links as link_service
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.host_meetings import MeetingFilter

router = APIRouter(responses=documented(401))

LinkId = Annotated[int, Path(ge=1, le=schemas.MAX_ROW_ID)]
BookingId = Annotated[int, Path(ge=1, le=schemas.MAX_ROW_ID)]
NO_LINK = "No such meeting link."


def _refused(refused: link_service.InvalidLinkError) -> ApiError:
    """422 for a slug that is not allowed, 409 `slug_taken` for one another link has (S16);
    both with free `suggestions` when there are any."""
    suggestions = refused.suggestions or None
    if isinstance(refused, link_service.SlugTakenError):
        return ApiError(
            409,
            "slug_taken",
            refused.problems[0][1],
            problems=[schemas.Problem(field=f, message=m) for f, m in refused.problems],
            suggestions=suggestions,
        )
    return invalid(refused.problems, suggestions=suggestions)


@router.get("/links", tags=["links"])
def list_links(session: DatabaseSession, caller: Caller) -> schemas.Links:
    """The links the caller owns or co-hosts (after accepting), newest first."""
    return schemas.Links(
        links=[
            schemas.Link.model_validate(view)
            for view in api_views.links_of(session=session, user=caller)
        ]
    )


@router.post(
    "/links",
    tags=["links"],
    status_code=status.HTTP_201_CREATED,
    responses=documented(400, 409, 422),
)
def create_link(body: schemas.NewLink, session: DatabaseSession, caller: Caller) -> schemas.Link:
    try:
        link = link_service.do_create_link(session=session, owner=caller, **body.model_dump())
    except link_service.InvalidLinkError as refused:
        raise _refused(refused) from None
    return schemas.Link.model_validate(api_views.link_view(session=session, link=link))


@router.get("/links/{link_id}", tags=["links"], responses=documented(404))
def get_link(link_id: LinkId, session: DatabaseSession, caller: Caller) -> schemas.Link:
    try:
        view = api_views.link_of(session=session, actor=caller, link_id=link_id)
    except link_service.LinkNotFoundError:
        raise ApiError(404, "not_found", NO_LINK) from None
    return schemas.Link.model_validate(view)


def _why_reason(reason: Reason) -> schemas.WhyReason:
    return schemas.WhyReason(kind=str(reason.kind), message=str(reason.message))


@router.get("/links/{link_id}/why", tags=["links"], responses=documented(404, 422))
def why_not_free(
    link_id: LinkId,
    session: DatabaseSession,
    caller: Caller,
    start: Annotated[
        datetime,
        Query(
            description="ISO 8601; without a UTC offset, a wall-clock time in the link's zone.",
            examples=["2030-01-07T10:00"],
        ),
    ],
    duration: Annotated[int, Query(ge=1, le=24 * 60, description="Minutes; one the link offers.")],
) -> schemas.WhyNot:
    """Why a meeting at `start` cannot be booked on the link (for its hosts and admins):
    the engine's reasons, link-wide and host by host."""
    if not schemas.EARLIEST_DATE <= start.date() <= schemas.LATEST_DATE:
        raise invalid([("start", f"Choose a time {schemas.SUPPORTED}.")])
    try:
        answer = why_not.why_not(
            session=session, actor=caller, link_id=link_id, start=start, duration=duration
        )
    except link_service.LinkNotFoundError:
        raise ApiError(404, "not_found", NO_LINK) from None
    except why_not.InvalidQuestionError as refused:
        raise invalid([("duration", str(refused.args[0]))]) from None
    return schemas.WhyNot(
        start=answer.start,
        duration=answer.duration,
        timezone=answer.time_zone,
        bookable=answer.bookable,
        link_reasons=[_why_reason(r) for r in answer.link_reasons],
        hosts=[
            schemas.WhyHost(
                host_id=h.host_id,
                name=h.name,
                is_you=h.is_you,
                calendar_connected=h.calendar_connected,
                reasons=[_why_reason(r) for r in h.reasons],
            )
            for h in answer.hosts
        ],
    )


@router.patch("/links/{link_id}", tags=["links"], responses=documented(400, 404, 409, 422))
def update_link(
    link_id: LinkId, body: schemas.LinkChanges, session: DatabaseSession, caller: Caller
) -> schemas.Link:
    try:
        link = link_service.do_update_link(
            session=session,
            actor=caller,
            link_id=link_id,
            changes=body.model_dump(exclude_unset=True),
        )
    except link_service.LinkNotFoundError:
        raise ApiError(404, "not_found", NO_LINK) from None
    except link_service.InvalidLinkError as refused:
        raise _refused(refused) from None
    return schemas.Link.model_validate(api_views.link_view(session=session, link=link))


@router.delete(
    "/links/{link_id}",
    tags=["links"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=documented(404),
)
def delete_link(link_id: LinkId, session: DatabaseSession, caller: Caller) -> Response:
    try:
        link_service.do_delete_link(session=session, actor=caller, link_id=link_id)
    except link_service.LinkNotFoundError:
        raise ApiError(404, "not_found", NO_LINK) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/links/{link_id}/leave",
    tags=["links"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=documented(403, 404),
)
def leave_link(link_id: LinkId, session: DatabaseSession, caller: Caller) -> Response:
    """Stop co-hosting a link you accepted; its owner deletes it instead (403)."""
    try:
        link_service.do_leave_link(session=session, actor=caller, link_id=link_id)
    except link_service.LinkNotFoundError:
        raise ApiError(404, "not_found", NO_LINK) from None
    except ForbiddenError as refused:
        raise ApiError(403, "forbidden", str(refused)) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/invitations", tags=["invitations"])
def list_invitations(session: DatabaseSession, caller: Caller) -> schemas.Invitations:
    """The caller's open invitations to co-host a link, newest first."""
    views = link_service.invitations_for(session=session, actor=caller)
    return schemas.Invitations(invitations=[schemas.Invitation.model_validate(v) for v in views])


def _answer(link_id: int, session: DatabaseSession, caller: Caller, *, accept: bool) -> Response:
    try:
        link_service.do_answer_invitation(
            session=session, actor=caller, link_id=link_id, accept=accept
        )
    except link_service.InvitationNotFoundError:
        raise ApiError(404, "not_found", "No such open invitation.") from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/invitations/{link_id}/accept",
    tags=["invitations"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=documented(404),
)
def accept_invitation(link_id: LinkId, session: DatabaseSession, caller: Caller) -> Response:
    """Host the link from now on: it uses your free time and calendar."""
    return _answer(link_id, session, caller, accept=True)


@router.post(
    "/invitations/{link_id}/decline",
    tags=["invitations"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=documented(404),
)
def decline_invitation(link_id: LinkId, session: DatabaseSession, caller: Caller) -> Response:
    """Say no; the owner sees it and may ask again."""
    return _answer(link_id, session, caller, accept=False)


@router.get("/bookings", tags=["bookings"], responses=documented(400))
def list_bookings(
    session: DatabaseSession,
    caller: Caller,
    status: Annotated[BookingStatus | None, Query(description="Only these.")] = None,
) -> schemas.Bookings:
    """The bookings of the caller's links, earliest first."""
    views = api_views.bookings_of(session=session, user=caller, status=status)
    return schemas.Bookings(bookings=[schemas.Booking.model_validate(view) for view in views])


@router.post("/bookings/{booking_id}/cancel", tags=["bookings"], responses=documented(404, 409))
def cancel_booking(
    booking_id: BookingId, session: DatabaseSession, caller: Caller
) -> schemas.Booking:
    """Cancel it: the calendar event goes, and both people are told (by the background
    delivery, right after this answer). 409 once the meeting has started."""
    try:
        view = api_views.cancel_booking(session=session, actor=caller, booking_id=booking_id)
    except booking_service.MeetingStartedError as started:
        raise ApiError(409, "meeting_started", str(started)) from None
    except booking_service.BookingNotFoundError:
        raise ApiError(404, "not_found", "No such booking.") from None
    return schemas.Booking.model_validate(view)


# --- the host's scheduled meetings -------------------------------------------------------------

MeetingId = Annotated[int, Path(ge=1, le=schemas.MAX_ROW_ID)]
NO_MEETING = "No such meeting."
T = TypeVar("T")
OptionalConfirm = Annotated[schemas.Confirm | None, Body()]
OptionalNote = Annotated[schemas.HostNote | None, Body()]


@router.get("/meetings", tags=["meetings"], responses=documented(400))
def list_meetings(
    session: DatabaseSession,
    caller: Caller,
    filter: Annotated[MeetingFilter, Query(description="Which meetings.")] = MeetingFilter.ALL,
    link_id: Annotated[int | None, Query(ge=1, le=schemas.MAX_ROW_ID)] = None,
    search: Annotated[str, Query(max_length=200, description="Prospect name or email.")] = "",
    offset: Annotated[int, Query(ge=0, le=schemas.MAX_ROW_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=host_meetings.MAX_PAGE_SIZE)] = host_meetings.PAGE_SIZE,
) -> schemas.Meetings:
    """The meetings on the caller's links (and those they attend as a group's co-host):
    requests to answer first, then upcoming ones soonest first, then past ones latest first."""
    page = host_meetings.meetings_of(
        session=session,
        actor=caller,
        which=filter,
        link_id=link_id,
        search=search,
        offset=offset,
        limit=limit,
    )
    return schemas.Meetings.model_validate(page)


def _meeting_action(action: Callable[..., T], **kwargs: object) -> T:
    """Run a host action; its refusals as the API's errors."""
    try:
        return action(**kwargs)
    except booking_service.TimeNowBusyError as busy:
        raise ApiError(409, "time_busy", str(busy)) from None
    except booking_service.MeetingStartedError as started:
        raise ApiError(409, "meeting_started", str(started)) from None
    except booking_service.RequestClosedError as closed:
        raise ApiError(409, "request_closed", str(closed)) from None
    except booking_service.SlotUnavailableError as taken:
        raise ApiError(409, "slot_unavailable", str(taken)) from None
    except booking_service.BookingNotFoundError:
        raise ApiError(404, "not_found", NO_MEETING) from None
    except ForbiddenError as refused:
        raise ApiError(403, "forbidden", str(refused)) from None
    except booking_service.InvalidBookingError as refused:
        raise invalid(refused.problems) from None


def _meeting(session: DatabaseSession, caller: Caller, meeting_id: int) -> schemas.Meeting:
    view = host_meetings.meeting_of(session=session, actor=caller, booking_id=meeting_id)
    return schemas.Meeting.model_validate(view)


@router.post(
    "/meetings/{meeting_id}/confirm", tags=["meetings"], responses=documented(403, 404, 409)
)
def confirm_meeting(
    meeting_id: MeetingId, session: DatabaseSession, caller: Caller, body: OptionalConfirm = None
) -> schemas.Confirmed:
    """Confirm an offline-mode request: its time is read again in the calendars (409
    `time_busy` unless `anyway`), the event is written if a calendar is connected now, and
    the prospect is told. Confirming twice is harmless (`already`)."""
    done = _meeting_action(
        host_meetings.do_confirm,
        session=session,
        actor=caller,
        booking_id=meeting_id,
        anyway=body is not None and body.anyway,
    )
    return schemas.Confirmed(
        meeting_id=done.booking.id,
        calendar_write_queued=done.calendar_write_queued,
        already=done.already,
    )


@router.post(
    "/meetings/{meeting_id}/decline", tags=["meetings"], responses=documented(403, 404, 409, 422)
)
def decline_meeting(
    meeting_id: MeetingId, session: DatabaseSession, caller: Caller, body: OptionalNote = None
) -> schemas.Meeting:
    """Decline an offline-mode request; the prospect is emailed, with `message` if given."""
    _meeting_action(
        host_meetings.do_decline,
        session=session,
        actor=caller,
        booking_id=meeting_id,
        message=body.message if body else "",
    )
    return _meeting(session, caller, meeting_id)


@router.post(
    "/meetings/{meeting_id}/cancel", tags=["meetings"], responses=documented(403, 404, 409, 422)
)
def cancel_meeting(
    meeting_id: MeetingId, session: DatabaseSession, caller: Caller, body: OptionalNote = None
) -> schemas.Meeting:
    """Cancel a meeting: the calendar event goes and both people are told, with `message`."""
    _meeting_action(
        host_meetings.do_cancel,
        session=session,
        actor=caller,
        booking_id=meeting_id,
        message=body.message if body else "",
    )
    return _meeting(session, caller, meeting_id)


@router.post(
    "/meetings/{meeting_id}/reschedule",
    tags=["meetings"],
    responses=documented(403, 404, 409, 422),
)
def reschedule_meeting(
    meeting_id: MeetingId, session: DatabaseSession, caller: Caller, body: schemas.Reschedule
) -> schemas.Meeting:
    """Move a meeting to a free time of its link: answers the new meeting (a new id); the
    old one is cancelled and the prospect gets both emails. 409 `slot_unavailable` when
    the time is not free."""
    moved = _meeting_action(
        host_meetings.do_reschedule,
        session=session,
        actor=caller,
        booking_id=meeting_id,
        new_start=body.start,
    )
    return _meeting(session, caller, moved.id)
