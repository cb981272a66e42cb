""" "Why isn't this time free?": on one of their links, a host picks a date, a time and a
duration and reads the engine's reasons, link-wide and host by host (services/why_not.py).
Their own calendars show event titles (private ones hidden); other hosts only "busy"."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date, datetime, time, timedelta

import reflex as rx

from meetings_ui import i18n, routes
from meetings_ui.components.forms import labelled
from meetings_ui.components.i18n import t
from meetings_ui.components.layout import host_shell
from meetings_ui.domain.availability import Reason, ReasonKind
from meetings_ui.domain.time_zones import zone
from meetings_ui.services import why_not as why_service
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.links import LinkNotFoundError
from meetings_ui.state.auth import AuthState

# Each reason's icon (lucide names): what kind of rule keeps the time.
ICONS = {
    ReasonKind.OUTSIDE_HOURS: "clock",
    ReasonKind.OFF_GRID: "grid-3x3",
    ReasonKind.PAST: "history",
    ReasonKind.MINIMUM_NOTICE: "hourglass",
    ReasonKind.BEYOND_WINDOW: "calendar-x",
    ReasonKind.DAILY_CAP: "gauge",
    ReasonKind.BUSY: "calendar-clock",
    ReasonKind.BOOKED: "users",
}


@dataclasses.dataclass
class ReasonRow:
    icon: str
    text: str


@dataclasses.dataclass
class HostGroup:
    name: str
    note: str  # "you", or that their calendar is not connected
    reasons: list[ReasonRow]
    free: bool


class LinkWhyState(AuthState):
    link_name: str = ""
    time_zone: str = ""
    viewer_time_zone: str = ""
    durations: list[str] = []
    loaded: bool = False
    missing: bool = False
    day: str = ""  # YYYY-MM-DD, in the link's zone
    clock: str = ""  # HH:MM
    duration: str = ""
    checking: bool = False
    problem: str = ""
    # The last answer.
    checked: bool = False
    bookable: bool = False
    when: str = ""  # the time asked about, in words, in the link's zone
    when_yours: str = ""  # the same in the viewer's zone, when it differs
    link_reasons: list[ReasonRow] = []
    hosts: list[HostGroup] = []

    def _link_id(self) -> int:
        raw = str(self.link_id)
        return int(raw) if raw.isdigit() else 0

    @rx.event
    def load(self) -> None:
        user = self._current_user()
        if user is None:
            return
        self.checked, self.problem, self.checking = False, "", False
        try:
            link = why_service.link_to_explain(actor=user, link_id=self._link_id())
        except (LinkNotFoundError, ForbiddenError):
            self.missing, self.loaded = True, True
            return
        self.missing = False
        self.link_name, self.time_zone = link.name, link.time_zone
        self.viewer_time_zone = link.viewer_time_zone
        self.durations = [str(d) for d in link.durations]
        tomorrow = datetime.now(zone(link.time_zone)).date() + timedelta(days=1)
        self.day, self.clock = tomorrow.isoformat(), "10:00"
        self.duration = self.durations[0]
        self.loaded = True

    @rx.event
    def set_day(self, value: str) -> None:
        self.day = value

    @rx.event
    def set_clock(self, value: str) -> None:
        self.clock = value

    @rx.event
    def set_duration(self, value: str) -> None:
        self.duration = value

    def _asked(self) -> tuple[datetime, int] | None:
        """The wall-clock time and duration asked about, or None with `problem` said."""
        try:
            day = date.fromisoformat(self.day)
        except ValueError:
            self.problem = self.t("Pick a date.")
            return None
        try:
            clock = time.fromisoformat(self.clock)
        except ValueError:
            self.problem = self.t("Pick a time.")
            return None
        if not self.duration.isdigit():
            self.problem = self.t("Pick a duration.")
            return None
        return datetime.combine(day, clock.replace(second=0, microsecond=0)), int(self.duration)

    @rx.event(background=True)
    async def check(self, _form: dict) -> None:
        """Reads the hosts' calendars (slow): in the background, the button spinning."""
        async with self:
            if self.checking:
                return
            self.problem = ""
            asked = self._asked()
            if asked is None:
                return
            actor = self._require_actor()
            self.checking = True
            link_id = self._link_id()
        start, duration = asked
        try:
            answer = await asyncio.to_thread(
                why_service.why_not, actor=actor, link_id=link_id, start=start, duration=duration
            )
        except why_service.InvalidQuestionError as refused:
            async with self:
                self.problem = self.translate(refused.args[0])
                self.checking = False
            return
        except LinkNotFoundError:
            async with self:
                self.missing, self.checking = True, False
            return
        except BaseException:
            async with self:
                self.checking = False
            raise
        async with self:
            self._show(answer)
            self.checking = False

    def _row(self, reason: Reason) -> ReasonRow:
        return ReasonRow(ICONS.get(reason.kind, "circle-alert"), self.translate(reason.message))

    def _show(self, answer: why_service.WhyNot) -> None:
        link_zone = zone(answer.time_zone)
        self.when = self.t(
            "{when} ({zone})",
            when=i18n.format_datetime(answer.start, self.locale, link_zone),
            zone=answer.time_zone,
        )
        self.when_yours = (
            self.t(
                "Your time: {when} ({zone})",
                when=i18n.format_datetime(answer.start, self.locale, zone(self.viewer_time_zone)),
                zone=self.viewer_time_zone,
            )
            if self.viewer_time_zone and self.viewer_time_zone != answer.time_zone
            else ""
        )
        self.bookable = answer.bookable
        self.link_reasons = [self._row(r) for r in answer.link_reasons]
        self.hosts = [
            HostGroup(
                host.name,
                self.t("you")
                if host.is_you
                else ""
                if host.calendar_connected
                else self.t("no calendar connected: only their meetings here count"),
                [self._row(r) for r in host.reasons],
                not host.reasons,
            )
            for host in answer.hosts
        ]
        self.checked = True


def _icon(name: str) -> rx.Component:
    return rx.icon(name, size=18, color=rx.color("red", 10), aria_hidden="true")


def _reason(row: ReasonRow) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.match(
                row.icon,
                *[(icon, _icon(icon)) for icon in sorted(set(ICONS.values()))],
                _icon("circle-alert"),
            ),
            rx.text(row.text),
            align="center",
            spacing="2",
        ),
        style={"list_style": "none"},
    )


def _reasons(rows: rx.Var[list[ReasonRow]], label: rx.Var | str) -> rx.Component:
    return rx.el.ul(
        rx.foreach(rows, _reason),
        aria_label=label,
        style={"padding": "0", "margin": "0", "display": "grid", "gap": "0.4em"},
    )


def _host(group: HostGroup) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("user-round", size=18, aria_hidden="true"),
                rx.heading(group.name, size="3", as_="h3"),
                rx.cond(
                    group.note != "", rx.text("(", group.note, ")", size="2", color_scheme="gray")
                ),
                align="center",
                spacing="2",
            ),
            rx.cond(
                group.free,
                rx.hstack(
                    rx.icon(
                        "circle-check", size=18, color=rx.color("green", 10), aria_hidden="true"
                    ),
                    rx.text(t("Free at this time")),
                    align="center",
                    spacing="2",
                ),
                _reasons(group.reasons, group.name),
            ),
            spacing="2",
        ),
        width="100%",
    )


def _answer() -> rx.Component:
    return rx.cond(
        LinkWhyState.checked,
        rx.vstack(
            rx.heading(LinkWhyState.when, size="4", as_="h2"),
            rx.cond(
                LinkWhyState.when_yours != "",
                rx.text(LinkWhyState.when_yours, size="2", color_scheme="gray"),
            ),
            rx.cond(
                LinkWhyState.bookable,
                rx.callout(
                    t("This time is free: prospects can book it."),
                    icon="circle-check",
                    color_scheme="green",
                    high_contrast=True,
                    role="status",
                ),
                rx.callout(
                    t("Prospects cannot book this time. Here is why:"),
                    icon="info",
                    color_scheme="amber",
                    high_contrast=True,
                    role="status",
                ),
            ),
            rx.cond(
                LinkWhyState.link_reasons.length() > 0,
                rx.vstack(
                    rx.heading(t("For the whole link"), size="3", as_="h3"),
                    _reasons(LinkWhyState.link_reasons, t("For the whole link")),
                    width="100%",
                ),
            ),
            rx.cond(
                LinkWhyState.hosts.length() > 0,
                rx.vstack(
                    rx.heading(t("Host by host"), size="3", as_="h3"),
                    rx.foreach(LinkWhyState.hosts, _host),
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
            aria_live="polite",
        ),
    )


def _field(label: rx.Var, control: rx.Component, field_id: str) -> rx.Component:
    """A control beside the others, under its label."""
    return rx.box(labelled(label, control, field_id), width="11em")


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(
                t(
                    "Pick any date and time: you see what keeps prospects from booking it, in "
                    "words. Date and time are in the link's time zone, {zone}.",
                    zone=LinkWhyState.time_zone,
                )
            ),
            rx.flex(
                _field(
                    t("Date"),
                    rx.input(
                        id="why-day",
                        type="date",
                        value=LinkWhyState.day,
                        on_change=LinkWhyState.set_day,
                        required=True,
                    ),
                    "why-day",
                ),
                _field(
                    t("Time"),
                    rx.input(
                        id="why-time",
                        type="time",
                        value=LinkWhyState.clock,
                        on_change=LinkWhyState.set_clock,
                        required=True,
                    ),
                    "why-time",
                ),
                _field(
                    t("Duration"),
                    rx.el.select(
                        rx.foreach(
                            LinkWhyState.durations,
                            lambda d: rx.el.option(t("{minutes} minutes", minutes=d), value=d),
                        ),
                        id="why-duration",
                        value=LinkWhyState.duration,
                        on_change=LinkWhyState.set_duration,
                        style={"padding": "0.4em"},
                    ),
                    "why-duration",
                ),
                align="end",
                wrap="wrap",
                gap="1em",
            ),
            rx.cond(
                LinkWhyState.problem != "",
                rx.text(LinkWhyState.problem, color=rx.color("red", 11), role="alert"),
            ),
            rx.button(
                rx.icon("search-check", size=16),
                t("Check"),
                type="submit",
                loading=LinkWhyState.checking,
                disabled=~rx.State.is_hydrated,
            ),
            spacing="3",
        ),
        on_submit=LinkWhyState.check,
        reset_on_submit=False,
    )


def _back() -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("arrow-left", size=16), t("Back to your meeting links"), align="center"),
        href=routes.MEETINGS,
    )


def _content() -> rx.Component:
    return rx.cond(
        LinkWhyState.loaded,
        rx.cond(
            LinkWhyState.missing,
            rx.vstack(
                rx.callout(
                    t("This meeting link does not exist, or it is not one of yours."),
                    icon="circle-alert",
                    color_scheme="amber",
                    high_contrast=True,
                    role="alert",
                ),
                _back(),
            ),
            rx.vstack(
                _back(),
                rx.text(t("Meeting link: {name}", name=LinkWhyState.link_name), weight="medium"),
                _form(),
                _answer(),
                spacing="4",
                width="100%",
            ),
        ),
        rx.hstack(rx.spinner(), rx.text(t("Loading the link…")), role="status"),
    )


@rx.page(
    route=routes.LINK_WHY,
    title=t("Why isn't this time free? · Meetings"),
    on_load=[AuthState.require_user, LinkWhyState.load],
)
def link_why() -> rx.Component:
    return host_shell(t("Why isn't this time free?"), _content())
