"""Meetings dashboard: the host's booking links — list, create, edit, clone, delete, share —
and the invitations to co-host someone else's link (accept, decline, later leave); the
"Scheduled meetings" tab beside them lives in pages/scheduled_meetings.py.
No connected calendar is needed for any of it (S3).

The link editor holds availability as structure (domain/link_form.py): each weekday on or
off with its intervals, dates with their own hours, durations as chips, numbers with their
unit. Every change is checked by `LinkSettings.from_json`, the one validator, and its
problems are shown next to the fields they are about.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Generator
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from meetings_ui import routes
from meetings_ui.components import availability_editor as editor
from meetings_ui.components.embed import embed_codes
from meetings_ui.components.forms import confirm_dialog, dialog_actions, form_error
from meetings_ui.components.i18n import t
from meetings_ui.components.labels import PROVIDER_NAMES
from meetings_ui.components.layout import data_table, host_shell
from meetings_ui.components.time_zone_picker import time_zone_picker
from meetings_ui.domain import link_form, slugs
from meetings_ui.domain.enums import HostStatus, LinkType, VideoMeeting
from meetings_ui.domain.link_form import DateHours, DayHours, QuestionRow
from meetings_ui.domain.link_settings import WEEKDAYS, InvalidSettingsError, LinkSettings
from meetings_ui.domain.messages import N_
from meetings_ui.domain.time_zones import is_time_zone, local_date, zone
from meetings_ui.pages.scheduled_meetings import meetings_tabs
from meetings_ui.services import delivery
from meetings_ui.services import links as link_service
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState
from meetings_ui.state.navigation import query_value

TYPE_LABELS = {
    LinkType.ONE_ON_ONE: N_("One-on-one"),
    LinkType.GROUP: N_("Group (every host)"),
    LinkType.ROUND_ROBIN: N_("Round robin (any host)"),
}
VIDEO_LABELS = {
    VideoMeeting.NONE: N_("None"),
    VideoMeeting.GOOGLE_MEET: N_("Google Meet (Google Calendar)"),
    VideoMeeting.MICROSOFT_TEAMS: N_("Microsoft Teams (Office 365 work or school)"),
}
HOST_STATUS_LABELS = {
    HostStatus.INVITED: N_("Waiting for them to accept"),
    HostStatus.ACCEPTED: N_("Accepted"),
    HostStatus.DECLINED: N_("Declined"),
}
DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
         N_("Saturday"), N_("Sunday")),
        strict=True,
    )
)  # fmt: skip
UNIT_NAMES = {"minutes": N_("minutes"), "hours": N_("hours"), "days": N_("days")}
# Problems shown next to their field; any other goes in the alert at the foot of the form.
INLINE_FIELDS = frozenset(
    {"time_zone", "durations", "slot_interval", "buffer_before", "buffer_after",
     "minimum_notice", "rolling_days", "daily_cap", "reminders"}
)  # fmt: skip
OTHER_FIELD = N_("Settings")
FIELD_NAMES = {
    "name": N_("Name"),
    "link_type": N_("Link type"),
    "hosts": N_("Other hosts"),
    "host_ids": N_("Other hosts"),
    "questions": N_("Questions"),
    "confirmation_message": N_("Confirmation message"),
    "video": N_("Video meeting"),
    "location": N_("Location"),
    "meeting_url": N_("Web address to join"),
    "date_range": N_("Dates"),
}


@dataclasses.dataclass
class LinkRow:
    id: int
    name: str
    slug: str
    url: str
    why_url: str
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


@dataclasses.dataclass
class Chip:
    value: int
    label: str
    on: bool


def _form_from(draft: link_service.LinkDraft) -> dict[str, str]:
    """The editor's text fields; availability is held as structure beside them."""
    data = draft.settings.to_json()
    notice, notice_unit = link_form.in_unit(data["minimum_notice"])
    return {
        "name": draft.name,
        "slug": draft.slug,
        "link_type": draft.link_type,
        "hosts": ", ".join(draft.co_host_emails),
        "slot_interval": str(data["slot_interval"] or ""),
        "time_zone": data["time_zone"],
        "buffer_before": str(data["buffer_before"]),
        "buffer_after": str(data["buffer_after"]),
        "minimum_notice": notice,
        "notice_unit": notice_unit,
        "rolling_days": str(data["rolling_days"] or ""),
        "daily_cap": str(data["daily_cap"] or ""),
        "confirmation_message": data["confirmation_message"],
        "video": data["video"],
        "location": data["location"],
        "meeting_url": data["meeting_url"],
        "custom_durations": "",
        "custom_reminders": "",
    }


def _or_zero(value: int | str | None) -> int | str:
    return 0 if value is None else value


class MeetingsState(AuthState):
    links: list[LinkRow] = []
    loaded: bool = False
    editor_open: bool = False
    editing_id: int = 0
    # The editor's text fields (name, numbers...); availability is held as structure below.
    form: dict[str, str] = {}
    week: list[DayHours] = []
    dates: list[DateHours] = []
    durations: list[int] = []
    reminders: list[int] = []
    questions: list[QuestionRow] = []
    host_zone: str = "UTC"  # the host's own time zone, first in the picker
    # What LinkSettings says of the settings, by field ("weekly.mon", "durations"...), in
    # the reader's words: each shown next to its field.
    problems: dict[str, str] = {}
    form_problems: list[str] = []  # refusals of Save that no field shows
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

    def _minutes_label(self, minutes: int) -> str:
        """30 → "30 min", 90 → "1 h 30 min", 1440 → "1 day"."""
        hours, rest = divmod(minutes, 60)
        if minutes and minutes % (24 * 60) == 0:
            days = minutes // (24 * 60)
            return self.t_plural("{count} day", "{count} days", days)
        if not hours:
            return self.t("{count} min", count=minutes)
        if not rest:
            return self.t("{count} h", count=hours)
        return self.t("{hours} h {minutes} min", hours=hours, minutes=rest)

    def _chips(self, common: tuple[int, ...], chosen: list[int]) -> list[Chip]:
        return [
            Chip(value, self._minutes_label(value), on)
            for value, on in link_form.chips(common, chosen)
        ]

    @rx.var
    def duration_chips(self) -> list[Chip]:
        return self._chips(link_form.COMMON_DURATIONS, self.durations)

    @rx.var
    def reminder_chips(self) -> list[Chip]:
        return self._chips(link_form.COMMON_REMINDERS, self.reminders)

    @rx.var
    def foot_problems(self) -> str:
        """Refusals no field shows (name, hosts, where to meet...), one per line."""
        others = [
            self.t(
                "{field}: {problem}",
                field=self.t(FIELD_NAMES.get(field, OTHER_FIELD)),
                problem=message,
            )
            for field, message in self.problems.items()
            if field not in INLINE_FIELDS
            and not field.startswith(("weekly.", "overrides.", "questions"))
        ]
        return "\n".join([*self.form_problems, *others])

    @rx.event
    def load(self) -> None:
        user = self._current_user()
        if user is None:
            return
        provider = query_value(self.router, "connected")
        self.connected_provider = PROVIDER_NAMES.get(provider, "")
        self.links = [
            LinkRow(
                link.id,
                link.name,
                link.slug,
                link.url,
                routes.link_why(link.id),
                self.t(TYPE_LABELS[link.link_type]),
                " / ".join(self._minutes_label(d) for d in link.durations),
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
                self.t(TYPE_LABELS[i.link_type]),
                f"{i.owner_name} ({i.owner_email})",
            )
            for i in link_service.invitations_for(actor=user)
        ]
        self.delivery_problems = [
            f"{f.what} ({f.meeting}): {f.error}" if f.meeting else f"{f.what}: {f.error}"
            for f in delivery.my_failed_deliveries(actor=user)
        ]
        self.loaded = True

    def _co_host_rows(self, draft: link_service.LinkDraft) -> list[CoHostRow]:
        return [
            CoHostRow(
                h.id, h.email, self.t(HOST_STATUS_LABELS[h.status]), h.status == HostStatus.DECLINED
            )
            for h in draft.co_hosts
        ]

    def _open(self, draft: link_service.LinkDraft, link_id: int) -> None:
        data = draft.settings.to_json()
        self.form = _form_from(draft)
        self.week = link_form.week_from(data["weekly"])
        self.dates = link_form.dates_from(data["overrides"])
        self.durations, self.reminders = list(data["durations"]), list(data["reminders"])
        self.questions = link_form.questions_from(data["questions"])
        self.host_zone = draft.host_zone
        self.co_hosts = self._co_host_rows(draft)
        self.editing_id, self.editor_open = link_id, True
        self.problems, self.form_problems = {}, []
        self.slug_problems, self.slug_suggestions = [], []

    @rx.event
    def new_link(self) -> None:
        self._open(link_service.link_draft(actor=self._require_actor()), 0)

    @rx.event
    def edit(self, link_id: int) -> rx.event.EventSpec | None:
        try:
            draft = link_service.link_draft(actor=self._require_actor(), link_id=link_id)
        except link_service.LinkNotFoundError:
            return rx.toast.error(self.t("That meeting link no longer exists."))
        self._open(draft, link_id)
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
            return rx.toast.error(self.t("That co-host cannot be invited again."))
        self.co_hosts = self._co_host_rows(draft)
        return rx.toast.success(self.t("{email} is invited again", email=asked.email))

    # --- the settings: built from the editor's structure, checked by LinkSettings ---------

    def _settings_json(self) -> dict[str, Any]:
        form, number = self.form, link_form.whole_number
        return {
            "time_zone": form.get("time_zone", ""),
            "durations": list(self.durations),
            "slot_interval": number(form.get("slot_interval", "")),
            "weekly": link_form.weekly_from(self.week),
            "overrides": link_form.overrides_from(self.dates),
            "buffer_before": _or_zero(number(form.get("buffer_before", ""))),
            "buffer_after": _or_zero(number(form.get("buffer_after", ""))),
            "minimum_notice": _or_zero(
                link_form.to_minutes(
                    form.get("minimum_notice", ""), form.get("notice_unit", "minutes")
                )
            ),
            "rolling_days": number(form.get("rolling_days", "")),
            "daily_cap": number(form.get("daily_cap", "")),
            "questions": link_form.questions_json(self.questions),
            "confirmation_message": form.get("confirmation_message", ""),
            "reminders": list(self.reminders),
            "video": form.get("video", VideoMeeting.NONE),
            "location": form.get("location", ""),
            "meeting_url": form.get("meeting_url", "").strip(),
        }

    def _by_field(self, problems: list[tuple[str, str]]) -> dict[str, str]:
        """The first problem of each field, in the reader's words; a question's own fields
        ("questions[0].label") are said under the question ("questions[0]")."""
        said: dict[str, str] = {}
        for field, message in problems:
            said.setdefault(
                field.split(".")[0] if field.startswith("questions[") else field,
                self.translate(message),
            )
        return said

    def _check(self) -> bool:
        """Ask LinkSettings, the one validator; its problems go next to their fields."""
        try:
            LinkSettings.from_json(self._settings_json())
        except InvalidSettingsError as refused:
            self.problems = self._by_field(refused.problems)
            return False
        self.problems = {}
        return True

    def _set(self, key: str, value: str) -> None:
        self.form = {**self.form, key: value}
        self._check()

    @rx.event
    def set_field(self, key: str, value: str) -> None:
        self._set(key, value)

    @rx.event
    def set_time_zone(self, zone_name: str) -> None:
        self._set("time_zone", zone_name)

    def _rows(self, kind: str) -> list[DayHours] | list[DateHours]:
        return list(self.week if kind == "week" else self.dates)

    def _put(self, kind: str, rows: list) -> None:
        if kind == "week":
            self.week = rows
        else:
            self.dates = rows
        self._check()

    def _change_intervals(self, kind: str, row: int, change: Any) -> None:
        rows = self._rows(kind)
        if not 0 <= row < len(rows):
            return
        intervals = change([list(w) for w in rows[row].intervals])
        if intervals:
            rows[row] = dataclasses.replace(rows[row], intervals=intervals)
        elif kind == "week":  # no interval left: the day is off (on brings one back)
            rows[row] = dataclasses.replace(
                rows[row], on=False, intervals=[list(link_form.DEFAULT_INTERVAL)]
            )
        else:  # a date without hours is unavailable all day
            rows[row] = dataclasses.replace(
                rows[row], off=True, intervals=[list(link_form.DEFAULT_INTERVAL)]
            )
        self._put(kind, rows)

    @rx.event
    def set_time(self, kind: str, row: int, interval: int, end: int, value: str) -> None:
        def change(intervals: list[list[str]]) -> list[list[str]]:
            if 0 <= interval < len(intervals) and end in (0, 1):
                intervals[interval][end] = value
            return intervals

        self._change_intervals(kind, row, change)

    @rx.event
    def add_interval(self, kind: str, row: int) -> None:
        self._change_intervals(kind, row, lambda ws: [*ws, link_form.next_interval(ws)])

    @rx.event
    def remove_interval(self, kind: str, row: int, interval: int) -> None:
        self._change_intervals(kind, row, lambda ws: [w for i, w in enumerate(ws) if i != interval])

    @rx.event
    def switch_day(self, row: int, on: bool) -> None:
        week = self._rows("week")
        if 0 <= row < len(week):
            week[row] = dataclasses.replace(week[row], on=bool(on))
            self._put("week", week)

    @rx.event
    def add_date(self) -> None:
        """A date with hours of its own: the first free one after today, in the link's zone,
        unavailable all day until the host gives it hours."""
        zone_name = self.form.get("time_zone", "")
        today = local_date(datetime.now(UTC), zone(zone_name) if is_time_zone(zone_name) else UTC)
        day = link_form.next_free_date([row.date for row in self.dates], today)
        new = DateHours(day, True, [list(link_form.DEFAULT_INTERVAL)])
        self._put("dates", [*self._rows("dates"), new])

    @rx.event
    def set_date(self, row: int, value: str) -> rx.event.EventSpec | None:
        dates = self._rows("dates")
        if not 0 <= row < len(dates):
            return None
        if any(other.date == value for i, other in enumerate(dates) if i != row):
            self._put("dates", dates)  # shows the date it keeps
            return rx.toast.error(self.t("That date already has its own hours."))
        dates[row] = dataclasses.replace(dates[row], date=value)
        self._put("dates", dates)
        return None

    @rx.event
    def set_date_off(self, row: int, off: bool) -> None:
        dates = self._rows("dates")
        if 0 <= row < len(dates):
            dates[row] = dataclasses.replace(dates[row], off=bool(off))
            self._put("dates", dates)

    @rx.event
    def remove_date(self, row: int) -> None:
        self._put("dates", [d for i, d in enumerate(self._rows("dates")) if i != row])

    def _toggle(self, which: str, value: int) -> None:
        if which == "durations":
            self.durations = link_form.toggled(self.durations, value)
        elif which == "reminders":
            self.reminders = link_form.toggled(self.reminders, value)

    @rx.event
    def toggle_chip(self, which: str, value: int) -> None:
        self._toggle(which, value)
        self._check()

    @rx.event
    def add_custom(self, which: str) -> None:
        """The host's own duration or reminder, in minutes, from the field beside the chips."""
        typed = link_form.whole_number(self.form.get(f"custom_{which}", ""))
        if not isinstance(typed, int) or typed <= 0:
            self.problems = {**self.problems, which: self.t("Enter a whole number of minutes.")}
            return
        chosen = self.durations if which == "durations" else self.reminders
        if typed not in chosen:
            self._toggle(which, typed)
        self.form = {**self.form, f"custom_{which}": ""}
        self._check()

    def _change_question(self, index: int, change: Any) -> None:
        rows = list(self.questions)
        if 0 <= index < len(rows):
            rows[index] = change(
                dataclasses.replace(rows[index], choices=list(rows[index].choices))
            )
            self.questions = rows
            self._check()

    @rx.event
    def add_question(self) -> None:
        self.questions = [*self.questions, QuestionRow("", "", False, False, ["", ""])]
        self._check()

    @rx.event
    def remove_question(self, index: int) -> None:
        self.questions = [q for i, q in enumerate(self.questions) if i != index]
        self._check()

    @rx.event
    def set_question_label(self, index: int, label: str) -> None:
        self._change_question(index, lambda q: dataclasses.replace(q, label=label))

    @rx.event
    def set_question_required(self, index: int, required: bool) -> None:
        self._change_question(index, lambda q: dataclasses.replace(q, required=bool(required)))

    @rx.event
    def set_question_kind(self, index: int, kind: str) -> None:
        self._change_question(index, lambda q: dataclasses.replace(q, choice=kind == "choice"))

    @rx.event
    def set_choice(self, index: int, choice: int, text: str) -> None:
        def change(question: QuestionRow) -> QuestionRow:
            if 0 <= choice < len(question.choices):
                question.choices[choice] = text
            return question

        self._change_question(index, change)

    @rx.event
    def add_choice(self, index: int) -> None:
        self._change_question(index, lambda q: dataclasses.replace(q, choices=[*q.choices, ""]))

    @rx.event
    def remove_choice(self, index: int, choice: int) -> None:
        self._change_question(
            index,
            lambda q: dataclasses.replace(
                q, choices=[c for i, c in enumerate(q.choices) if i != choice]
            ),
        )

    # --- the rest of the editor ---------------------------------------------------------------

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
        self.slug_problems = [self.translate(p) for p in check.problems]
        self.slug_suggestions = list(check.suggestions)

    @rx.event
    def use_slug(self, slug: str) -> None:
        self.form = {**self.form, "slug": slug}
        self.slug_problems, self.slug_suggestions = [], []

    @rx.event
    def close_editor(self) -> None:
        self.editor_open = False

    def _refused(self, problems: list[tuple[str, str]]) -> None:
        """Save's refusals where they belong: settings next to their fields, the URL ending
        under it, the rest at the foot of the form."""
        settings = [
            (f.removeprefix("settings."), m) for f, m in problems if f.startswith("settings.")
        ]
        self.form_problems = []
        for field, message in problems:
            if field.startswith("settings."):
                continue
            if field == "slug":
                self.slug_problems.append(self.translate(message))
            else:
                self.form_problems.append(
                    self.t(
                        "{field}: {problem}",
                        field=self.t(FIELD_NAMES.get(field, OTHER_FIELD)),
                        problem=self.translate(message),
                    )
                )
        self.problems = self._by_field(settings)

    @rx.event
    def save(self) -> Generator[Any, None, None]:
        self.form_problems, self.slug_problems, self.slug_suggestions = [], [], []
        if not self._check():
            self.form_problems = [self.t("Some settings need a change: see the messages above.")]
            return
        self.saving = True
        yield
        try:
            link_service.do_save_link(
                actor=self._require_actor(),
                link_id=self.editing_id or None,
                name=self.form.get("name", ""),
                slug=self.form.get("slug", ""),
                link_type=self.form.get("link_type", LinkType.ONE_ON_ONE),
                co_host_emails=self.form.get("hosts", "").split(","),
                settings=self._settings_json(),
            )
        except link_service.InvalidLinkError as refused:
            self.saving = False
            self._refused(refused.problems)
            self.slug_suggestions = refused.suggestions
            return
        except (link_service.LinkNotFoundError, ForbiddenError):
            self.saving = False
            self.form_problems = [self.t("You can only change your own meeting links.")]
            return
        self.saving, self.editor_open = False, False
        yield [MeetingsState.load, rx.toast.success(self.t("Meeting link saved"))]

    @rx.event
    def clone(self, link_id: int) -> list:
        user = self._require_actor()
        try:
            copy = link_service.do_clone_link(actor=user, link_id=link_id)
        except link_service.LinkNotFoundError:
            return [rx.toast.error(self.t("That meeting link no longer exists."))]
        except link_service.InvalidLinkError:  # its slugs kept being taken, say
            return [rx.toast.error(self.t("The link could not be copied: try again."))]
        return [MeetingsState.load, rx.toast.success(self.t("Copied as {name}", name=copy.name))]

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
        return [MeetingsState.load, rx.toast.success(self.t("Meeting link deleted"))]

    @rx.event
    def answer(self, link_id: int, accept: bool) -> list:
        try:
            link_service.do_answer_invitation(
                actor=self._require_actor(), link_id=link_id, accept=accept
            )
        except link_service.InvitationNotFoundError:
            return [
                MeetingsState.load,
                rx.toast.error(self.t("This invitation is no longer open.")),
            ]
        done = (
            self.t("Invitation accepted: the link now uses your calendar")
            if accept
            else self.t("Declined")
        )
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
            return [MeetingsState.load, rx.toast.error(self.t("You do not co-host that link."))]
        self.leave_id = 0
        return [MeetingsState.load, rx.toast.success(self.t("You left the meeting link"))]

    @rx.event
    def show_embed(self, url: str) -> None:
        self.embed_script, self.embed_code = embed_codes(url)

    @rx.event
    def hide_embed(self) -> None:
        self.embed_script, self.embed_code = "", ""


def _input(
    label: rx.Var[str], key: str, *, hint: rx.Var[str] | None = None, textarea: bool = False
) -> rx.Component:
    field_id = f"link-{key}"
    props = {
        "id": field_id,
        "value": MeetingsState.form.get(key, ""),
        "on_change": lambda v: MeetingsState.set_field(key, v),
        "width": "100%",
    }
    control = rx.text_area(rows="3", **props) if textarea else rx.input(**props)
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"font_weight": "500"}),
        control,
        *([editor.hint_text(hint)] if hint is not None else []),
        spacing="1",
        width="100%",
    )


def _slug_field() -> rx.Component:
    """The URL ending, checked as the host leaves it (S16); what is wrong shows under it,
    with free endings that fill it in one click."""
    return rx.vstack(
        rx.el.label(t("URL ending"), html_for="link-slug", style={"font_weight": "500"}),
        rx.input(
            id="link-slug",
            value=MeetingsState.form.get("slug", ""),
            on_change=lambda v: MeetingsState.set_field("slug", v),
            on_blur=MeetingsState.check_slug,
            aria_describedby="link-slug-problems",
            width="100%",
        ),
        editor.hint_text(
            t(
                "Left empty, it comes from your Meetings URL. Use {allowed}; capitals become "
                "lower case. One link per ending, across every domain.",
                allowed=t(slugs.ALLOWED_CHARACTERS),
            )
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
                rx.text(t("Free:"), size="2"),
                rx.foreach(
                    MeetingsState.slug_suggestions,
                    lambda s: rx.button(
                        s,
                        size="1",
                        variant="outline",
                        on_click=MeetingsState.use_slug(s),
                        aria_label=t("Use {slug}", slug=s),
                    ),
                ),
                role="group",
                aria_label=t("Free alternatives"),
                wrap="wrap",
            ),
        ),
        spacing="1",
        width="100%",
    )


def _select(
    label: rx.Var[str],
    key: str,
    options: dict[str, str],
    default: str,
    *,
    hint: rx.Var[str] | None = None,
) -> rx.Component:
    """A native select under its label; `options` are msgids, said in the reader's words."""
    return rx.vstack(
        rx.el.label(label, html_for=f"link-{key}", style={"font_weight": "500"}),
        rx.el.select(
            *[rx.el.option(t(text), value=value) for value, text in options.items()],
            id=f"link-{key}",
            value=MeetingsState.form.get(key, default),
            on_change=lambda v: MeetingsState.set_field(key, v),
            style={"padding": "0.4em"},
        ),
        *([editor.hint_text(hint)] if hint is not None else []),
        spacing="1",
    )


# --- availability ------------------------------------------------------------------------------


def _day(index: int, day: str) -> rx.Component:
    """A weekday: its on/off switch, then its intervals (or "Unavailable")."""
    row = MeetingsState.week[index]
    name = t(DAY_NAMES[day])
    switch_id = f"day-{day}"
    return rx.vstack(
        rx.hstack(
            rx.hstack(
                rx.switch(
                    id=switch_id,
                    checked=row.on,
                    on_change=lambda on: MeetingsState.switch_day(index, on),
                ),
                rx.el.label(name, html_for=switch_id, style={"font_weight": "500"}),
                align="center",
                min_width="9em",
            ),
            rx.cond(
                row.on,
                editor.intervals(
                    day_name=name,
                    items=row.intervals,
                    on_time=lambda i, end, value: MeetingsState.set_time(
                        "week", index, i, end, value
                    ),
                    on_remove=lambda i: MeetingsState.remove_interval("week", index, i),
                    on_add=MeetingsState.add_interval("week", index),
                ),
                editor.hint_text(t("Unavailable")),
            ),
            align="start",
            wrap="wrap",
            width="100%",
        ),
        editor.problem_text(MeetingsState.problems, f"weekly.{day}"),
        spacing="1",
        width="100%",
        padding_y="0.25em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _weekly_hours() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Weekly hours"), size="3", as_="h3"),
        editor.hint_text(
            t(
                "Switch on the days you take meetings and set their hours. An end at or "
                "before the start is on the next day (22:00–02:00)."
            )
        ),
        *[_day(index, day) for index, day in enumerate(WEEKDAYS)],
        role="group",
        aria_label=t("Weekly hours"),
        spacing="1",
        width="100%",
    )


def _date_row(row: rx.Var[DateHours], position: rx.Var[int]) -> rx.Component:
    """A date with hours of its own: unavailable all day, or its intervals. (Reflex names a
    foreach's index after the parameter: `position` is not the intervals' `index`.)"""
    number = position + 1
    return rx.vstack(
        rx.hstack(
            rx.input(
                type="date",
                value=row.date,
                debounce_timeout=0,
                on_change=lambda value: MeetingsState.set_date(position, value),
                aria_label=t("Date {number}", number=number),
                width="11em",
            ),
            rx.el.label(
                rx.checkbox(
                    checked=row.off,
                    on_change=lambda off: MeetingsState.set_date_off(position, off),
                    aria_label=t("Unavailable all day"),
                ),
                t("Unavailable all day"),
                style={"display": "flex", "gap": "0.5em", "align_items": "center"},
            ),
            rx.button(
                rx.icon("trash-2", size=14),
                t("Remove"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=MeetingsState.remove_date(position),
                aria_label=t("Remove the date {date}", date=row.date),
            ),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            ~row.off,
            editor.intervals(
                day_name=row.date,
                items=row.intervals,
                on_time=lambda i, end, value: MeetingsState.set_time(
                    "dates", position, i, end, value
                ),
                on_remove=lambda i: MeetingsState.remove_interval("dates", position, i),
                on_add=MeetingsState.add_interval("dates", position),
            ),
        ),
        editor.problem_text(MeetingsState.problems, "overrides." + row.date.to(str)),
        role="group",
        aria_label=t("Date {number}", number=number),
        spacing="1",
        width="100%",
        padding_y="0.25em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _date_overrides() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Dates with other hours"), size="3", as_="h3"),
        editor.hint_text(
            t("A holiday, a day with other hours: the date's own hours replace its weekday's.")
        ),
        rx.cond(
            MeetingsState.dates.length() > 0,
            rx.foreach(MeetingsState.dates, _date_row),
            editor.hint_text(t("No dates with other hours.")),
        ),
        rx.button(
            rx.icon("calendar-plus", size=14),
            t("Add a date"),
            size="2",
            variant="soft",
            on_click=MeetingsState.add_date,
        ),
        spacing="2",
        width="100%",
    )


def _chips_field(
    *,
    label: rx.Var[str],
    which: str,
    chips: rx.Var,
    custom_label: rx.Var[str],
    add_label: rx.Var[str],
) -> rx.Component:
    """Chips to switch, and a field for a value of one's own (minutes)."""
    custom_id = f"link-custom_{which}"
    return rx.vstack(
        rx.text(label, weight="medium"),
        editor.chip_group(
            label=label, chips=chips, on_toggle=lambda v: MeetingsState.toggle_chip(which, v)
        ),
        rx.hstack(
            rx.el.label(custom_label, html_for=custom_id, style={"font_size": "0.9em"}),
            rx.input(
                id=custom_id,
                type="number",
                min=1,
                step=1,
                value=MeetingsState.form.get(f"custom_{which}", ""),
                on_change=lambda v: MeetingsState.set_field(f"custom_{which}", v),
                width="6em",
            ),
            editor.unit_word(t("minutes")),
            rx.button(
                t("Add"),
                size="1",
                variant="soft",
                on_click=MeetingsState.add_custom(which),
                aria_label=add_label,
            ),
            align="center",
            wrap="wrap",
        ),
        editor.problem_text(MeetingsState.problems, which),
        spacing="2",
        width="100%",
    )


def _limits() -> rx.Component:
    minutes = editor.unit_word(t("minutes"))
    problems = MeetingsState.problems

    def number(label: rx.Var[str], key: str, unit: rx.Component, **more: Any) -> rx.Component:
        return editor.number_field(
            label=label,
            field_id=f"link-{key}",
            value=MeetingsState.form.get(key, ""),
            on_change=lambda v: MeetingsState.set_field(key, v),
            unit=unit,
            problems=problems,
            problem_key=key,
            **more,
        )

    notice_unit = rx.el.select(
        *[rx.el.option(t(name), value=unit) for unit, name in UNIT_NAMES.items()],
        value=MeetingsState.form.get("notice_unit", "minutes"),
        on_change=lambda v: MeetingsState.set_field("notice_unit", v),
        aria_label=t("Unit of the minimum notice"),
        style={"padding": "0.3em"},
    )
    return rx.vstack(
        rx.heading(t("Limits"), size="3", as_="h3"),
        rx.grid(
            number(t("Buffer before each meeting"), "buffer_before", minutes),
            number(t("Buffer after each meeting"), "buffer_after", minutes),
            number(
                t("Minimum notice"),
                "minimum_notice",
                notice_unit,
                hint=t("How long before a meeting it can still be booked."),
            ),
            number(
                t("Booking window"),
                "rolling_days",
                editor.unit_word(t("days ahead")),
                hint=t("Empty: no limit."),
                minimum=1,
            ),
            number(
                t("Most meetings per day"),
                "daily_cap",
                editor.unit_word(t("meetings")),
                hint=t("Empty: no limit."),
                minimum=1,
            ),
            number(
                t("Start times every"),
                "slot_interval",
                minutes,
                hint=t("Empty: every meeting length."),
                minimum=5,
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _choice(question_number: rx.Var[int], position: rx.Var[int]) -> Any:
    """One choice of a choice question, its field and its Remove button."""

    def render(text: rx.Var[str], choice_index: rx.Var[int]) -> rx.Component:
        number = choice_index + 1
        return rx.hstack(
            rx.input(
                value=text,
                on_change=lambda v: MeetingsState.set_choice(position, choice_index, v),
                aria_label=t(
                    "Question {question}, choice {number}", question=question_number, number=number
                ),
                width="16em",
            ),
            rx.icon_button(
                rx.icon("x", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=MeetingsState.remove_choice(position, choice_index),
                aria_label=t(
                    "Remove choice {number} of question {question}",
                    question=question_number,
                    number=number,
                ),
            ),
            align="center",
        )

    return render


def _question(question: rx.Var[QuestionRow], position: rx.Var[int]) -> rx.Component:
    """A booking question: its words, required or not, free text or one of its choices."""
    number = position + 1
    return rx.vstack(
        rx.hstack(
            rx.input(
                value=question.label,
                on_change=lambda v: MeetingsState.set_question_label(position, v),
                aria_label=t("Question {number}", number=number),
                placeholder=t("e.g. Company"),
                width="18em",
            ),
            rx.el.select(
                rx.el.option(t("Free text"), value="text"),
                rx.el.option(t("One of a list"), value="choice"),
                value=rx.cond(question.choice, "choice", "text"),
                on_change=lambda v: MeetingsState.set_question_kind(position, v),
                aria_label=t("Answer to question {number}", number=number),
                style={"padding": "0.3em"},
            ),
            rx.el.label(
                rx.checkbox(
                    checked=question.required,
                    on_change=lambda v: MeetingsState.set_question_required(position, v),
                    aria_label=t("Question {number} is required", number=number),
                ),
                t("Required"),
                style={"display": "flex", "gap": "0.5em", "align_items": "center"},
            ),
            rx.button(
                rx.icon("trash-2", size=14),
                t("Remove"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=MeetingsState.remove_question(position),
                aria_label=t("Remove question {number}", number=number),
            ),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            question.choice,
            rx.vstack(
                rx.foreach(question.choices, _choice(number, position)),
                rx.button(
                    rx.icon("plus", size=14),
                    t("Add a choice"),
                    size="1",
                    variant="soft",
                    on_click=MeetingsState.add_choice(position),
                    aria_label=t("Add a choice to question {number}", number=number),
                ),
                spacing="1",
                padding_left="1.5em",
            ),
        ),
        editor.problem_text(MeetingsState.problems, "questions[" + position.to_string() + "]"),
        role="group",
        aria_label=t("Question {number}", number=number),
        spacing="1",
        width="100%",
        padding_y="0.25em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _questions() -> rx.Component:
    return rx.vstack(
        rx.text(t("Questions"), weight="medium"),
        editor.hint_text(t("Name and email are always asked.")),
        rx.foreach(MeetingsState.questions, _question),
        rx.button(
            rx.icon("plus", size=14),
            t("Add a question"),
            size="2",
            variant="soft",
            on_click=MeetingsState.add_question,
        ),
        editor.problem_text(MeetingsState.problems, "questions"),
        spacing="2",
        width="100%",
    )


def _time_zone() -> rx.Component:
    return rx.vstack(
        time_zone_picker(
            t("Time zone"),
            MeetingsState.form.get("time_zone", "").to(str),
            MeetingsState.set_time_zone,
            preferred=MeetingsState.host_zone,
            id="link-time_zone",
        ),
        editor.hint_text(t("The zone of your hours; prospects see times in their own.")),
        editor.problem_text(MeetingsState.problems, "time_zone"),
        spacing="1",
        width="100%",
    )


def _editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    MeetingsState.editing_id == 0, t("New meeting link"), t("Edit meeting link")
                )
            ),
            rx.dialog.description(
                t("Changes apply to your booking page as soon as you save."),
                size="2",
                color_scheme="gray",
            ),
            rx.scroll_area(
                rx.vstack(
                    _input(t("Name"), "name"),
                    _slug_field(),
                    _select(t("Link type"), "link_type", TYPE_LABELS, LinkType.ONE_ON_ONE),
                    _input(
                        t("Other hosts"),
                        "hosts",
                        hint=t(
                            "Emails of members of this workspace, separated by commas (group "
                            "and round robin links). Each one accepts an invitation before the "
                            "link uses their calendar; an admin adds members directly."
                        ),
                    ),
                    _co_host_statuses(),
                    _chips_field(
                        label=t("Durations"),
                        which="durations",
                        chips=MeetingsState.duration_chips,
                        custom_label=t("Add another duration"),
                        add_label=t("Add this duration"),
                    ),
                    _time_zone(),
                    _weekly_hours(),
                    _date_overrides(),
                    _limits(),
                    rx.heading(t("Booking form"), size="3", as_="h3"),
                    _questions(),
                    _input(t("Confirmation message"), "confirmation_message", textarea=True),
                    _chips_field(
                        label=t("Reminder emails before the meeting"),
                        which="reminders",
                        chips=MeetingsState.reminder_chips,
                        custom_label=t("Add another reminder"),
                        add_label=t("Add this reminder"),
                    ),
                    rx.heading(t("Where to meet"), size="3", as_="h3"),
                    _select(
                        t("Video meeting"),
                        "video",
                        VIDEO_LABELS,
                        VideoMeeting.NONE,
                        hint=t(
                            "Added to each booked event by your connected calendar; the join "
                            "link is shown after booking and emailed."
                        ),
                    ),
                    _input(t("Location"), "location", hint=t("A place, e.g. Office, 3 rue X")),
                    _input(
                        t("Web address to join"),
                        "meeting_url",
                        hint=t(
                            "Your own meeting room, e.g. https://zoom.us/j/… (not with a "
                            "video meeting above)"
                        ),
                    ),
                    form_error(MeetingsState.foot_problems),
                    spacing="4",
                    padding_right="1em",
                ),
                type="auto",
                scrollbars="vertical",
                style={"max_height": "65vh"},
            ),
            dialog_actions(
                t("Cancel"),
                MeetingsState.close_editor,
                rx.button(t("Save"), on_click=MeetingsState.save, loading=MeetingsState.saving),
            ),
            max_width="46em",
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
                t("Invite again"),
                size="1",
                variant="soft",
                on_click=MeetingsState.invite_again(host.id),
                aria_label=t("Invite {email} again", email=host.email),
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
            rx.text(t("Co-hosts"), weight="medium"),
            rx.text(t("Bookings use only the hosts who accepted."), size="1", color_scheme="gray"),
            rx.foreach(MeetingsState.co_hosts, _co_host_row),
            role="group",
            aria_label=t("Co-hosts"),
            spacing="1",
        ),
    )


def _action(
    label: rx.Var[str], action: rx.event.EventSpec, aria: rx.Var[str], red: bool = False
) -> rx.Component:
    return rx.button(
        label,
        size="1",
        variant="soft",
        on_click=action,
        aria_label=aria,
        **({"color_scheme": "red"} if red else {}),
    )


def _row(row: LinkRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.text(row.name),
                rx.cond(row.is_default, rx.badge(t("Default"))),
                rx.cond(~row.is_owner, rx.badge(t("Co-host"), color_scheme="gray")),
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
                        _action(
                            t("Edit"), MeetingsState.edit(row.id), t("Edit {name}", name=row.name)
                        ),
                        _action(
                            t("Clone"),
                            MeetingsState.clone(row.id),
                            t("Clone {name}", name=row.name),
                        ),
                    ),
                ),
                _action(
                    t("Embed"), MeetingsState.show_embed(row.url), t("Embed {name}", name=row.name)
                ),
                rx.cond(
                    row.can_edit,
                    _action(
                        t("Delete"),
                        MeetingsState.ask_delete(row.id, row.name),
                        t("Delete {name}", name=row.name),
                        True,
                    ),
                ),
                rx.cond(
                    ~row.is_owner,
                    _action(
                        t("Leave"),
                        MeetingsState.ask_leave(row.id, row.name),
                        t("Leave {name}", name=row.name),
                        True,
                    ),
                ),
                rx.link(
                    t("Why isn't this time free?"),
                    href=row.why_url,
                    size="1",
                    aria_label=t("Why isn't this time free? ({name})", name=row.name),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            )
        ),
    )


def _invitation(invitation: InvitationRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.text(
                t(
                    "{owner} invites you to host “{link}” ({kind}). Until you accept, it does "
                    "not use your calendar or your free time.",
                    owner=invitation.owner,
                    link=invitation.link_name,
                    kind=invitation.kind,
                )
            ),
            rx.hstack(
                rx.button(
                    t("Accept"),
                    size="1",
                    on_click=MeetingsState.answer(invitation.link_id, True),
                    aria_label=t("Accept the invitation to host {link}", link=invitation.link_name),
                ),
                rx.button(
                    t("Decline"),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=MeetingsState.answer(invitation.link_id, False),
                    aria_label=t(
                        "Decline the invitation to host {link}", link=invitation.link_name
                    ),
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
            rx.heading(t("Invitations to co-host"), size="4", as_="h2"),
            rx.foreach(MeetingsState.invitations, _invitation),
            width="100%",
            spacing="2",
        ),
    )


def _empty() -> rx.Component:
    """No link yet: what a link is, and the one button that makes the first."""
    return rx.card(
        rx.vstack(
            rx.icon("calendar-plus", size=32, color=rx.color("accent", 9)),
            rx.heading(t("No meeting links yet"), size="4", as_="h2"),
            rx.text(
                t(
                    "A meeting link is a page where people book a time with you. Create your "
                    "first one — no calendar needs to be connected."
                ),
                align="center",
            ),
            rx.button(t("Create my first meeting link"), on_click=MeetingsState.new_link),
            align="center",
            spacing="3",
            padding="1.5em",
        ),
        role="status",
        width="100%",
    )


def _list() -> rx.Component:
    return rx.cond(
        MeetingsState.links.length() > 0,
        data_table(
            (t("Name"), t("Booking page"), t("Type"), t("Durations"), t("Actions")),
            MeetingsState.links,
            _row,
        ),
        _empty(),
    )


def _delete_dialog() -> rx.Component:
    return confirm_dialog(
        title=t("Delete this meeting link?"),
        description=t(
            "“{name}” stops working for everyone who has it.", name=MeetingsState.delete_name
        ),
        confirm_label=t("Delete link"),
        open_=MeetingsState.delete_id != 0,
        on_keep=MeetingsState.keep,
        on_confirm=MeetingsState.delete,
    )


def _leave_dialog() -> rx.Component:
    return confirm_dialog(
        title=t("Leave this meeting link?"),
        description=t(
            "“{name}” stops using your calendar and your free time. Its owner can invite you "
            "again.",
            name=MeetingsState.leave_name,
        ),
        confirm_label=t("Leave link"),
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
    title=t("Meetings · Meetings"),
    on_load=[AuthState.require_user, MeetingsState.load],
)
def meetings() -> rx.Component:
    return host_shell("Meetings", meetings_tabs(_links_tab()))


def _links_tab() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(
                t(
                    "Your booking links. Prospects book free times on them; "
                    "no calendar is needed to create them."
                )
            ),
            rx.button(
                rx.icon("plus"),
                t("New meeting link"),
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
                    t(
                        "Your {provider} calendar is connected: busy times now block your "
                        "booking pages. Set up your personal meeting link next.",
                        provider=MeetingsState.connected_provider,
                    ),
                    icon="circle-check",
                    color_scheme="green",
                    role="status",
                ),
                rx.button(t("Set up my meeting link"), on_click=MeetingsState.new_link),
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
                    t(
                        "Some emails or calendar writes for your meetings could not be "
                        "delivered, even after retrying for hours. An admin can retry them."
                    )
                ),
                rx.el.ul(
                    rx.foreach(
                        MeetingsState.delivery_problems, lambda p: rx.el.li(rx.text(p, size="2"))
                    )
                ),
                color_scheme="orange",
                role="alert",
                aria_label=t("Failed deliveries"),
            ),
        ),
        rx.cond(
            MeetingsState.loaded,
            _list(),
            rx.hstack(rx.spinner(), rx.text(t("Loading your links…")), role="status"),
        ),
        _editor(),
        _delete_dialog(),
        _leave_dialog(),
        _embed_dialog(),
        spacing="4",
        width="100%",
    )
