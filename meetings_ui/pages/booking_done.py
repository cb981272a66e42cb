"""After booking: the confirmation page, and the cancel page reached from the email."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from datetime import datetime

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.brand import BrandVars, branded
from meetings_ui.components.embed import EMBED_ROOT
from meetings_ui.components.i18n import t
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.services import booking_pages
from meetings_ui.services.booking_pages import BookingDetails
from meetings_ui.state.locale import LocaleState
from meetings_ui.state.navigation import page_host, query_value

VIDEO_LINK_PAUSE = 2.0  # seconds between two looks for a video link being made
VIDEO_LINK_LOOKS = 30  # then the page leaves it to the email


class BookedState(BrandVars, LocaleState):
    """One booking seen through a signed link; its times are shown in both people's zones."""

    loaded: bool = False
    found: bool = True
    status: str = ""
    link_name: str = ""
    host_name: str = ""
    prospect_time_zone: str = "UTC"
    host_time_zone: str = "UTC"
    message: str = ""
    ics_url: str = ""
    cancel_url: str = ""
    reschedule_url: str = ""
    location: str = ""
    meeting_url: str = ""
    video_to_come: str = ""  # "Google Meet" while the host's calendar is making it
    cancelling: bool = False
    embed: bool = False  # shown in a partner's frame (?embed=1)
    refused_title: str = ""
    refused_detail: str = ""
    _start: datetime | None = None
    _end: datetime | None = None
    _token: str = ""
    _page_host: str = ""

    @rx.var
    def your_time(self) -> str:
        return booking_pages.meeting_label(
            self._start, self._end, self.prospect_time_zone, self.locale
        )

    @rx.var
    def host_time(self) -> str:
        return booking_pages.meeting_label(self._start, self._end, self.host_time_zone, self.locale)

    @rx.var
    def requested(self) -> bool:
        return self.status == BookingStatus.REQUESTED

    @rx.var
    def cancelled(self) -> bool:
        return self.status == BookingStatus.CANCELLED

    @rx.var
    def confirmation_heading(self) -> str:
        return self.t("Request sent") if self.requested else self.t("You are booked")

    @rx.var
    def cancel_heading(self) -> str:
        return (
            self.t("Your meeting is cancelled")
            if self.cancelled
            else self.t("Cancel this meeting?")
        )

    def _refuse(self, refused: booking_pages.LinkRefusedError) -> None:
        self.loaded, self.found = True, False
        self.refused_title = self.translate(refused.title)
        self.refused_detail = self.translate(refused.detail)

    def _show(self, details: BookingDetails) -> None:
        self.loaded, self.found = True, True
        self.status = details.status
        self.link_name, self.host_name = details.link_name, details.host_name
        self._start, self._end = details.start, details.end
        self.prospect_time_zone = details.prospect_time_zone
        self.host_time_zone = details.host_time_zone
        self.message = details.message
        self.ics_url = details.ics_url
        self.cancel_url = details.cancel_url
        self.reschedule_url = details.reschedule_url
        self.location = details.location
        self.meeting_url = details.meeting_url
        self.video_to_come = details.video_to_come
        self._take_brand(details.brand)

    def _open(self, use_case: Callable[..., BookingDetails]) -> None:
        router = self.router
        self._token = query_value(router, "token")
        self.embed = query_value(router, "embed") == "1"
        self._page_host = page_host(router)
        try:
            self._show(use_case(token=self._token, page_host=self._page_host))
        except booking_pages.LinkRefusedError as refused:
            self._refuse(refused)

    @rx.event
    def open_confirmation(self) -> rx.event.EventSpec | None:
        self._open(booking_pages.confirmation)
        return BookedState.wait_for_video_link if self.video_to_come else None

    @rx.event(background=True)
    async def wait_for_video_link(self) -> None:
        """The booking answered before the host's calendar made the video meeting: look
        again for a while, so the join link appears here once known (it is emailed too)."""
        for _ in range(VIDEO_LINK_LOOKS):
            await asyncio.sleep(VIDEO_LINK_PAUSE)
            async with self:
                call = functools.partial(
                    booking_pages.confirmation, token=self._token, page_host=self._page_host
                )
            try:
                details = await asyncio.to_thread(call)
            except booking_pages.LinkRefusedError:
                return
            async with self:
                self._show(details)
                if not self.video_to_come:
                    return

    @rx.event
    def open_cancel(self) -> None:
        self._open(booking_pages.cancellation)

    @rx.event(background=True)
    async def cancel(self) -> None:
        """In a thread: cancelling takes the booking's row lock (the emails and the calendar
        change are queued, and delivered in the background)."""
        async with self:
            if self.cancelling:
                return
            self.cancelling = True
            call = functools.partial(
                booking_pages.cancel, token=self._token, page_host=self._page_host
            )
        try:
            details = await asyncio.to_thread(call)
        except booking_pages.LinkRefusedError as refused:
            async with self:
                self.cancelling = False
                self._refuse(refused)
            return
        async with self:
            self.cancelling = False
            self._show(details)


def _booking_view(heading: rx.Var[str], *content: rx.Component) -> rx.Component:
    """The page's heading, what was booked with whom at both people's times, then `content`;
    nothing to click until the booking is loaded (and the page connected)."""
    summary = rx.vstack(
        rx.heading(heading, size="7", as_="h1"),
        rx.text(t("{link} with {host}", link=BookedState.link_name, host=BookedState.host_name)),
        rx.vstack(
            rx.text(rx.text.strong(t("Your time:")), " ", BookedState.your_time),
            rx.text(rx.text.strong(t("Host's time:")), " ", BookedState.host_time),
            spacing="1",
        ),
        *content,
        spacing="4",
        max_width="40em",
    )
    return branded(
        BookedState,
        rx.center(
            rx.cond(
                BookedState.loaded,
                rx.cond(
                    BookedState.found,
                    summary,
                    _refused(BookedState.refused_title, BookedState.refused_detail),
                ),
                rx.hstack(rx.spinner(), rx.text(t("Loading your meeting…")), role="status"),
            ),
            padding=rx.cond(BookedState.embed, "0.5em", "2em"),
        ),
        custom_attrs={EMBED_ROOT: ""},
    )


def _refused(title: rx.Var[str], detail: rx.Var[str]) -> rx.Component:
    return rx.vstack(rx.heading(title, size="6", as_="h1"), rx.text(detail))


def _meeting_place() -> rx.Component:
    """Where to meet: the place as text, the join address as a link (only http(s) ones get
    here: the settings and the providers' answers are checked), or a word that the video
    link is coming."""
    return rx.vstack(
        rx.cond(
            BookedState.location != "",
            rx.text(rx.text.strong(t("Where:")), " ", BookedState.location),
        ),
        rx.cond(
            BookedState.meeting_url != "",
            rx.text(
                rx.text.strong(t("Join:")),
                " ",
                rx.link(BookedState.meeting_url, href=BookedState.meeting_url, is_external=True),
            ),
        ),
        rx.cond(
            BookedState.video_to_come != "",
            rx.hstack(
                rx.spinner(),
                rx.text(
                    t(
                        "Your {video} link is being made: it will appear here and be emailed "
                        "to you.",
                        video=BookedState.video_to_come,
                    )
                ),
                role="status",
            ),
        ),
        spacing="1",
    )


@rx.page(
    route=routes.BOOKING_CONFIRMED, title=t("Meeting booked"), on_load=BookedState.open_confirmation
)
def confirmation_page() -> rx.Component:
    return _booking_view(
        BookedState.confirmation_heading,
        rx.cond(
            BookedState.requested,
            rx.callout(
                t(
                    "{host} will confirm your request. Nothing is in a calendar yet.",
                    host=BookedState.host_name,
                ),
                icon="info",
                role="note",
            ),
        ),
        _meeting_place(),
        rx.cond(BookedState.message != "", rx.text(BookedState.message)),
        rx.text(t("A confirmation email is on its way.")),
        rx.hstack(
            # A backend route: a document load, not the page router (it may share the host).
            rx.link(
                rx.button(t("Add to calendar (.ics)"), variant="soft"),
                href=BookedState.ics_url,
                reload_document=True,
            ),
            rx.link(t("Reschedule"), href=BookedState.reschedule_url),
            rx.link(t("Cancel"), href=BookedState.cancel_url),
            spacing="4",
            align="center",
        ),
    )


@rx.page(route=routes.BOOKING_CANCEL, title=t("Cancel a meeting"), on_load=BookedState.open_cancel)
def cancel_page() -> rx.Component:
    return _booking_view(
        BookedState.cancel_heading,
        rx.cond(
            ~BookedState.cancelled,
            rx.button(
                t("Cancel meeting"),
                color_scheme="red",
                high_contrast=True,  # white on Radix's red-9 is below 4.5:1
                on_click=BookedState.cancel,
                loading=BookedState.cancelling,
            ),
        ),
    )


class RescheduleState(LocaleState):
    found: bool = True
    refused_title: str = ""
    refused_detail: str = ""

    @rx.event
    def open_reschedule(self) -> rx.event.EventSpec | None:
        """Email links stay valid if the link's slug changes: resolve it now."""
        router = self.router
        try:
            path = booking_pages.reschedule_path(
                token=query_value(router, "token"), page_host=page_host(router)
            )
        except booking_pages.LinkRefusedError as refused:
            self.found = False
            self.refused_title = self.translate(refused.title)
            self.refused_detail = self.translate(refused.detail)
            return None
        return rx.redirect(path, replace=True)


@rx.page(
    route=routes.BOOKING_RESCHEDULE,
    title=t("Reschedule a meeting"),
    on_load=RescheduleState.open_reschedule,
)
def reschedule_page() -> rx.Component:
    return rx.center(
        rx.cond(
            RescheduleState.found,
            rx.spinner(),
            _refused(RescheduleState.refused_title, RescheduleState.refused_detail),
        ),
        padding="2em",
    )
