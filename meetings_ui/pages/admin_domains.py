"""Admin > Domains: connect custom domains, see the DNS records to create, verify them,
remove them (S12, S13). The work and the rights are in services/domains.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import confirm_dialog
from meetings_ui.components.labels import date_time_label
from meetings_ui.components.layout import host_shell
from meetings_ui.domain.custom_domains import FAILURES_BEFORE_FAILED
from meetings_ui.domain.enums import DomainStatus
from meetings_ui.pages.admin import admin_tabs
from meetings_ui.services import domains
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState

STATUS = {
    DomainStatus.PENDING: ("Pending", "amber"),
    DomainStatus.VERIFIED: ("Verified", "green"),
    DomainStatus.FAILED: ("Failed", "red"),
}


@dataclass
class RecordLine:
    type: str
    name: str
    value: str


@dataclass
class DomainLine:
    id: int
    name: str
    status: str
    color: str
    reason: str  # why it failed, or what the last check of a pending/verified one found
    records: list[RecordLine]
    links: str
    checked: str
    settings_url: str


def _note(view: domains.DomainView) -> str:
    if not view.failure_reason:
        return ""
    if view.status == DomainStatus.VERIFIED:
        return (
            f"The last check failed ({view.failed_checks} of {FAILURES_BEFORE_FAILED} before "
            f"it is marked failed): {view.failure_reason}"
        )
    if view.status == DomainStatus.PENDING:
        return f"Not found yet: {view.failure_reason}"
    return view.failure_reason


class AdminDomainsState(AuthState):
    # Backend only: the page as the service returned it; `lines` is what the table shows.
    _page: domains.DomainPage | None = None
    loaded: bool = False
    host: str = ""
    host_error: str = ""
    adding: bool = False
    verifying: int = 0  # the domain being verified
    remove_id: int = 0  # the domain the confirmation asks about
    remove_question: str = ""

    @rx.var
    def lines(self) -> list[DomainLine]:
        if self._page is None:
            return []
        return [
            DomainLine(
                id=view.id,
                name=view.name if view.name == view.host else f"{view.name} ({view.host})",
                status=STATUS[view.status][0],
                color=STATUS[view.status][1],
                reason=_note(view),
                records=[RecordLine(r.type.value, r.name, r.value) for r in view.records],
                links=f"{view.links} link{'' if view.links == 1 else 's'}",
                checked=(
                    f"checked {date_time_label(view.last_checked_at)}"
                    if view.last_checked_at
                    else "not checked yet"
                ),
                settings_url=routes.admin_domain(view.id),
            )
            for view in self._page.domains
        ]

    @rx.var
    def page_label(self) -> str:
        page = self._page
        return f"Page {page.page} of {page.pages} · {page.total} domains" if page else ""

    @rx.var
    def has_previous(self) -> bool:
        return self._page is not None and self._page.page > 1

    @rx.var
    def has_next(self) -> bool:
        return self._page is not None and self._page.page < self._page.pages

    def _fetch(self, page: int) -> None:
        user = self._current_user()
        if user is None:
            return  # on the way to the login page
        try:
            self._page = domains.do_list_domains(actor=user, page=page)
        except ForbiddenError:
            self._page = None
        self.loaded = True

    def _current_page(self) -> int:
        return self._page.page if self._page else 1

    @rx.event
    def load(self) -> None:
        self._fetch(1)

    @rx.event
    def go_to(self, step: int) -> None:
        self._fetch(self._current_page() + step)

    @rx.event
    def set_host(self, value: str) -> None:
        """Checked as the admin types: the problem shows under the field."""
        self.host = value
        self.host_error = ""
        if value.strip():
            try:
                self.host_error = domains.check_domain_name(actor=self._require_actor(), host=value)
            except ForbiddenError as error:
                self.host_error = str(error)

    @rx.event
    def add(self, form: dict[str, str]) -> rx.event.EventSpec | None:
        try:
            added = domains.do_add_domain(actor=self._require_actor(), host=form.get("host", ""))
        except domains.InvalidDomainError as error:
            self.host_error = str(error)
            return None
        except ForbiddenError as error:
            return rx.toast.error(str(error))
        self.host, self.host_error = "", ""
        self._fetch(self._current_page())
        return rx.toast.success(f"{added.name} added: create its DNS records, then Verify.")

    @rx.event(background=True)
    async def verify(self, domain_id: int) -> AsyncIterator[rx.event.EventSpec]:
        """Ask DNS off the event loop: the servers may take seconds to answer."""
        async with self:
            if self.verifying:
                return
            actor = self._require_actor()
            self.verifying = domain_id
        try:
            checked = await asyncio.to_thread(
                domains.do_verify_domain, actor=actor, domain_id=domain_id
            )
        except (ForbiddenError, domains.DomainNotFoundError) as error:
            async with self:
                self.verifying = 0
                self._fetch(self._current_page())
            yield rx.toast.error(str(error))
            return
        except Exception:
            async with self:
                self.verifying = 0  # the button works again; the error is shown and logged
            raise
        async with self:
            self.verifying = 0
            self._fetch(self._current_page())
        if checked.status == DomainStatus.VERIFIED:
            yield rx.toast.success(f"{checked.name} is verified.")
        else:
            yield rx.toast.warning(f"{checked.name} is not verified yet: see the reason.")

    @rx.event
    def ask_remove(self, domain_id: int, name: str, links: str) -> None:
        self.remove_id = domain_id
        self.remove_question = (
            f"{name} is disconnected. Its {links} move to the app domain (their addresses "
            "change, and their hosts are emailed the new ones); hosts who chose it as their "
            "Meeting domain get the app domain back."
        )

    @rx.event
    def keep(self) -> None:
        self.remove_id = 0

    @rx.event
    def remove(self) -> rx.event.EventSpec:
        try:
            actor = self._require_actor()
            removed = domains.do_remove_domain(actor=actor, domain_id=self.remove_id)
        except (ForbiddenError, domains.DomainNotFoundError) as error:
            return rx.toast.error(str(error))
        finally:
            self.remove_id = 0
            self._fetch(self._current_page())
        return rx.toast.success(
            f"{removed.host} removed: {removed.links_moved} link(s) moved to the app domain."
        )

    @rx.event
    def copied(self, what: str) -> list[rx.event.EventSpec]:
        return [rx.set_clipboard(what), rx.toast.info("Copied to the clipboard.")]


def _record(record: RecordLine) -> rx.Component:
    def copyable(label: str, value: rx.Var[str]) -> rx.Component:
        return rx.hstack(
            rx.code(value, style={"word_break": "break-all"}),
            rx.icon_button(
                rx.icon("copy", size=14),
                size="1",
                variant="ghost",
                on_click=AdminDomainsState.copied(value),
                aria_label="Copy " + label + " of the " + record.type + " record",
            ),
            align="center",
            spacing="1",
        )

    return rx.table.row(
        rx.table.cell(rx.badge(record.type, variant="outline")),
        rx.table.cell(copyable("name", record.name)),
        rx.table.cell(copyable("value", record.value)),
    )


def _domain(line: DomainLine) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(line.name, size="4", as_="h2"),
                rx.badge(line.status, color_scheme=line.color, size="2"),
                rx.spacer(),
                rx.text(line.links, " · ", line.checked, size="1"),
                align="center",
                width="100%",
            ),
            rx.cond(
                line.reason != "",
                rx.callout(
                    line.reason,
                    icon="triangle-alert",
                    color_scheme=rx.cond(line.status == "Failed", "red", "amber"),
                    size="1",
                ),
            ),
            rx.text("Create these records at your DNS host:", size="2"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Type"),
                        rx.table.column_header_cell("Name"),
                        rx.table.column_header_cell("Value"),
                    )
                ),
                rx.table.body(rx.foreach(line.records, _record)),
                size="1",
                width="100%",
            ),
            rx.hstack(
                rx.button(
                    "Verify",
                    loading=AdminDomainsState.verifying == line.id,
                    on_click=AdminDomainsState.verify(line.id),
                    aria_label="Verify " + line.name,
                ),
                rx.link("Brand and search engines", href=line.settings_url),
                rx.spacer(),
                rx.button(
                    "Remove",
                    variant="soft",
                    color_scheme="red",
                    on_click=AdminDomainsState.ask_remove(line.id, line.name, line.links),
                    aria_label="Remove " + line.name,
                ),
                align="center",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        role="region",
        aria_label=line.name,
    )


def _add_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label("Domain name", html_for="domain-host", style={"font_weight": "500"}),
            rx.hstack(
                rx.input(
                    id="domain-host",
                    name="host",
                    value=AdminDomainsState.host,
                    on_change=AdminDomainsState.set_host,
                    placeholder="meet.example.com",
                    required=True,
                    aria_invalid=rx.cond(AdminDomainsState.host_error != "", "true", "false"),
                    aria_describedby="domain-host-error",
                    width="22em",
                ),
                rx.button("Add domain", type="submit", disabled=~rx.State.is_hydrated),
                spacing="2",
            ),
            rx.cond(
                AdminDomainsState.host_error != "",
                rx.text(
                    AdminDomainsState.host_error,
                    id="domain-host-error",
                    color=rx.color("red", 11),
                    size="2",
                    role="alert",
                ),
            ),
            spacing="1",
        ),
        on_submit=AdminDomainsState.add,
    )


def _pager() -> rx.Component:
    return rx.cond(
        AdminDomainsState.has_previous | AdminDomainsState.has_next,
        rx.hstack(
            rx.button(
                "Previous",
                variant="soft",
                disabled=~AdminDomainsState.has_previous,
                on_click=AdminDomainsState.go_to(-1),
            ),
            rx.text(AdminDomainsState.page_label, size="2"),
            rx.button(
                "Next",
                variant="soft",
                disabled=~AdminDomainsState.has_next,
                on_click=AdminDomainsState.go_to(1),
            ),
            align="center",
        ),
    )


@rx.page(
    route=routes.ADMIN_DOMAINS,
    title="Domains · Meetings",
    on_load=[AuthState.require_user, AdminDomainsState.load],
)
def admin_domains() -> rx.Component:
    return host_shell(
        "Domains",
        admin_tabs(),
        rx.text(
            "Host meeting links on your own domain. Add it, create the two DNS records shown "
            "at your DNS host, then Verify. Verified domains appear in the Meeting domain "
            "setting of hosts with a Marketing Hub or CMS Hub seat, and are checked again "
            "every few hours."
        ),
        _add_form(),
        rx.cond(
            ~AdminDomainsState.loaded,
            rx.hstack(rx.spinner(), rx.text("Loading domains…"), role="status"),
            rx.cond(
                AdminDomainsState.lines.length() > 0,
                rx.vstack(
                    rx.foreach(AdminDomainsState.lines, _domain),
                    _pager(),
                    spacing="3",
                    width="100%",
                ),
                rx.callout(
                    "No custom domain yet: every link uses the app's own domain. Add one "
                    "above to host links on your brand's domain.",
                    icon="globe",
                    role="status",
                ),
            ),
        ),
        confirm_dialog(
            title="Remove this domain?",
            description=AdminDomainsState.remove_question,
            confirm_label="Remove domain",
            open_=AdminDomainsState.remove_id != 0,
            on_keep=AdminDomainsState.keep,
            on_confirm=AdminDomainsState.remove,
        ),
        admin_only=True,
    )
