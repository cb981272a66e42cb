"""Admin > Domains: connect custom domains, see the DNS records to create, verify them,
remove them (S12, S13). The work and the rights are in services/domains.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC

import reflex as rx

from meetings_ui import i18n, routes
from meetings_ui.components.forms import confirm_dialog
from meetings_ui.components.i18n import t
from meetings_ui.components.layout import host_shell
from meetings_ui.domain.custom_domains import FAILURES_BEFORE_FAILED
from meetings_ui.domain.enums import DomainStatus
from meetings_ui.domain.messages import N_
from meetings_ui.pages.admin import admin_tabs
from meetings_ui.services import domains
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState

STATUS = {
    DomainStatus.PENDING: (N_("Pending"), "amber"),
    DomainStatus.VERIFIED: (N_("Verified"), "green"),
    DomainStatus.FAILED: (N_("Failed"), "red"),
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


def _note(state: AuthState, view: domains.DomainView) -> str:
    if not view.failure_reason:
        return ""
    reason = state.translate(view.failure_reason)
    if view.status == DomainStatus.VERIFIED:
        return state.t(
            "The last check failed ({failed} of {limit} before it is marked failed): {reason}",
            failed=view.failed_checks,
            limit=FAILURES_BEFORE_FAILED,
            reason=reason,
        )
    if view.status == DomainStatus.PENDING:
        return state.t("Not found yet: {reason}", reason=reason)
    return reason


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
                status=self.t(STATUS[view.status][0]),
                color=STATUS[view.status][1],
                reason=_note(self, view),
                records=[RecordLine(r.type.value, r.name, r.value) for r in view.records],
                links=self.t_plural("{count} link", "{count} links", view.links),
                checked=(
                    self.t(
                        "checked {moment} UTC",
                        moment=i18n.format_datetime(
                            view.last_checked_at.replace(tzinfo=view.last_checked_at.tzinfo or UTC),
                            self.locale,
                            UTC,
                            "medium",
                        ),
                    )
                    if view.last_checked_at
                    else self.t("not checked yet")
                ),
                settings_url=routes.admin_domain(view.id),
            )
            for view in self._page.domains
        ]

    @rx.var
    def page_label(self) -> str:
        page = self._page
        if page is None:
            return ""
        return self.t_plural(
            "Page {page} of {pages} · {count} domain",
            "Page {page} of {pages} · {count} domains",
            page.total,
            page=page.page,
            pages=page.pages,
        )

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
                self.host_error = self.translate(
                    domains.check_domain_name(actor=self._require_actor(), host=value)
                )
            except ForbiddenError as error:
                self.host_error = self.translate(error)

    @rx.event
    def add(self, form: dict[str, str]) -> rx.event.EventSpec | None:
        try:
            added = domains.do_add_domain(actor=self._require_actor(), host=form.get("host", ""))
        except domains.InvalidDomainError as error:
            self.host_error = self.translate(error)
            return None
        except ForbiddenError as error:
            return rx.toast.error(self.translate(error))
        self.host, self.host_error = "", ""
        self._fetch(self._current_page())
        return rx.toast.success(
            self.t("{domain} added: create its DNS records, then Verify.", domain=added.name)
        )

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
            yield rx.toast.error(self.translate(error))
            return
        except Exception:
            async with self:
                self.verifying = 0  # the button works again; the error is shown and logged
            raise
        async with self:
            self.verifying = 0
            self._fetch(self._current_page())
        if checked.status == DomainStatus.VERIFIED:
            yield rx.toast.success(self.t("{domain} is verified.", domain=checked.name))
        else:
            yield rx.toast.warning(
                self.t("{domain} is not verified yet: see the reason.", domain=checked.name)
            )

    @rx.event
    def ask_remove(self, domain_id: int, name: str, links: str) -> None:
        self.remove_id = domain_id
        self.remove_question = self.t(
            "{domain} is disconnected. Its links ({links}) move to the app domain (their "
            "addresses change, and their hosts are emailed the new ones); hosts who chose it "
            "as their Meeting domain get the app domain back.",
            domain=name,
            links=links,
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
            return rx.toast.error(self.translate(error))
        finally:
            self.remove_id = 0
            self._fetch(self._current_page())
        return rx.toast.success(
            self.t_plural(
                "{domain} removed: {count} link moved to the app domain.",
                "{domain} removed: {count} links moved to the app domain.",
                removed.links_moved,
                domain=removed.host,
            )
        )

    @rx.event
    def copied(self, what: str) -> list[rx.event.EventSpec]:
        return [rx.set_clipboard(what), rx.toast.info(self.t("Copied to the clipboard."))]


def _record(record: RecordLine) -> rx.Component:
    def copyable(label: rx.Var[str], value: rx.Var[str]) -> rx.Component:
        return rx.hstack(
            rx.code(value, style={"word_break": "break-all"}),
            rx.icon_button(
                rx.icon("copy", size=14),
                size="1",
                variant="ghost",
                on_click=AdminDomainsState.copied(value),
                aria_label=label,
            ),
            align="center",
            spacing="1",
        )

    return rx.table.row(
        rx.table.cell(rx.badge(record.type, variant="outline")),
        rx.table.cell(copyable(t("Copy name of the {type} record", type=record.type), record.name)),
        rx.table.cell(
            copyable(t("Copy value of the {type} record", type=record.type), record.value)
        ),
    )


def _domain(line: DomainLine) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(line.name, size="4", as_="h2"),
                rx.badge(line.status, color_scheme=line.color, size="2", high_contrast=True),
                rx.spacer(),
                rx.text(t("{links} · {checked}", links=line.links, checked=line.checked), size="1"),
                align="center",
                width="100%",
            ),
            rx.cond(
                line.reason != "",
                rx.callout(
                    line.reason,
                    icon="triangle-alert",
                    color_scheme=rx.cond(line.color == "red", "red", "amber"),
                    size="1",
                ),
            ),
            rx.text(t("Create these records at your DNS host:"), size="2"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(t("Type")),
                        rx.table.column_header_cell(t("Name")),
                        rx.table.column_header_cell(t("Value")),
                    )
                ),
                rx.table.body(rx.foreach(line.records, _record)),
                size="1",
                width="100%",
            ),
            rx.hstack(
                rx.button(
                    t("Verify"),
                    loading=AdminDomainsState.verifying == line.id,
                    on_click=AdminDomainsState.verify(line.id),
                    aria_label=t("Verify {domain}", domain=line.name),
                ),
                rx.link(t("Brand and search engines"), href=line.settings_url),
                rx.spacer(),
                rx.button(
                    t("Remove"),
                    variant="soft",
                    color_scheme="red",
                    on_click=AdminDomainsState.ask_remove(line.id, line.name, line.links),
                    aria_label=t("Remove {domain}", domain=line.name),
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
            rx.el.label(t("Domain name"), html_for="domain-host", style={"font_weight": "500"}),
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
                rx.button(t("Add domain"), type="submit", disabled=~rx.State.is_hydrated),
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
                t("Previous"),
                variant="soft",
                disabled=~AdminDomainsState.has_previous,
                on_click=AdminDomainsState.go_to(-1),
            ),
            rx.text(AdminDomainsState.page_label, size="2"),
            rx.button(
                t("Next"),
                variant="soft",
                disabled=~AdminDomainsState.has_next,
                on_click=AdminDomainsState.go_to(1),
            ),
            align="center",
        ),
    )


@rx.page(
    route=routes.ADMIN_DOMAINS,
    title=t("Domains · Meetings"),
    on_load=[AuthState.require_user, AdminDomainsState.load],
)
def admin_domains() -> rx.Component:
    return host_shell(
        t("Domains"),
        admin_tabs(),
        rx.text(
            t(
                "Host meeting links on your own domain. Add it, create the two DNS records shown "
                "at your DNS host, then Verify. Verified domains appear in the Meeting domain "
                "setting of hosts with a Marketing Hub or CMS Hub seat, and are checked again "
                "every few hours."
            )
        ),
        _add_form(),
        rx.cond(
            ~AdminDomainsState.loaded,
            rx.hstack(rx.spinner(), rx.text(t("Loading domains…")), role="status"),
            rx.cond(
                AdminDomainsState.lines.length() > 0,
                rx.vstack(
                    rx.foreach(AdminDomainsState.lines, _domain),
                    _pager(),
                    spacing="3",
                    width="100%",
                ),
                rx.callout(
                    t(
                        "No custom domain yet: every link uses the app's own domain. Add one "
                        "above to host links on your brand's domain."
                    ),
                    icon="globe",
                    role="status",
                ),
            ),
        ),
        confirm_dialog(
            title=t("Remove this domain?"),
            description=AdminDomainsState.remove_question,
            confirm_label=t("Remove domain"),
            open_=AdminDomainsState.remove_id != 0,
            on_keep=AdminDomainsState.keep,
            on_confirm=AdminDomainsState.remove,
        ),
        admin_only=True,
    )
