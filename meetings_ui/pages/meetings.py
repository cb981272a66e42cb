"""Meetings dashboard: the host's booking links — list, create, edit, clone, delete, share —
and the invitations to co-host someone else's link (accept, decline, later leave); the
"Scheduled meetings" tab beside them lives in pages/scheduled_meetings.py.
No connected calendar is needed for any of it (S3)."""

from __future__ import annotations

import contextlib
import dataclasses

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.embed import embed_codes
from meetings_ui.components.forms import confirm_dialog, dialog_actions, form_error, labelled
from meetings_ui.components.i18n import t
from meetings_ui.components.labels import PROVIDER_NAMES
from meetings_ui.components.layout import data_table, host_shell
from meetings_ui.domain import link_form, slugs
from meetings_ui.domain.enums import HostStatus, LinkType, VideoMeeting
from meetings_ui.domain.link_settings import WEEKDAYS
from meetings_ui.pages.scheduled_meetings import meetings_tabs
from meetings_ui.services import delivery
from meetings_ui.services import links as link_service
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState

TYPE_LABELS = {
    LinkType.ONE_ON_ONE: "One-on-one",
    LinkType.GROUP: "Group (every host)",
    LinkType.ROUND_ROBIN: "Round robin (any host)",
}
VIDEO_LABELS = {
    VideoMeeting.NONE: "None",
    VideoMeeting.GOOGLE_MEET: "Google Meet (Google Calendar)",
    VideoMeeting.MICROSOFT_TEAMS: "Microsoft Teams (Office 365 work or school)",
}
HOST_STATUS_LABELS = {
    HostStatus.INVITED: "Waiting for them to accept",
    HostStatus.ACCEPTED: "Accepted",
    HostStatus.DECLINED: "Declined",
}
DAY_LABELS = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


@dataclasses.dataclass
class LinkRow:
    id: int
    name: str
    slug: str
    url: str
    kind: str
    durations: str
    is_default: bool
    is_owner: bool
    can_edit: bool


@dataclasses.dataclass
class InvitationRow:
    link_id: int
    link_name: str
    kind: str
    owner: str


@dataclasses.dataclass
class CoHostRow:
    id: int
    email: str
    status: str
    declined: bool


def _co_host_rows(draft: link_service.LinkDraft) -> list[CoHostRow]:
    return [
        CoHostRow(h.id, h.email, HOST_STATUS_LABELS[h.status], h.status == HostStatus.DECLINED)
        for h in draft.co_hosts
    ]


def _form_from(draft: link_service.LinkDraft) -> dict[str, str]:
    data = draft.settings.to_json()
    form = {
        "name": draft.name,
        "slug": draft.slug,
        "link_type": draft.link_type,
        "hosts": ", ".join(draft.co_host_emails),
        "durations": ", ".join(map(str, data["durations"])),
        "slot_interval": str(data["slot_interval"] or ""),
        "time_zone": data["time_zone"],
        "overrides": link_form.overrides_to_text(data["overrides"]),
        "buffer_before": str(data["buffer_before"]),
        "buffer_after": str(data["buffer_after"]),
        "minimum_notice": str(data["minimum_notice"]),
        "rolling_days": str(data["rolling_days"] or ""),
        "daily_cap": str(data["daily_cap"] or ""),
        "questions": link_form.questions_to_text(data["questions"]),
        "confirmation_message": data["confirmation_message"],
        "reminders": ", ".join(map(str, data["reminders"])),
        "video": data["video"],
        "location": data["location"],
        "meeting_url": data["meeting_url"],
    }
    for day in WEEKDAYS:
        form[day] = link_form.windows_to_text(data["weekly"].get(day, []))
    return form


def _settings_from(form: dict[str, str]) -> dict:
    minutes = link_form.numbers_from_text
    return {
        "time_zone": form.get("time_zone", "").strip(),
        "durations": minutes(form.get("durations", ""), "durations"),
        "slot_interval": link_form.optional_number(form.get("slot_interval", ""), "slot_interval"),
        "weekly": link_form.weekly_from_texts(form),
        "overrides": link_form.overrides_from_text(form.get("overrides", "")),
        "buffer_before": link_form.optional_number(form.get("buffer_before", ""), "buffer_before")
        or 0,
        "buffer_after": link_form.optional_number(form.get("buffer_after", ""), "buffer_after")
        or 0,
        "minimum_notice": link_form.optional_number(
            form.get("minimum_notice", ""), "minimum_notice"
        )
        or 0,
        "rolling_days": link_form.optional_number(form.get("rolling_days", ""), "rolling_days"),
        "daily_cap": link_form.optional_number(form.get("daily_cap", ""), "daily_cap"),
        "questions": link_form.questions_from_text(form.get("questions", "")),
        "confirmation_message": form.get("confirmation_message", ""),
        "reminders": minutes(form.get("reminders", ""), "reminders"),
        "video": form.get("video", VideoMeeting.NONE),
        "location": form.get("location", ""),
        "meeting_url": form.get("meeting_url", "").strip(),
    }


class MeetingsState(AuthState):
    links: list[LinkRow] = []
    loaded: bool = False
    editor_open: bool = False
    editing_id: int = 0
    form: dict[str, str] = {}
    form_problems: list[str] = []
    saving: bool = False
    delete_id: int = 0
    delete_name: str = ""
    embed_code: str = ""  # the iframe for the link being embedded
    embed_script: str = ""  # the one-line script that inserts and sizes that iframe
    connected_provider: str = ""
    invitations: list[InvitationRow] = []
    co_hosts: list[CoHostRow] = []  # the edited link's co-hosts and their answers
    # What is wrong with the URL ending (S16), shown under it, and free ones to pick.
    slug_problems: list[str] = []
    slug_suggestions: list[str] = []
    leave_id: int = 0
    leave_name: str = ""
    # Emails and calendar writes for the host's meetings the outbox gave up on.
    delivery_problems: list[str] = []

    @rx.event
    def load(self) -> None:
        user = self._current_user()
        if user is None:
            return
        provider = str(self.router.page.params.get("connected", ""))
        self.connected_provider = PROVIDER_NAMES.get(provider, "")
        self.links = [
            LinkRow(
                link.id,
                link.name,
                link.slug,
                link.url,
                TYPE_LABELS[link.link_type],
                " / ".join(f"{d} min" for d in link.durations),
                link.is_default,
                link.is_owner,
                link.can_edit,
            )
            for link in link_service.link_summaries(actor=user)
        ]
        self.invitations = [
            InvitationRow(
                i.link_id,
                i.link_name,
                TYPE_LABELS[i.link_type],
                f"{i.owner_name} ({i.owner_email})",
            )
            for i in link_service.invitations_for(actor=user)
        ]
        self.delivery_problems = [
            f"{f.what} ({f.meeting}): {f.error}" if f.meeting else f"{f.what}: {f.error}"
            for f in delivery.my_failed_deliveries(actor=user)
        ]
        self.loaded = True

    @rx.event
    def new_link(self) -> None:
        self.form = _form_from(link_service.link_draft(actor=self._require_actor()))
        self.editing_id, self.form_problems, self.editor_open = 0, [], True
        self.co_hosts, self.slug_problems, self.slug_suggestions = [], [], []

    @rx.event
    def edit(self, link_id: int) -> rx.event.EventSpec | None:
        try:
            draft = link_service.link_draft(actor=self._require_actor(), link_id=link_id)
        except link_service.LinkNotFoundError:
            return rx.toast.error("That meeting link no longer exists.")
        self.form = _form_from(draft)
        self.co_hosts = _co_host_rows(draft)
        self.editing_id, self.form_problems, self.editor_open = link_id, [], True
        self.slug_problems, self.slug_suggestions = [], []
        return None

    @rx.event
    def invite_again(self, user_id: int) -> rx.event.EventSpec:
        actor = self._require_actor()
        try:
            asked = link_service.do_invite_again(
                actor=actor, link_id=self.editing_id, user_id=user_id
            )
            draft = link_service.link_draft(actor=actor, link_id=self.editing_id)
        except (link_service.LinkNotFoundError, link_service.InvalidLinkError):
            return rx.toast.error("That co-host cannot be invited again.")
        self.co_hosts = _co_host_rows(draft)
        return rx.toast.success(f"{asked.email} is invited again")

    @rx.event
    def set_field(self, key: str, value: str) -> None:
        self.form = {**self.form, key: value}

    @rx.event
    def check_slug(self) -> None:
        """As the host leaves the URL field: its canonical form, or why not and free ones."""
        try:
            check = link_service.check_slug(
                actor=self._require_actor(),
                typed=self.form.get("slug", ""),
                link_id=self.editing_id or None,
            )
        except link_service.LinkNotFoundError:
            return
        if not check.problems:
            self.form = {**self.form, "slug": check.slug}
        self.slug_problems, self.slug_suggestions = list(check.problems), list(check.suggestions)

    @rx.event
    def use_slug(self, slug: str) -> None:
        self.form = {**self.form, "slug": slug}
        self.slug_problems, self.slug_suggestions = [], []

    @rx.event
    def close_editor(self) -> None:
        self.editor_open = False

    @rx.event
    def save(self) -> list | None:
        user = self._require_actor()
        self.saving, self.form_problems = True, []
        self.slug_problems, self.slug_suggestions = [], []
        try:
            settings = _settings_from(self.form)
        except link_form.FormError as error:
            self.saving, self.form_problems = False, [f"{error.field}: {error.message}"]
            return None
        try:
            link_service.do_save_link(
                actor=user,
                link_id=self.editing_id or None,
                name=self.form.get("name", ""),
                slug=self.form.get("slug", ""),
                link_type=self.form.get("link_type", LinkType.ONE_ON_ONE),
                co_host_emails=self.form.get("hosts", "").split(","),
                settings=settings,
            )
        except link_service.InvalidLinkError as refused:
            self.saving = False
            self.slug_problems = [m for f, m in refused.problems if f == "slug"]
            self.slug_suggestions = refused.suggestions
            self.form_problems = [f"{f}: {m}" for f, m in refused.problems if f != "slug"]
            return None
        except (link_service.LinkNotFoundError, ForbiddenError):
            self.saving, self.form_problems = (
                False,
                ["You can only change your own meeting links."],
            )
            return None
        self.saving, self.editor_open = False, False
        return [MeetingsState.load, rx.toast.success("Meeting link saved")]

    @rx.event
    def clone(self, link_id: int) -> list:
        user = self._require_actor()
        try:
            copy = link_service.do_clone_link(actor=user, link_id=link_id)
        except link_service.LinkNotFoundError:
            return [rx.toast.error("That meeting link no longer exists.")]
        except link_service.InvalidLinkError as refused:  # its slugs kept being taken, say
            return [rx.toast.error(f"The link could not be copied: {refused}")]
        return [MeetingsState.load, rx.toast.success(f"Copied as {copy.name}")]

    @rx.event
    def ask_delete(self, link_id: int, name: str) -> None:
        self.delete_id, self.delete_name = link_id, name

    @rx.event
    def keep(self) -> None:
        self.delete_id = 0

    @rx.event
    def delete(self) -> list:
        user = self._require_actor()
        with contextlib.suppress(link_service.LinkNotFoundError):
            link_service.do_delete_link(actor=user, link_id=self.delete_id)
        self.delete_id = 0
        return [MeetingsState.load, rx.toast.success("Meeting link deleted")]

    @rx.event
    def answer(self, link_id: int, accept: bool) -> list:
        try:
            link_service.do_answer_invitation(
                actor=self._require_actor(), link_id=link_id, accept=accept
            )
        except link_service.InvitationNotFoundError:
            return [MeetingsState.load, rx.toast.error("This invitation is no longer open.")]
        done = "Invitation accepted: the link now uses your calendar" if accept else "Declined"
        return [MeetingsState.load, rx.toast.success(done)]

    @rx.event
    def ask_leave(self, link_id: int, name: str) -> None:
        self.leave_id, self.leave_name = link_id, name

    @rx.event
    def stay(self) -> None:
        self.leave_id = 0

    @rx.event
    def leave(self) -> list:
        try:
            link_service.do_leave_link(actor=self._require_actor(), link_id=self.leave_id)
        except (link_service.LinkNotFoundError, ForbiddenError):
            self.leave_id = 0
            return [MeetingsState.load, rx.toast.error("You do not co-host that link.")]
        self.leave_id = 0
        return [MeetingsState.load, rx.toast.success("You left the meeting link")]

    @rx.event
    def show_embed(self, url: str) -> None:
        self.embed_script, self.embed_code = embed_codes(url)

    @rx.event
    def hide_embed(self) -> None:
        self.embed_script, self.embed_code = "", ""


def _input(label: str, key: str, *, hint: str = "", textarea: bool = False) -> rx.Component:
    field_id = f"link-{key}"
    props = {
        "id": field_id,
        "value": MeetingsState.form.get(key, ""),
        "on_change": lambda v: MeetingsState.set_field(key, v),
        "width": "100%",
    }
    control = rx.text_area(rows="3", **props) if textarea else rx.input(**props)
    return labelled(label, control, field_id, hint=hint)


def _slug_field() -> rx.Component:
    """The URL ending, checked as the host leaves it (S16); what is wrong shows under it,
    with free endings that fill it in one click."""
    return rx.vstack(
        labelled(
            "URL ending",
            rx.input(
                id="link-slug",
                value=MeetingsState.form.get("slug", ""),
                on_change=lambda v: MeetingsState.set_field("slug", v),
                on_blur=MeetingsState.check_slug,
                aria_describedby="link-slug-problems",
                width="100%",
            ),
            "link-slug",
            hint=f"Left empty, it comes from your Meetings URL. Use {slugs.ALLOWED_CHARACTERS}; "
            "capitals become lower case. One link per ending, across every domain.",
        ),
        rx.cond(
            MeetingsState.slug_problems.length() > 0,
            rx.vstack(
                rx.foreach(
                    MeetingsState.slug_problems,
                    lambda p: rx.text(p, color=rx.color("red", 11), size="2"),
                ),
                id="link-slug-problems",
                role="alert",
                spacing="1",
            ),
        ),
        rx.cond(
            MeetingsState.slug_suggestions.length() > 0,
            rx.hstack(
                rx.text("Free:", size="2"),
                rx.foreach(
                    MeetingsState.slug_suggestions,
                    lambda s: rx.button(
                        s,
                        size="1",
                        variant="outline",
                        on_click=MeetingsState.use_slug(s),
                        aria_label="Use " + s,
                    ),
                ),
                role="group",
                aria_label="Free alternatives",
                wrap="wrap",
            ),
        ),
        spacing="1",
        width="100%",
    )


def _select(
    label: str, key: str, options: dict[str, str], default: str, *, hint: str = ""
) -> rx.Component:
    """A native select under its label, like the link type's."""
    control = rx.el.select(
        *[rx.el.option(text, value=value) for value, text in options.items()],
        id=f"link-{key}",
        value=MeetingsState.form.get(key, default),
        on_change=lambda v: MeetingsState.set_field(key, v),
        style={"padding": "0.4em"},
    )
    return labelled(label, control, f"link-{key}", hint=hint)


def _editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(MeetingsState.editing_id == 0, "New meeting link", "Edit meeting link")
            ),
            rx.scroll_area(
                rx.vstack(
                    _input("Name", "name"),
                    _slug_field(),
                    rx.vstack(
                        rx.el.label(
                            "Link type", html_for="link-link_type", style={"font_weight": "500"}
                        ),
                        rx.el.select(
                            *[
                                rx.el.option(label, value=value)
                                for value, label in TYPE_LABELS.items()
                            ],
                            id="link-link_type",
                            value=MeetingsState.form.get("link_type", LinkType.ONE_ON_ONE),
                            on_change=lambda v: MeetingsState.set_field("link_type", v),
                            style={"padding": "0.4em"},
                        ),
                        spacing="1",
                    ),
                    _input(
                        "Other hosts",
                        "hosts",
                        hint="Emails of members of this workspace, separated by commas (group "
                        "and round robin links). Each one accepts an invitation before the link "
                        "uses their calendar; an admin adds members directly.",
                    ),
                    _co_host_statuses(),
                    _input("Durations (minutes)", "durations", hint="For example 30, 60"),
                    _input(
                        "Time zone",
                        "time_zone",
                        hint="The zone of the hours below, e.g. Europe/Paris",
                    ),
                    rx.heading("Weekly hours", size="3", as_="h3"),
                    *[_input(f"{DAY_LABELS[d]} hours", d, hint="") for d in WEEKDAYS],
                    _input(
                        "Date overrides",
                        "overrides",
                        textarea=True,
                        hint="One per line: 2026-12-24: off or 2026-12-26: 10:00-12:00",
                    ),
                    _input(
                        "Start times every (minutes)",
                        "slot_interval",
                        hint="Empty: every meeting length",
                    ),
                    _input("Buffer before (minutes)", "buffer_before"),
                    _input("Buffer after (minutes)", "buffer_after"),
                    _input("Minimum notice (minutes)", "minimum_notice"),
                    _input("Bookable days ahead", "rolling_days"),
                    _input("Most meetings per day", "daily_cap"),
                    _input(
                        "Questions",
                        "questions",
                        textarea=True,
                        hint="One per line; end with * if required; Topic*: Sales | Support "
                        "for a choice. Name and email are always asked.",
                    ),
                    _input("Confirmation message", "confirmation_message", textarea=True),
                    _input(
                        "Reminder emails (minutes before)", "reminders", hint="For example 1440, 60"
                    ),
                    rx.heading("Where to meet", size="3", as_="h3"),
                    _select(
                        "Video meeting",
                        "video",
                        VIDEO_LABELS,
                        VideoMeeting.NONE,
                        hint="Added to each booked event by your connected calendar; the join "
                        "link is shown after booking and emailed.",
                    ),
                    _input("Location", "location", hint="A place, e.g. Office, 3 rue X"),
                    _input(
                        "Web address to join",
                        "meeting_url",
                        hint="Your own meeting room, e.g. https://zoom.us/j/… (not with a "
                        "video meeting above)",
                    ),
                    form_error(MeetingsState.form_problems.join("\n")),
                    spacing="3",
                    padding_right="1em",
                ),
                type="auto",
                scrollbars="vertical",
                style={"max_height": "65vh"},
            ),
            dialog_actions(
                "Cancel",
                MeetingsState.close_editor,
                rx.button("Save", on_click=MeetingsState.save, loading=MeetingsState.saving),
            ),
            max_width="40em",
        ),
        open=MeetingsState.editor_open,
        on_open_change=lambda _: MeetingsState.close_editor(),
    )


def _co_host_row(host: CoHostRow) -> rx.Component:
    return rx.hstack(
        rx.text(host.email),
        rx.badge(host.status),
        rx.cond(
            host.declined,
            rx.button(
                "Invite again",
                size="1",
                variant="soft",
                on_click=MeetingsState.invite_again(host.id),
                aria_label="Invite " + host.email + " again",
            ),
        ),
        align="center",
        wrap="wrap",
    )


def _co_host_statuses() -> rx.Component:
    """Each co-host's answer: the link uses only those who accepted."""
    return rx.cond(
        MeetingsState.co_hosts.length() > 0,
        rx.vstack(
            rx.text("Co-hosts", weight="medium"),
            rx.text("Bookings use only the hosts who accepted.", size="1", color_scheme="gray"),
            rx.foreach(MeetingsState.co_hosts, _co_host_row),
            role="group",
            aria_label="Co-hosts",
            spacing="1",
        ),
    )


def _action(
    label: str, action: rx.event.EventSpec, name: rx.Var, red: bool = False
) -> rx.Component:
    return rx.button(
        label,
        size="1",
        variant="soft",
        on_click=action,
        aria_label=f"{label} " + name,
        **({"color_scheme": "red"} if red else {}),
    )


def _row(row: LinkRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.text(row.name),
                rx.cond(row.is_default, rx.badge("Default")),
                rx.cond(~row.is_owner, rx.badge("Co-host", color_scheme="gray")),
            )
        ),
        rx.table.cell(rx.link(row.url, href=row.url, is_external=True)),
        rx.table.cell(row.kind),
        rx.table.cell(row.durations),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    row.can_edit,
                    rx.fragment(
                        _action("Edit", MeetingsState.edit(row.id), row.name),
                        _action("Clone", MeetingsState.clone(row.id), row.name),
                    ),
                ),
                _action("Embed", MeetingsState.show_embed(row.url), row.name),
                rx.cond(
                    row.can_edit,
                    _action("Delete", MeetingsState.ask_delete(row.id, row.name), row.name, True),
                ),
                rx.cond(
                    ~row.is_owner,
                    _action("Leave", MeetingsState.ask_leave(row.id, row.name), row.name, True),
                ),
                spacing="2",
            )
        ),
    )


def _invitation(invitation: InvitationRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.text(
                invitation.owner,
                " invites you to host “",
                rx.text.strong(invitation.link_name),
                "” (",
                invitation.kind,
                "). Until you accept, it does not use your calendar or your free time.",
            ),
            rx.hstack(
                rx.button(
                    "Accept",
                    size="1",
                    on_click=MeetingsState.answer(invitation.link_id, True),
                    aria_label="Accept the invitation to host " + invitation.link_name,
                ),
                rx.button(
                    "Decline",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=MeetingsState.answer(invitation.link_id, False),
                    aria_label="Decline the invitation to host " + invitation.link_name,
                ),
                spacing="2",
            ),
            justify="between",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
    )


def _invitations() -> rx.Component:
    return rx.cond(
        MeetingsState.invitations.length() > 0,
        rx.vstack(
            rx.heading("Invitations to co-host", size="4", as_="h2"),
            rx.foreach(MeetingsState.invitations, _invitation),
            width="100%",
            spacing="2",
        ),
    )


def _list() -> rx.Component:
    return rx.cond(
        MeetingsState.links.length() > 0,
        data_table(
            ("Name", "Booking page", "Type", "Durations", "Actions"), MeetingsState.links, _row
        ),
        rx.callout(
            "No meeting links yet. Create your first one — no calendar needs to be connected.",
            icon="calendar-plus",
            role="status",
        ),
    )


def _delete_dialog() -> rx.Component:
    return confirm_dialog(
        title="Delete this meeting link?",
        description="“" + MeetingsState.delete_name + "” stops working for everyone who has it.",
        confirm_label="Delete link",
        open_=MeetingsState.delete_id != 0,
        on_keep=MeetingsState.keep,
        on_confirm=MeetingsState.delete,
    )


def _leave_dialog() -> rx.Component:
    return confirm_dialog(
        title="Leave this meeting link?",
        description="“"
        + MeetingsState.leave_name
        + "” stops using your calendar and your free time. Its owner can invite you again.",
        confirm_label="Leave link",
        open_=MeetingsState.leave_id != 0,
        on_keep=MeetingsState.stay,
        on_confirm=MeetingsState.leave,
    )


def _embed_dialog() -> rx.Component:
    def code(
        label: rx.Var[str], field_id: str, value: rx.Var[str], copy: rx.Var[str]
    ) -> rx.Component:
        return rx.vstack(
            rx.el.label(label, html_for=field_id, style={"font_weight": "500"}),
            rx.text_area(
                id=field_id,
                value=value,
                read_only=True,
                rows="3",
                width="100%",
                on_focus=rx.call_script(f"document.getElementById('{field_id}').select()"),
            ),
            rx.button(
                rx.icon("copy", size=16),
                t("Copy"),
                variant="soft",
                size="1",
                on_click=[rx.set_clipboard(value), rx.toast.success(t("Copied"))],
                aria_label=copy,
            ),
            spacing="1",
            width="100%",
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Embed on your site")),
            rx.dialog.description(
                t(
                    "Paste the script where the booking page should appear on your site: it "
                    "inserts the page and keeps it as tall as its content. Visitors book "
                    "without leaving your site."
                )
            ),
            rx.vstack(
                code(
                    t("Script snippet (recommended)"),
                    "embed-script",
                    MeetingsState.embed_script,
                    t("Copy the script"),
                ),
                code(
                    t("Embed code (a plain iframe)"),
                    "embed-code",
                    MeetingsState.embed_code,
                    t("Copy the iframe"),
                ),
                spacing="4",
                padding_top="1em",
                width="100%",
            ),
            rx.hstack(
                rx.button(t("Done"), on_click=MeetingsState.hide_embed),
                justify="end",
                padding_top="1em",
            ),
        ),
        open=MeetingsState.embed_code != "",
        on_open_change=lambda _: MeetingsState.hide_embed(),
    )


@rx.page(
    route=routes.MEETINGS,
    title="Meetings · Meetings",
    on_load=[AuthState.require_user, MeetingsState.load],
)
def meetings() -> rx.Component:
    return host_shell("Meetings", meetings_tabs(_links_tab()))


def _links_tab() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(
                "Your booking links. Prospects book free times on them; "
                "no calendar is needed to create them."
            ),
            rx.button(
                rx.icon("plus"),
                "New meeting link",
                on_click=MeetingsState.new_link,
                disabled=~rx.State.is_hydrated,
            ),
            justify="between",
            width="100%",
            align="center",
        ),
        rx.cond(
            MeetingsState.connected_provider != "",
            rx.hstack(
                rx.callout(
                    "Your "
                    + MeetingsState.connected_provider
                    + " calendar is connected: busy times now block your booking pages. "
                    "Set up your personal meeting link next.",
                    icon="circle-check",
                    color_scheme="green",
                    role="status",
                ),
                rx.button("Set up my meeting link", on_click=MeetingsState.new_link),
                align="center",
                wrap="wrap",
            ),
        ),
        _invitations(),
        rx.cond(
            MeetingsState.delivery_problems.length() > 0,
            rx.callout.root(
                rx.callout.icon(rx.icon("mail-warning")),
                rx.callout.text(
                    "Some emails or calendar writes for your meetings could not be delivered, "
                    "even after retrying for hours. An admin can retry them."
                ),
                rx.el.ul(
                    rx.foreach(
                        MeetingsState.delivery_problems, lambda p: rx.el.li(rx.text(p, size="2"))
                    )
                ),
                color_scheme="orange",
                role="alert",
                aria_label="Failed deliveries",
            ),
        ),
        rx.cond(
            MeetingsState.loaded,
            _list(),
            rx.hstack(rx.spinner(), rx.text("Loading your links…"), role="status"),
        ),
        _editor(),
        _delete_dialog(),
        _leave_dialog(),
        _embed_dialog(),
        spacing="4",
        width="100%",
    )
