"""The REST API for the holder of an API key: their meeting links and bookings.

A link or booking that is not the caller's is a 404, exactly like one that does not
exist, so ids cannot be probed. Handlers are plain functions (FastAPI's thread pool).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from meetings_ui.api import schemas
from meetings_ui.api.deps import Caller, DatabaseSession
from meetings_ui.api.errors import ApiError, documented, invalid
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.services import api_views
from meetings_ui.services import bookings as booking_service
from meetings_ui.services import links as link_service
from meetings_ui.services.guard import ForbiddenError

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
