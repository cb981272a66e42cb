"""The REST API's contacts (S4, S5): the caller's own contacts, the meetings on their
records, and meetings created from a record. A contact that is not the caller's is a 404,
exactly like one that does not exist; admins read every host's contacts."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from meetings_ui.api import schemas
from meetings_ui.api.deps import Caller, DatabaseSession
from meetings_ui.api.errors import ApiError, documented, invalid, said
from meetings_ui.domain.messages import N_
from meetings_ui.services import contacts as contact_service

router = APIRouter(responses=documented(401), tags=["contacts"])

ContactId = Annotated[int, Path(ge=1, le=schemas.MAX_ROW_ID)]
Page = Annotated[int, Query(ge=1, le=100_000, description="From 1.")]
PageSize = Annotated[int, Query(ge=1, le=contact_service.MAX_PAGE_SIZE)]
NO_CONTACT = N_("No such contact.")


def _refused(refused: contact_service.InvalidContactError) -> ApiError:
    if refused.existing_id is not None:
        return ApiError(
            409,
            "duplicate",
            contact_service.DUPLICATE,
            problems=refused.problems,
            contact_id=refused.existing_id,
        )
    return invalid(refused.problems)


def _missing() -> ApiError:
    return ApiError(404, "not_found", NO_CONTACT)


def _contact(session: DatabaseSession, caller: Caller, contact_id: int) -> schemas.Contact:
    view = contact_service.get_contact(session=session, actor=caller, contact_id=contact_id)
    return schemas.Contact.model_validate(view)


@router.get("/contacts", responses=documented(400))
def list_contacts(
    session: DatabaseSession,
    caller: Caller,
    search: Annotated[str, Query(max_length=200, description="In name, email, company.")] = "",
    sort: Literal["name", "last_meeting"] = "name",
    page: Page = 1,
    page_size: PageSize = contact_service.PAGE_SIZE,
) -> schemas.Contacts:
    """The caller's contacts (every host's for admins), one page at a time."""
    found = contact_service.list_contacts(
        session=session, actor=caller, search=search, sort=sort, page=page, page_size=page_size
    )
    return schemas.Contacts(
        contacts=[schemas.ContactSummary.model_validate(row) for row in found.rows],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
    )


@router.post("/contacts", status_code=status.HTTP_201_CREATED, responses=documented(409, 422))
def create_contact(
    body: schemas.NewContact, session: DatabaseSession, caller: Caller
) -> schemas.Contact:
    """409 `duplicate` (with `contact_id`) when you already have a contact with the email."""
    try:
        contact = contact_service.do_create_contact(
            session=session, actor=caller, **body.model_dump(exclude_none=True)
        )
    except contact_service.InvalidContactError as refused:
        raise _refused(refused) from None
    except contact_service.ContactNotFoundError as refused:
        raise ApiError(403, "forbidden", said(refused)) from None
    return _contact(session, caller, contact.id)


@router.get("/contacts/{contact_id}", responses=documented(404))
def get_contact(contact_id: ContactId, session: DatabaseSession, caller: Caller) -> schemas.Contact:
    try:
        return _contact(session, caller, contact_id)
    except contact_service.ContactNotFoundError:
        raise _missing() from None


@router.patch("/contacts/{contact_id}", responses=documented(404, 409, 422))
def update_contact(
    contact_id: ContactId, body: schemas.ContactChanges, session: DatabaseSession, caller: Caller
) -> schemas.Contact:
    try:
        contact_service.do_update_contact(
            session=session,
            actor=caller,
            contact_id=contact_id,
            changes=body.model_dump(exclude_unset=True, exclude_none=True),
        )
    except contact_service.ContactNotFoundError:
        raise _missing() from None
    except contact_service.InvalidContactError as refused:
        raise _refused(refused) from None
    return _contact(session, caller, contact_id)


@router.delete(
    "/contacts/{contact_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=documented(404),
)
def delete_contact(contact_id: ContactId, session: DatabaseSession, caller: Caller) -> Response:
    """The meetings on its record go; its bookings stay, without a contact."""
    try:
        contact_service.do_delete_contact(session=session, actor=caller, contact_id=contact_id)
    except contact_service.ContactNotFoundError:
        raise _missing() from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/contacts/{contact_id}/merge", responses=documented(404, 422))
def merge_contacts(
    contact_id: ContactId, body: schemas.Merge, session: DatabaseSession, caller: Caller
) -> schemas.Contact:
    """Fold `other_id` into this contact: its meetings and bookings move here, empty
    fields are filled from it, and it is deleted."""
    try:
        contact_service.do_merge_contacts(
            session=session, actor=caller, keep_id=contact_id, other_id=body.other_id
        )
    except contact_service.ContactNotFoundError:
        raise _missing() from None
    except contact_service.InvalidContactError as refused:
        raise _refused(refused) from None
    return _contact(session, caller, contact_id)


@router.get("/contacts/{contact_id}/meetings", responses=documented(400, 404))
def list_meetings(
    contact_id: ContactId,
    session: DatabaseSession,
    caller: Caller,
    when: Literal["upcoming", "past"] = "upcoming",
    page: Page = 1,
    page_size: PageSize = contact_service.PAGE_SIZE,
) -> schemas.ContactMeetings:
    """Upcoming meetings soonest first, or past ones latest first."""
    try:
        found = contact_service.contact_meetings(
            session=session,
            actor=caller,
            contact_id=contact_id,
            when=when,
            page=page,
            page_size=page_size,
        )
    except contact_service.ContactNotFoundError:
        raise _missing() from None
    return schemas.ContactMeetings(
        meetings=[schemas.ContactMeeting.model_validate(row) for row in found.rows],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
    )


@router.post(
    "/contacts/{contact_id}/meetings",
    status_code=status.HTTP_201_CREATED,
    responses=documented(404, 422),
)
def create_meeting(
    contact_id: ContactId,
    body: schemas.NewContactMeeting,
    session: DatabaseSession,
    caller: Caller,
) -> schemas.ContactMeeting:
    """With the owner's calendar connected, the event is added to it and the provider
    invites the contact (shortly after this answer; `calendar_error` says if it could
    not be yet). Without one, the meeting is only logged on the record."""
    try:
        meeting = contact_service.do_create_meeting(
            session=session, actor=caller, contact_id=contact_id, **body.model_dump()
        )
    except contact_service.ContactNotFoundError:
        raise _missing() from None
    except contact_service.InvalidContactError as refused:
        raise _refused(refused) from None
    return schemas.ContactMeeting.model_validate(contact_service.meeting_row(meeting))


@router.put("/contacts/{contact_id}/meetings/{meeting_id}", responses=documented(404, 422))
def update_meeting(
    contact_id: ContactId,
    meeting_id: ContactId,
    body: schemas.NewContactMeeting,
    session: DatabaseSession,
    caller: Caller,
) -> schemas.ContactMeeting:
    """Change a meeting created on the record (all its fields); its calendar event follows
    and the provider tells the contact."""
    try:
        meeting = contact_service.do_update_meeting(
            session=session,
            actor=caller,
            contact_id=contact_id,
            meeting_id=meeting_id,
            **body.model_dump(),
        )
    except (contact_service.ContactNotFoundError, contact_service.MeetingNotFoundError):
        raise ApiError(404, "not_found", N_("No such meeting created on this record.")) from None
    except contact_service.InvalidContactError as refused:
        raise _refused(refused) from None
    return schemas.ContactMeeting.model_validate(contact_service.meeting_row(meeting))


@router.post("/contacts/{contact_id}/meetings/{meeting_id}/cancel", responses=documented(404))
def cancel_meeting(
    contact_id: ContactId,
    meeting_id: ContactId,
    session: DatabaseSession,
    caller: Caller,
) -> schemas.ContactMeeting:
    """Cancel a meeting created on the record; its calendar event is cancelled too."""
    try:
        meeting = contact_service.do_cancel_meeting(
            session=session, actor=caller, contact_id=contact_id, meeting_id=meeting_id
        )
    except (contact_service.ContactNotFoundError, contact_service.MeetingNotFoundError):
        raise ApiError(404, "not_found", N_("No such meeting created on this record.")) from None
    return schemas.ContactMeeting.model_validate(contact_service.meeting_row(meeting))
