"""Contacts (S4, S5): the host's own contacts, paged on the server, and each contact's
record: details, meetings (booked, synced from the calendar, or created here), form
submissions, and Create meeting."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import reflex as rx

from meetings_ui import i18n, routes
from meetings_ui.components.forms import confirm_dialog, dialog_actions, form_error, labelled
from meetings_ui.components.i18n import t
from meetings_ui.components.layout import host_shell
from meetings_ui.domain.enums import BookingStatus, MeetingSource
from meetings_ui.domain.messages import N_
from meetings_ui.domain.time_zones import zone
from meetings_ui.services import contacts as contact_service
from meetings_ui.state.auth import AuthState

SOURCE_LABELS = {
    MeetingSource.BOOKING_PAGE: N_("Booking page"),
    MeetingSource.CALENDAR_SYNC: N_("Calendar sync"),
    MeetingSource.CONTACT_RECORD: N_("Created here"),
}
STATUS_LABELS = {
    BookingStatus.CONFIRMED: N_("Confirmed"),
    BookingStatus.REQUESTED: N_("Requested"),
    BookingStatus.CANCELLED: N_("Cancelled"),
}
CONTACT_FIELDS = ("email", "name", "phone", "company", "notes")
# The fields a refusal names, as their labels say them.
FIELD_LABELS = {
    "email": N_("Email"),
    "name": N_("Name"),
    "phone": N_("Phone"),
    "company": N_("Company"),
    "notes": N_("Notes"),
    "title": N_("Title"),
    "date": N_("Date"),
    "time": N_("Time"),
    "start": N_("Start"),
    "duration": N_("Duration"),
    "description": N_("Description"),
    "meeting": N_("Meeting"),
    "other_id": N_("Merge with"),
}
NOT_FOUND = N_("This contact does not exist, or it is not one of yours.")


def _when(instant: datetime | None, time_zone: str, locale: str) -> str:
    """A moment in the host's zone, written as the reader's locale writes it."""
    if instant is None:
        return ""
    return i18n.format_datetime(instant, locale, zone(time_zone), "medium")


def _problems(state: AuthState, refused: contact_service.InvalidContactError) -> str:
    return "\n".join(
        state.t(
            "{field}: {problem}",
            field=state.translate(FIELD_LABELS.get(field, field.capitalize())),
            problem=state.translate(message),
        )
        for field, message in refused.problems
    )


@dataclasses.dataclass
class ContactListRow:
    id: int
    name: str
    email: str
    company: str
    owner: str
    meetings: int
    last_meeting: str
    href: str


class ContactsState(AuthState):
    rows: list[ContactListRow] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    search: str = ""
    sort: str = "name"
    loaded: bool = False
    editor_open: bool = False
    form: dict[str, str] = {}
    problems: str = ""
    duplicate_href: str = ""
    saving: bool = False

    @rx.var
    def counts(self) -> str:
        if self.total == 0:
            return ""
        first = (self.page - 1) * contact_service.PAGE_SIZE + 1
        last = min(self.page * contact_service.PAGE_SIZE, self.total)
        return self.t("{first}–{last} of {total}", first=first, last=last, total=self.total)

    @rx.event
    def load(self) -> None:
        self._load()

    def _load(self) -> None:
        user = self._current_user()
        if user is None:
            return
        found = contact_service.list_contacts(
            actor=user, search=self.search, page=self.page, sort=self.sort
        )
        if not found.rows and found.page > 1:  # the last page emptied meanwhile
            self.page = found.pages
            found = contact_service.list_contacts(
                actor=user, search=self.search, page=self.page, sort=self.sort
            )
        time_zone = getattr(user, "time_zone", "UTC") or "UTC"
        self.rows = [
            ContactListRow(
                r.id,
                r.name or r.email,
                r.email,
                r.company,
                r.owner_email,
                r.meetings,
                _when(r.last_meeting_at, time_zone, self.locale),
                routes.contact(r.id),
            )
            for r in found.rows
        ]
        self.total, self.pages, self.loaded = found.total, found.pages, True

    @rx.event
    def search_for(self, text: str) -> None:
        self.search, self.page = text, 1
        self._load()

    @rx.event
    def sort_by(self, sort: str) -> None:
        self.sort, self.page = sort, 1
        self._load()

    @rx.event
    def turn(self, step: int) -> None:
        self.page = min(max(self.page + step, 1), self.pages)
        self._load()

    @rx.event
    def new_contact(self) -> None:
        self.form = dict.fromkeys(CONTACT_FIELDS, "")
        self.problems, self.duplicate_href, self.editor_open = "", "", True

    @rx.event
    def close_editor(self) -> None:
        self.editor_open = False

    @rx.event
    def set_field(self, key: str, value: str) -> None:
        self.form = {**self.form, key: value}

    @rx.event
    def create(self) -> list | None:
        self.saving, self.problems, self.duplicate_href = True, "", ""
        try:
            contact = contact_service.do_create_contact(
                actor=self._require_actor(),
                **{key: self.form.get(key, "") for key in CONTACT_FIELDS},
            )
        except contact_service.InvalidContactError as refused:
            self.saving, self.problems = False, _problems(self, refused)
            if refused.existing_id is not None:
                self.duplicate_href = routes.contact(refused.existing_id)
            return None
        except contact_service.ContactNotFoundError as refused:
            self.saving, self.problems = False, self.translate(str(refused))
            return None
        self.saving, self.editor_open = False, False
        return [
            rx.redirect(routes.contact(contact.id)),
            rx.toast.success(self.t("Contact created")),
        ]


def contact_fields(state: type[rx.State], prefix: str) -> rx.Component:
    """The editable fields of a contact, bound to `state.form`."""

    def one(
        label: rx.Var[str], key: str, *, textarea: bool = False, kind: str = "text"
    ) -> rx.Component:
        field_id = f"{prefix}-{key}"
        props = {
            "id": field_id,
            "value": state.form.get(key, ""),
            "on_change": lambda v: state.set_field(key, v),
            "width": "100%",
        }
        control = rx.text_area(rows="3", **props) if textarea else rx.input(type=kind, **props)
        return labelled(label, control, field_id)

    return rx.vstack(
        one(t("Email"), "email", kind="email"),
        one(t("Name"), "name"),
        one(t("Phone"), "phone", kind="tel"),
        one(t("Company"), "company"),
        one(t("Notes"), "notes", textarea=True),
        spacing="3",
        width="100%",
    )


def _new_contact_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("New contact")),
            contact_fields(ContactsState, "contact"),
            form_error(ContactsState.problems),
            rx.cond(
                ContactsState.duplicate_href != "",
                rx.link(t("Open the contact with this email"), href=ContactsState.duplicate_href),
            ),
            dialog_actions(
                t("Cancel"),
                ContactsState.close_editor,
                rx.button(t("Save"), on_click=ContactsState.create, loading=ContactsState.saving),
            ),
            max_width="32em",
        ),
        open=ContactsState.editor_open,
        on_open_change=lambda _: ContactsState.close_editor(),
    )


def _list_row(row: ContactListRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.link(row.name, href=row.href),
                rx.cond(
                    AuthState.is_admin,
                    rx.text(t("Host: {host}", host=row.owner), size="1", color_scheme="gray"),
                ),
                spacing="0",
            )
        ),
        rx.table.cell(row.email),
        rx.table.cell(row.company),
        rx.table.cell(row.meetings),
        rx.table.cell(row.last_meeting),
    )


def pager(
    counts: rx.Var[str],
    page: rx.Var[int],
    pages: rx.Var[int],
    turn: rx.EventHandler,
    previous_label: rx.Var[str],
    next_label: rx.Var[str],
) -> rx.Component:
    """Previous and Next under a list paged on the server, and where in it we are; the
    labels name the list ("Previous page of contacts")."""
    return rx.hstack(
        rx.text(counts, size="2", color_scheme="gray"),
        rx.button(
            t("Previous"),
            size="1",
            variant="soft",
            disabled=page <= 1,
            on_click=turn(-1),
            aria_label=previous_label,
        ),
        rx.button(
            t("Next"),
            size="1",
            variant="soft",
            disabled=page >= pages,
            on_click=turn(1),
            aria_label=next_label,
        ),
        align="center",
        spacing="2",
    )


def _contact_list() -> rx.Component:
    return rx.cond(
        ~ContactsState.loaded,
        rx.hstack(rx.spinner(), rx.text(t("Loading your contacts…")), role="status"),
        rx.cond(
            ContactsState.rows.length() > 0,
            rx.vstack(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in (
                                    t("Name"),
                                    t("Email"),
                                    t("Company"),
                                    t("Meetings"),
                                    t("Last meeting"),
                                )
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(ContactsState.rows, _list_row)),
                    width="100%",
                ),
                pager(
                    ContactsState.counts,
                    ContactsState.page,
                    ContactsState.pages,
                    ContactsState.turn,
                    t("Previous page of contacts"),
                    t("Next page of contacts"),
                ),
                width="100%",
            ),
            rx.callout(
                rx.cond(
                    ContactsState.search != "",
                    t("No contact matches “{search}”.", search=ContactsState.search),
                    t(
                        "No contacts yet. People who book a meeting with you appear here; you "
                        "can also add a contact yourself."
                    ),
                ),
                icon="users",
                role="status",
            ),
        ),
    )


@rx.page(
    route=routes.CONTACTS,
    title=t("Contacts · Meetings"),
    on_load=[AuthState.require_user, ContactsState.load],
)
def contacts() -> rx.Component:
    return host_shell(
        t("Contacts"),
        rx.hstack(
            rx.input(
                placeholder=t("Search by name, email or company"),
                aria_label=t("Search contacts"),
                type="search",
                value=ContactsState.search,
                on_change=ContactsState.search_for.debounce(300),
                width="22em",
            ),
            rx.el.select(
                rx.el.option(t("Sort by name"), value="name"),
                rx.el.option(t("Sort by last meeting"), value="last_meeting"),
                aria_label=t("Sort contacts"),
                value=ContactsState.sort,
                on_change=ContactsState.sort_by,
                style={"padding": "0.4em"},
            ),
            rx.spacer(),
            rx.button(t("New contact"), on_click=ContactsState.new_contact),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        _contact_list(),
        _new_contact_dialog(),
    )


# --- one contact's record ---------------------------------------------------------------------


@dataclasses.dataclass
class MeetingItem:
    id: int
    title: str
    description: str
    when: str
    source: str
    status: str
    cancelled: bool
    calendar_error: str
    in_calendar: bool
    can_cancel: bool  # and edit: a meeting created here, not cancelled
    local_date: str  # in the host's zone, for the edit dialog
    local_time: str
    minutes: str


@dataclasses.dataclass
class AnswerItem:
    label: str
    value: str


@dataclasses.dataclass
class SubmissionItem:
    heading: str
    answers: list[AnswerItem]


@dataclasses.dataclass
class PickItem:
    id: int
    label: str


class ContactRecordState(AuthState):
    found: bool = True
    loaded: bool = False
    details: dict[str, str] = {}
    can_change: bool = False
    calendar_connected: bool = False
    calendar_account: str = ""
    time_zone: str = "UTC"
    tab: str = contact_service.UPCOMING
    meetings: list[MeetingItem] = []
    meetings_total: int = 0
    meetings_page: int = 1
    submissions: list[SubmissionItem] = []
    submissions_total: int = 0
    submissions_page: int = 1
    # Edit
    editor_open: bool = False
    form: dict[str, str] = {}
    problems: str = ""
    saving: bool = False
    # Create meeting
    meeting_open: bool = False
    meeting_form: dict[str, str] = {}
    meeting_problems: str = ""
    editing_meeting_id: int = 0  # 0: the dialog creates a meeting
    creating: bool = False
    cancel_id: int = 0
    cancel_title: str = ""
    # Merge and delete
    merge_open: bool = False
    merge_search: str = ""
    merge_choices: list[PickItem] = []
    merge_id: int = 0
    merge_label: str = ""
    merging: bool = False
    delete_open: bool = False
    deleting: bool = False

    def _contact_id(self) -> int:
        raw = str(self.contact_id)
        return int(raw) if raw.isdigit() and len(raw) < 10 else 0

    @rx.var
    def title(self) -> str:
        return self.details.get("name") or self.details.get("email", "")

    @rx.var
    def meetings_pages(self) -> int:
        return max(1, -(-self.meetings_total // contact_service.PAGE_SIZE))

    @rx.var
    def meetings_counts(self) -> str:
        return self.t_plural("{count} meeting", "{count} meetings", self.meetings_total)

    @rx.var
    def submissions_pages(self) -> int:
        return max(1, -(-self.submissions_total // SUBMISSIONS_PAGE))

    @rx.var
    def submissions_counts(self) -> str:
        return self.t_plural("{count} submission", "{count} submissions", self.submissions_total)

    @rx.event
    def load(self) -> None:
        user = self._current_user()
        if user is None:
            return
        self.loaded, self.tab, self.meetings_page, self.submissions_page = False, "upcoming", 1, 1
        self.editor_open = self.meeting_open = self.merge_open = self.delete_open = False
        self.time_zone = getattr(user, "time_zone", "UTC") or "UTC"
        try:
            details = contact_service.get_contact(actor=user, contact_id=self._contact_id())
        except contact_service.ContactNotFoundError:
            self.found, self.loaded = False, True
            return
        self.found = True
        self.details = {
            "id": str(details.id),
            "email": details.email,
            "name": details.name,
            "phone": details.phone,
            "company": details.company,
            "notes": details.notes,
            "owner": details.owner_email,
        }
        self.can_change = details.can_change
        self.calendar_connected = details.calendar_connected
        self.calendar_account = details.calendar_account
        self._load_meetings(user)
        self._load_submissions(user)
        self.loaded = True

    def _load_meetings(self, user: object) -> None:
        try:
            found = contact_service.contact_meetings(
                actor=user,
                contact_id=self._contact_id(),
                when=self.tab,
                page=self.meetings_page,
            )
        except contact_service.ContactNotFoundError:
            self.found = False
            return
        self.meetings_total = found.total
        self.meetings = [
            MeetingItem(
                m.id,
                m.title,
                m.description,
                self.t(
                    "{start}–{end} ({zone})",
                    start=_when(m.start_at, self.time_zone, self.locale),
                    end=i18n.format_time(m.end_at, self.locale, zone(self.time_zone)),
                    zone=self.time_zone,
                ),
                self.translate(SOURCE_LABELS.get(m.source, m.source)),
                self.translate(STATUS_LABELS.get(m.status, m.status)),
                m.status == BookingStatus.CANCELLED,
                self.translate(m.calendar_error or ""),
                m.in_calendar,
                self.can_change
                and m.source == MeetingSource.CONTACT_RECORD
                and m.status != BookingStatus.CANCELLED,
                f"{m.start_at.astimezone(zone(self.time_zone)):%Y-%m-%d}",
                f"{m.start_at.astimezone(zone(self.time_zone)):%H:%M}",
                str(int((m.end_at - m.start_at).total_seconds() // 60)),
            )
            for m in found.rows
        ]

    def _load_submissions(self, user: object) -> None:
        try:
            found = contact_service.form_submissions(
                actor=user,
                contact_id=self._contact_id(),
                page=self.submissions_page,
                page_size=SUBMISSIONS_PAGE,
            )
        except contact_service.ContactNotFoundError:
            self.found = False
            return
        self.submissions_total = found.total
        self.submissions = [
            SubmissionItem(
                self.t(
                    "{link}, sent {moment} by {name} <{email}>",
                    link=s.link_name,
                    moment=_when(s.submitted_at, self.time_zone, self.locale),
                    name=s.name,
                    email=s.email,
                ),
                [AnswerItem(a.label, a.value) for a in s.answers],
            )
            for s in found.rows
        ]

    @rx.event
    def show_tab(self, tab: str) -> None:
        self.tab, self.meetings_page = tab, 1
        self._load_meetings(self._require_actor())

    @rx.event
    def turn_meetings(self, step: int) -> None:
        self.meetings_page = min(max(self.meetings_page + step, 1), self.meetings_pages)
        self._load_meetings(self._require_actor())

    @rx.event
    def turn_submissions(self, step: int) -> None:
        self.submissions_page = min(max(self.submissions_page + step, 1), self.submissions_pages)
        self._load_submissions(self._require_actor())

    # --- edit

    @rx.event
    def edit(self) -> None:
        self.form = {key: self.details.get(key, "") for key in CONTACT_FIELDS}
        self.problems, self.editor_open = "", True

    @rx.event
    def close_editor(self) -> None:
        self.editor_open = False

    @rx.event
    def set_field(self, key: str, value: str) -> None:
        self.form = {**self.form, key: value}

    @rx.event
    def save(self) -> list | None:
        self.saving, self.problems = True, ""
        try:
            contact_service.do_update_contact(
                actor=self._require_actor(),
                contact_id=self._contact_id(),
                changes={key: self.form.get(key, "") for key in CONTACT_FIELDS},
            )
        except contact_service.InvalidContactError as refused:
            self.saving, self.problems = False, _problems(self, refused)
            return None
        except contact_service.ContactNotFoundError:
            self.saving, self.problems = False, self.t(NOT_FOUND)
            return None
        self.saving = False
        return [ContactRecordState.load, rx.toast.success(self.t("Contact saved"))]

    # --- create and cancel a meeting

    @rx.event
    def new_meeting(self) -> None:
        self.meeting_form = dict.fromkeys(("title", "date", "time", "description"), "")
        self.meeting_form["duration"] = "30"
        self.meeting_problems, self.editing_meeting_id, self.meeting_open = "", 0, True

    @rx.event
    def edit_meeting(self, meeting_id: int) -> None:
        item = next((m for m in self.meetings if m.id == meeting_id), None)
        if item is None:
            return
        self.meeting_form = {
            "title": item.title,
            "date": item.local_date,
            "time": item.local_time,
            "duration": item.minutes,
            "description": item.description,
        }
        self.meeting_problems, self.editing_meeting_id, self.meeting_open = "", item.id, True

    @rx.event
    def close_meeting(self) -> None:
        self.meeting_open = False

    @rx.event
    def set_meeting_field(self, key: str, value: str) -> None:
        self.meeting_form = {**self.meeting_form, key: value}

    @rx.event
    def create_meeting(self) -> list | None:
        self.creating, self.meeting_problems = True, ""
        form = self.meeting_form
        duration_text = form.get("duration", "").strip()
        try:
            start = contact_service.local_start(
                form.get("date", ""), form.get("time", ""), self.time_zone
            )
            fields = {
                "actor": self._require_actor(),
                "contact_id": self._contact_id(),
                "title": form.get("title", ""),
                "start": start,
                "duration": int(duration_text) if duration_text.isdigit() else -1,
                "description": form.get("description", ""),
            }
            if self.editing_meeting_id:
                meeting = contact_service.do_update_meeting(
                    meeting_id=self.editing_meeting_id, **fields
                )
            else:
                meeting = contact_service.do_create_meeting(**fields)
        except contact_service.InvalidContactError as refused:
            self.creating, self.meeting_problems = False, _problems(self, refused)
            return None
        except (contact_service.ContactNotFoundError, contact_service.MeetingNotFoundError):
            self.creating, self.meeting_problems = False, self.t(NOT_FOUND)
            return None
        self.creating = False
        if self.editing_meeting_id:
            return [ContactRecordState.load, rx.toast.success(self.t("Meeting saved"))]
        done = (
            self.t("Meeting created: it is being added to your calendar, and the invitation sent")
            if meeting.connection_id is not None
            else self.t("Meeting logged on the record")
        )
        return [ContactRecordState.load, rx.toast.success(done)]

    @rx.event
    def ask_cancel(self, meeting_id: int, title: str) -> None:
        self.cancel_id, self.cancel_title = meeting_id, title

    @rx.event
    def keep_meeting(self) -> None:
        self.cancel_id = 0

    @rx.event
    def cancel_meeting(self) -> list:
        try:
            contact_service.do_cancel_meeting(
                actor=self._require_actor(),
                contact_id=self._contact_id(),
                meeting_id=self.cancel_id,
            )
        except (contact_service.ContactNotFoundError, contact_service.MeetingNotFoundError):
            self.cancel_id = 0
            return [
                ContactRecordState.load,
                rx.toast.error(self.t("That meeting cannot be cancelled.")),
            ]
        self.cancel_id = 0
        return [ContactRecordState.load, rx.toast.success(self.t("Meeting cancelled"))]

    # --- merge

    @rx.event
    def open_merge(self) -> None:
        self.merge_search, self.merge_id, self.merge_label = "", 0, ""
        self.merge_open = True
        self._find_merge_choices()

    @rx.event
    def close_merge(self) -> None:
        self.merge_open = False

    @rx.event
    def search_merge(self, text: str) -> None:
        self.merge_search = text
        self._find_merge_choices()

    def _find_merge_choices(self) -> None:
        found = contact_service.list_contacts(
            actor=self._require_actor(),
            search=self.merge_search,
            page_size=8,
            exclude_id=self._contact_id(),
        )
        self.merge_choices = [  # admins list everyone's: only this owner's may merge
            PickItem(r.id, f"{r.name} <{r.email}>" if r.name else r.email)
            for r in found.rows
            if r.owner_email == self.details.get("owner", "")
        ]

    @rx.event
    def pick_merge(self, contact_id: int, label: str) -> None:
        self.merge_id, self.merge_label = contact_id, label

    @rx.event
    def keep_both(self) -> None:
        self.merge_id = 0

    @rx.event
    def merge(self) -> list:
        self.merging = True
        try:
            contact_service.do_merge_contacts(
                actor=self._require_actor(), keep_id=self._contact_id(), other_id=self.merge_id
            )
        except (contact_service.ContactNotFoundError, contact_service.InvalidContactError):
            self.merging, self.merge_id = False, 0
            return [rx.toast.error(self.t("Those contacts cannot be merged."))]
        self.merging, self.merge_id, self.merge_open = False, 0, False
        return [ContactRecordState.load, rx.toast.success(self.t("Contacts merged"))]

    # --- delete

    @rx.event
    def ask_delete(self) -> None:
        self.delete_open = True

    @rx.event
    def keep(self) -> None:
        self.delete_open = False

    @rx.event
    def delete(self) -> list:
        self.deleting = True
        try:
            contact_service.do_delete_contact(
                actor=self._require_actor(), contact_id=self._contact_id()
            )
        except contact_service.ContactNotFoundError:
            self.deleting, self.delete_open = False, False
            return [rx.toast.error(self.t(NOT_FOUND))]
        self.deleting, self.delete_open = False, False
        return [rx.redirect(routes.CONTACTS), rx.toast.success(self.t("Contact deleted"))]


SUBMISSIONS_PAGE = 5


def _detail(label: rx.Var[str], key: str) -> rx.Component:
    value = ContactRecordState.details.get(key, "")
    return rx.cond(
        value != "",
        rx.data_list.item(
            rx.data_list.label(label),
            rx.data_list.value(rx.text(value, white_space="pre-wrap")),
        ),
    )


def _details() -> rx.Component:
    return rx.card(
        rx.data_list.root(
            _detail(t("Email"), "email"),
            _detail(t("Phone"), "phone"),
            _detail(t("Company"), "company"),
            _detail(t("Notes"), "notes"),
            rx.cond(
                ~ContactRecordState.can_change,
                _detail(t("Host"), "owner"),
            ),
        ),
        width="100%",
    )


def _actions() -> rx.Component:
    return rx.cond(
        ContactRecordState.can_change,
        rx.hstack(
            rx.button(t("Create meeting"), on_click=ContactRecordState.new_meeting),
            rx.button(t("Edit"), variant="soft", on_click=ContactRecordState.edit),
            rx.button(t("Merge with…"), variant="soft", on_click=ContactRecordState.open_merge),
            rx.button(
                t("Delete contact"),
                variant="soft",
                color_scheme="red",
                on_click=ContactRecordState.ask_delete,
            ),
            spacing="2",
            wrap="wrap",
        ),
    )


def _meeting(item: MeetingItem) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(item.title, weight="bold"),
                rx.badge(item.source, color_scheme="blue"),
                rx.badge(item.status, color_scheme=rx.cond(item.cancelled, "gray", "green")),
                rx.cond(item.in_calendar, rx.badge(t("In your calendar"), color_scheme="gray")),
                rx.spacer(),
                rx.cond(
                    item.can_cancel,
                    rx.button(
                        t("Edit meeting"),
                        size="1",
                        variant="soft",
                        on_click=ContactRecordState.edit_meeting(item.id),
                        aria_label=t("Edit meeting {title}", title=item.title),
                    ),
                ),
                rx.cond(
                    item.can_cancel,
                    rx.button(
                        t("Cancel meeting"),
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=ContactRecordState.ask_cancel(item.id, item.title),
                        aria_label=t("Cancel meeting {title}", title=item.title),
                    ),
                ),
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.text(item.when, size="2"),
            rx.cond(item.description != "", rx.text(item.description, size="2")),
            rx.cond(
                item.calendar_error != "",
                rx.callout(
                    t(
                        "Could not add to your calendar: {error} (tried again automatically).",
                        error=item.calendar_error,
                    ),
                    icon="triangle-alert",
                    color_scheme="orange",
                    role="alert",
                    size="1",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        role="article",
        aria_label=item.title,
        width="100%",
    )


def _meeting_list(empty: rx.Var[str]) -> rx.Component:
    """The meetings of the tab shown, paged, or `empty` when it has none."""
    return rx.cond(
        ContactRecordState.meetings.length() > 0,
        rx.vstack(
            rx.foreach(ContactRecordState.meetings, _meeting),
            pager(
                ContactRecordState.meetings_counts,
                ContactRecordState.meetings_page,
                ContactRecordState.meetings_pages,
                ContactRecordState.turn_meetings,
                t("Previous page of meetings"),
                t("Next page of meetings"),
            ),
            width="100%",
        ),
        rx.text(empty, color_scheme="gray"),
    )


def _meetings() -> rx.Component:
    """Upcoming and Past as tabs, each with its panel (the tabs control a real panel)."""
    return rx.vstack(
        rx.heading(t("Meetings"), size="5", as_="h2"),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(t("Upcoming"), value="upcoming"),
                rx.tabs.trigger(t("Past"), value="past"),
            ),
            rx.tabs.content(
                _meeting_list(t("No upcoming meetings.")), value="upcoming", padding_top="1em"
            ),
            rx.tabs.content(_meeting_list(t("No past meetings.")), value="past", padding_top="1em"),
            value=ContactRecordState.tab,
            on_change=ContactRecordState.show_tab,
            width="100%",
        ),
        width="100%",
    )


def _answer(answer: AnswerItem) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(answer.label),
        rx.data_list.value(rx.text(answer.value, white_space="pre-wrap")),
    )


def _submission(item: SubmissionItem) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(item.heading, size="2", weight="medium"),
            rx.cond(
                item.answers.length() > 0,
                rx.data_list.root(rx.foreach(item.answers, _answer)),
                rx.text(t("Only name and email."), size="2", color_scheme="gray"),
            ),
            spacing="1",
        ),
        width="100%",
    )


def _submissions() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Form submissions"), size="5", as_="h2"),
        rx.text(t("What this contact typed on your booking pages."), size="2", color_scheme="gray"),
        rx.cond(
            ContactRecordState.submissions.length() > 0,
            rx.vstack(
                rx.foreach(ContactRecordState.submissions, _submission),
                pager(
                    ContactRecordState.submissions_counts,
                    ContactRecordState.submissions_page,
                    ContactRecordState.submissions_pages,
                    ContactRecordState.turn_submissions,
                    t("Previous page of form submissions"),
                    t("Next page of form submissions"),
                ),
                width="100%",
            ),
            rx.text(t("No form submissions yet."), color_scheme="gray"),
        ),
        width="100%",
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Edit contact")),
            contact_fields(ContactRecordState, "edit"),
            form_error(ContactRecordState.problems),
            dialog_actions(
                t("Cancel"),
                ContactRecordState.close_editor,
                rx.button(
                    t("Save"), on_click=ContactRecordState.save, loading=ContactRecordState.saving
                ),
            ),
            max_width="32em",
        ),
        open=ContactRecordState.editor_open,
        on_open_change=lambda _: ContactRecordState.close_editor(),
    )


def _meeting_input(label: rx.Var[str], key: str, *, kind: str = "text") -> rx.Component:
    field_id = f"meeting-{key}"
    return labelled(
        label,
        rx.input(
            id=field_id,
            type=kind,
            value=ContactRecordState.meeting_form.get(key, ""),
            on_change=lambda v: ContactRecordState.set_meeting_field(key, v),
            width="100%",
        ),
        field_id,
    )


def _meeting_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    ContactRecordState.editing_meeting_id == 0,
                    t("Create meeting"),
                    t("Edit meeting"),
                )
            ),
            rx.cond(
                ContactRecordState.editing_meeting_id != 0,
                rx.fragment(),
                rx.cond(
                    ContactRecordState.calendar_connected,
                    rx.callout(
                        t(
                            "The meeting is added to your calendar ({calendar}) and {email} "
                            "gets an invitation from it.",
                            calendar=ContactRecordState.calendar_account,
                            email=ContactRecordState.details.get("email", ""),
                        ),
                        icon="calendar-check",
                        role="status",
                    ),
                    rx.callout(
                        t(contact_service.NO_CALENDAR),
                        icon="triangle-alert",
                        color_scheme="orange",
                        role="status",
                    ),
                ),
            ),
            rx.vstack(
                _meeting_input(t("Title"), "title"),
                rx.hstack(
                    _meeting_input(t("Date"), "date", kind="date"),
                    _meeting_input(t("Time"), "time", kind="time"),
                    width="100%",
                ),
                rx.text(
                    t("In your time zone: {zone}", zone=ContactRecordState.time_zone),
                    size="1",
                    color_scheme="gray",
                ),
                _meeting_input(t("Duration (minutes)"), "duration", kind="number"),
                labelled(
                    t("Description"),
                    rx.text_area(
                        id="meeting-description",
                        rows="3",
                        value=ContactRecordState.meeting_form.get("description", ""),
                        on_change=lambda v: ContactRecordState.set_meeting_field("description", v),
                        width="100%",
                    ),
                    "meeting-description",
                ),
                form_error(ContactRecordState.meeting_problems),
                spacing="3",
                width="100%",
                padding_top="1em",
            ),
            dialog_actions(
                t("Cancel"),
                ContactRecordState.close_meeting,
                rx.button(
                    t("Save meeting"),
                    on_click=ContactRecordState.create_meeting,
                    loading=ContactRecordState.creating,
                ),
            ),
            max_width="34em",
        ),
        open=ContactRecordState.meeting_open,
        on_open_change=lambda _: ContactRecordState.close_meeting(),
    )


def _merge_choice(item: PickItem) -> rx.Component:
    return rx.hstack(
        rx.text(item.label),
        rx.spacer(),
        rx.button(
            t("Choose"),
            size="1",
            variant="soft",
            on_click=ContactRecordState.pick_merge(item.id, item.label),
            aria_label=t("Merge {contact}", contact=item.label),
        ),
        width="100%",
        align="center",
    )


def _merge_dialog() -> rx.Component:
    return rx.fragment(
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(t("Merge with another contact")),
                rx.dialog.description(
                    t(
                        "The contact you choose is folded into this one: its meetings and "
                        "bookings move here, its details fill the empty ones here, then it is "
                        "deleted."
                    )
                ),
                rx.input(
                    placeholder=t("Search your contacts"),
                    aria_label=t("Search contacts to merge"),
                    type="search",
                    value=ContactRecordState.merge_search,
                    on_change=ContactRecordState.search_merge.debounce(300),
                    width="100%",
                    margin_top="1em",
                ),
                rx.cond(
                    ContactRecordState.merge_choices.length() > 0,
                    rx.vstack(
                        rx.foreach(ContactRecordState.merge_choices, _merge_choice),
                        width="100%",
                        padding_top="0.5em",
                    ),
                    rx.text(t("No other contact matches."), color_scheme="gray"),
                ),
                dialog_actions(t("Close"), ContactRecordState.close_merge, rx.fragment()),
                max_width="34em",
            ),
            open=ContactRecordState.merge_open,
            on_open_change=lambda _: ContactRecordState.close_merge(),
        ),
        confirm_dialog(
            title=t("Merge these contacts?"),
            description=t(
                "“{contact}” is merged into this contact and then deleted. This cannot be undone.",
                contact=ContactRecordState.merge_label,
            ),
            confirm_label=t("Merge contacts"),
            open_=ContactRecordState.merge_id != 0,
            on_keep=ContactRecordState.keep_both,
            on_confirm=ContactRecordState.merge,
            busy=ContactRecordState.merging,
        ),
    )


def _record() -> rx.Component:
    return rx.vstack(
        rx.link(t("← All contacts"), href=routes.CONTACTS),
        rx.heading(ContactRecordState.title, size="6", as_="h2"),
        _details(),
        _actions(),
        _meetings(),
        _submissions(),
        _edit_dialog(),
        _meeting_dialog(),
        _merge_dialog(),
        confirm_dialog(
            title=t("Delete this contact?"),
            description=t(
                "The contact and the meetings on its record are deleted. Bookings "
                "stay on your calendar and in your meetings."
            ),
            confirm_label=t("Delete contact"),
            open_=ContactRecordState.delete_open,
            on_keep=ContactRecordState.keep,
            on_confirm=ContactRecordState.delete,
            busy=ContactRecordState.deleting,
        ),
        confirm_dialog(
            title=t("Cancel this meeting?"),
            description=t(
                "“{title}” is cancelled; if it is on your calendar, the contact is told.",
                title=ContactRecordState.cancel_title,
            ),
            confirm_label=t("Cancel meeting"),
            open_=ContactRecordState.cancel_id != 0,
            on_keep=ContactRecordState.keep_meeting,
            on_confirm=ContactRecordState.cancel_meeting,
        ),
        spacing="4",
        width="100%",
    )


@rx.page(
    route=routes.CONTACT,
    title=t("Contact · Meetings"),
    on_load=[AuthState.require_user, ContactRecordState.load],
)
def contact_record() -> rx.Component:
    return host_shell(
        t("Contact"),
        rx.cond(
            ~ContactRecordState.loaded,
            rx.hstack(rx.spinner(), rx.text(t("Loading the contact…")), role="status"),
            rx.cond(
                ContactRecordState.found,
                _record(),
                rx.vstack(
                    rx.callout(t(NOT_FOUND), icon="circle-alert", role="alert"),
                    rx.link(t("← All contacts"), href=routes.CONTACTS),
                ),
            ),
        ),
    )
