"""After booking: the confirmation page, and the cancel page reached from the email."""

from __future__ import annotations

import asyncio

import reflex as rx

from meetings_ui import routes
from meetings_ui.db import session_scope
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.domain.time_zones import zone
from meetings_ui.models import Booking, MeetingLink, User
from meetings_ui.services import bookings


def _when(booking: Booking, time_zone: str) -> str:
    tz = zone(time_zone)
    start, end = booking.start_at.astimezone(tz), booking.end_at.astimezone(tz)
    return f"{start:%A %d %B %Y}, {start:%H:%M}–{end:%H:%M} ({time_zone})"


class BookedState(rx.State):
    loaded: bool = False
    found: bool = True
    status: str = ""
    link_name: str = ""
    host_name: str = ""
    your_time: str = ""
    host_time: str = ""
    message: str = ""
    ics_url: str = ""
    cancel_url: str = ""
    reschedule_url: str = ""
    calendar_problem: bool = False
    cancelling: bool = False

    def _load(self, purpose: str) -> Booking | None:
        self.loaded = True
        token = str(self.router.page.params.get("token", ""))
        with session_scope() as session:
            try:
                booking = bookings.booking_from_token(session=session, purpose=purpose, token=token)
            except bookings.BookingNotFoundError:
                self.found = False
                return None
            link = session.get(MeetingLink, booking.link_id)
            host = session.get(User, booking.host_id)
            self.found = True
            self.status = booking.status
            self.link_name = link.name
            self.host_name = host.display_name
            self.your_time = _when(booking, booking.prospect_time_zone)
            self.host_time = _when(booking, host.time_zone or "UTC")
            self.message = str(link.settings.get("confirmation_message") or "")
            self.ics_url = bookings.ics_url(booking)
            self.cancel_url = bookings.cancel_url(booking)
            self.reschedule_url = bookings.reschedule_url(booking)
            self.calendar_problem = booking.calendar_error is not None
            return booking

    @rx.event
    def open_confirmation(self) -> None:
        self._load(bookings.VIEW)

    @rx.event
    def open_cancel(self) -> None:
        self._load(bookings.CANCEL)

    @rx.event(background=True)
    async def cancel(self) -> None:
        """Off the event loop: cancelling calls the host's calendar provider."""
        async with self:
            if self.cancelling:
                return
            self.cancelling = True
            token = str(self.router.page.params.get("token", ""))
        status = await asyncio.to_thread(_cancel, token)
        async with self:
            self.cancelling = False
            if status is None:
                self.found = False
            else:
                self.status = status


def _cancel(token: str) -> str | None:
    with session_scope() as session:
        try:
            booking = bookings.booking_from_token(
                session=session, purpose=bookings.CANCEL, token=token
            )
        except bookings.BookingNotFoundError:
            return None
        bookings.do_cancel(session=session, booking=booking, reason="Cancelled by the guest.")
        return booking.status


def _times() -> rx.Component:
    return rx.vstack(
        rx.text(rx.text.strong("Your time: "), BookedState.your_time),
        rx.text(rx.text.strong("Host's time: "), BookedState.host_time),
        spacing="1",
    )


def _invalid() -> rx.Component:
    return rx.vstack(
        rx.heading("This link is not valid", size="6", as_="h1"),
        rx.text("Check that you copied all of it from the email."),
    )


def _loaded(content: rx.Component) -> rx.Component:
    """Nothing to click until the booking is loaded (and the page connected)."""
    return rx.cond(
        BookedState.loaded,
        rx.cond(BookedState.found, content, _invalid()),
        rx.hstack(rx.spinner(), rx.text("Loading your meeting…"), role="status"),
    )


@rx.page(
    route=routes.BOOKING_CONFIRMED, title="Meeting booked", on_load=BookedState.open_confirmation
)
def confirmation_page() -> rx.Component:
    return rx.center(
        _loaded(
            rx.vstack(
                rx.cond(
                    BookedState.status == BookingStatus.REQUESTED,
                    rx.heading("Request sent", size="7", as_="h1"),
                    rx.heading("You are booked", size="7", as_="h1"),
                ),
                rx.text(BookedState.link_name, " with ", BookedState.host_name),
                rx.cond(
                    BookedState.status == BookingStatus.REQUESTED,
                    rx.callout(
                        BookedState.host_name
                        + " will confirm your request. Nothing is in a calendar yet.",
                        icon="info",
                        role="note",
                    ),
                ),
                _times(),
                rx.cond(BookedState.message != "", rx.text(BookedState.message)),
                rx.text("A confirmation email is on its way."),
                rx.hstack(
                    rx.link(
                        rx.button("Add to calendar (.ics)", variant="soft"),
                        href=BookedState.ics_url,
                    ),
                    rx.link("Reschedule", href=BookedState.reschedule_url),
                    rx.link("Cancel", href=BookedState.cancel_url),
                    spacing="4",
                    align="center",
                ),
                spacing="4",
                max_width="40em",
            ),
        ),
        padding="2em",
    )


@rx.page(route=routes.BOOKING_CANCEL, title="Cancel a meeting", on_load=BookedState.open_cancel)
def cancel_page() -> rx.Component:
    return rx.center(
        _loaded(
            rx.vstack(
                rx.cond(
                    BookedState.status == BookingStatus.CANCELLED,
                    rx.heading("Your meeting is cancelled", size="7", as_="h1"),
                    rx.heading("Cancel this meeting?", size="7", as_="h1"),
                ),
                rx.text(BookedState.link_name, " with ", BookedState.host_name),
                _times(),
                rx.cond(
                    BookedState.status != BookingStatus.CANCELLED,
                    rx.button(
                        "Cancel meeting",
                        color_scheme="red",
                        on_click=BookedState.cancel,
                        loading=BookedState.cancelling,
                    ),
                ),
                spacing="4",
            ),
        ),
        padding="2em",
    )


class RescheduleState(rx.State):
    found: bool = True

    @rx.event
    def open_reschedule(self) -> rx.event.EventSpec | None:
        """Email links stay valid if the link's slug changes: resolve it now."""
        token = str(self.router.page.params.get("token", ""))
        with session_scope() as session:
            try:
                booking = bookings.booking_from_token(
                    session=session, purpose=bookings.RESCHEDULE, token=token
                )
            except bookings.BookingNotFoundError:
                self.found = False
                return None
            slug = session.get(MeetingLink, booking.link_id).slug
        return rx.redirect(f"{routes.booking_page(slug)}?reschedule={token}", replace=True)


@rx.page(
    route=routes.BOOKING_RESCHEDULE,
    title="Reschedule a meeting",
    on_load=RescheduleState.open_reschedule,
)
def reschedule_page() -> rx.Component:
    return rx.center(
        rx.cond(RescheduleState.found, rx.spinner(), _invalid()),
        padding="2em",
    )
