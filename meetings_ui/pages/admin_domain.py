"""Admin > Domains > one domain: its brand (S14) and its robots setting (S15).

The brand (name, logo, accent colour) is shown on the booking, confirmation, cancel and
reschedule pages of the domain's links and in their emails. Logos are decoded and stored
re-encoded as PNG (domain/brand.py): PNG, JPEG, GIF or WebP up to 512 KB; SVG is refused
because it can carry scripts.
"""

from __future__ import annotations

import reflex as rx
from babel.numbers import format_decimal

from meetings_ui import routes
from meetings_ui.components.forms import confirm_dialog, labelled
from meetings_ui.components.i18n import t
from meetings_ui.components.layout import host_shell
from meetings_ui.config import get_settings
from meetings_ui.domain import brand
from meetings_ui.pages.admin import admin_tabs
from meetings_ui.services import domain_brand
from meetings_ui.services.domain_brand import DomainNotFoundError, DomainSettings
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState

UPLOAD_ID = "domain-logo"
DEFAULT_ACCENT = "#3e63dd"  # the app's indigo, offered when the domain has none


class AdminDomainState(AuthState):
    loaded: bool = False
    missing: str = ""  # why the domain cannot be shown (gone, or not an admin)
    host: str = ""
    verified: bool = False
    brand_name: str = ""
    accent_color: str = ""
    block_indexing: bool = False
    logo_url: str = ""
    saving: bool = False
    uploading: bool = False
    confirm_remove: bool = False
    error: str = ""
    _domain_id: int = 0

    @rx.var
    def contrast_note(self) -> str:
        """Whether white button text stays readable on the chosen colour (WCAG AA)."""
        if not self.accent_color:
            return self.t("No accent colour: the app's own is used.")
        try:
            ratio = brand.contrast_with_white(self.accent_color.lower())
        except ValueError:
            return self.t("Use the #rrggbb form, for example #1a4d8f.")
        shown = format_decimal(ratio, format="0.0", locale=self.locale.replace("-", "_"))
        if ratio >= brand.MIN_CONTRAST:
            return self.t("Contrast with white text: {ratio}:1 (readable).", ratio=shown)
        return self.t(
            "Contrast with white text: {ratio}:1 (too light: choose a darker one).", ratio=shown
        )

    def _take(self, settings: DomainSettings) -> None:
        self.loaded, self.missing = True, ""
        self.host, self.verified = settings.host, settings.verified
        self.brand_name, self.accent_color = settings.brand_name, settings.accent_color
        self.block_indexing = settings.block_indexing
        # A backend route: in development the backend has its own port.
        self.logo_url = (
            f"{get_settings().backend_url}{settings.logo_path}" if settings.logo_path else ""
        )

    @rx.event
    def load(self) -> None:
        self.loaded, self.error, self.confirm_remove = False, "", False
        try:
            self._domain_id = int(self.domain_id or "0")
        except ValueError:
            self._domain_id = 0
        try:
            self._take(
                domain_brand.domain_settings(actor=self._require_actor(), domain_id=self._domain_id)
            )
        except (ForbiddenError, DomainNotFoundError) as refused:
            self.loaded, self.missing = True, self.translate(refused)

    @rx.event
    def set_brand_name(self, value: str) -> None:
        self.brand_name = value

    @rx.event
    def set_accent_color(self, value: str) -> None:
        self.accent_color = value.strip()

    @rx.event
    def set_block_indexing(self, value: bool) -> None:
        self.block_indexing = bool(value)

    @rx.event
    def save(self) -> rx.event.EventSpec | None:
        self.saving, self.error = True, ""
        try:
            self._take(
                domain_brand.save_domain_settings(
                    actor=self._require_actor(),
                    domain_id=self._domain_id,
                    brand_name=self.brand_name,
                    accent_color=self.accent_color,
                    block_indexing=self.block_indexing,
                )
            )
        except (ForbiddenError, DomainNotFoundError, brand.InvalidBrandError) as refused:
            self.error = self.translate(refused)
            return None
        finally:
            self.saving = False
        return rx.toast.success(self.t("Saved the settings of {domain}.", domain=self.host))

    @rx.event
    async def upload(self, files: list[rx.UploadFile]) -> rx.event.EventSpec | None:
        self.uploading, self.error = True, ""
        try:
            if not files:
                self.error = self.t("Choose an image first.")
                return None
            # One byte more than allowed is enough to say it is too large.
            data = await files[0].read(brand.MAX_LOGO_BYTES + 1)
            self._take(
                domain_brand.upload_logo(
                    actor=self._require_actor(), domain_id=self._domain_id, upload=data
                )
            )
        except (ForbiddenError, DomainNotFoundError, brand.InvalidBrandError) as refused:
            self.error = self.translate(refused)
            return None
        finally:
            self.uploading = False
        return [rx.clear_selected_files(UPLOAD_ID), rx.toast.success(self.t("Logo uploaded."))]

    @rx.event
    def ask_remove(self, value: bool = True) -> None:
        self.confirm_remove = bool(value)

    @rx.event
    def remove(self) -> rx.event.EventSpec | None:
        self.confirm_remove = False
        try:
            self._take(
                domain_brand.remove_logo(actor=self._require_actor(), domain_id=self._domain_id)
            )
        except (ForbiddenError, DomainNotFoundError) as refused:
            self.error = self.translate(refused)
            return None
        return rx.toast.success(self.t("Logo removed."))


def _brand_form() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Brand"), size="5", as_="h2"),
        rx.text(
            t(
                "Shown on the booking, confirmation, cancel and reschedule pages of this "
                "domain's links, and in the emails sent for them."
            )
        ),
        labelled(
            t("Brand name"),
            rx.input(
                id="brand-name",
                value=AdminDomainState.brand_name,
                on_change=AdminDomainState.set_brand_name,
                max_length=200,
                width="100%",
            ),
            "brand-name",
        ),
        labelled(
            t("Accent colour"),
            rx.hstack(
                rx.el.input(
                    type="color",
                    id="accent-picker",
                    aria_label=t("Colour picker"),
                    value=rx.cond(
                        AdminDomainState.accent_color != "",
                        AdminDomainState.accent_color,
                        DEFAULT_ACCENT,
                    ),
                    on_change=AdminDomainState.set_accent_color,
                    style={"width": "3em", "height": "2.2em", "padding": "0"},
                ),
                rx.input(
                    id="accent-color",
                    value=AdminDomainState.accent_color,
                    on_change=AdminDomainState.set_accent_color,
                    placeholder="#1a4d8f",
                    max_length=7,
                ),
                rx.button(
                    t("Sample button"),
                    type="button",
                    tab_index=-1,
                    aria_hidden="true",
                    style={"--accent-9": AdminDomainState.accent_color},
                ),
                align="center",
                spacing="3",
            ),
            "accent-color",
        ),
        rx.text(
            t("Buttons and highlights use it, with white text on it."),
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.text(AdminDomainState.contrast_note, size="2", role="status"),
        rx.heading(t("Search engines"), size="5", as_="h2"),
        rx.el.label(
            rx.hstack(
                rx.checkbox(
                    checked=AdminDomainState.block_indexing,
                    on_change=AdminDomainState.set_block_indexing,
                ),
                rx.text(t("Block search engines from indexing meeting links")),
                align="center",
                spacing="2",
            ),
        ),
        rx.text(
            t(
                "When on, this domain's robots.txt says Disallow: /meetings* and its booking "
                "pages carry a noindex tag."
            ),
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.button(t("Save"), on_click=AdminDomainState.save, loading=AdminDomainState.saving),
        spacing="3",
        width="100%",
        max_width="36em",
    )


def _logo_form() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Logo"), size="5", as_="h2"),
        rx.cond(
            AdminDomainState.logo_url != "",
            rx.hstack(
                rx.image(
                    src=AdminDomainState.logo_url,
                    alt=t("Current logo"),
                    max_height="64px",
                    max_width="16em",
                ),
                rx.button(
                    t("Remove logo"),
                    color_scheme="red",
                    variant="soft",
                    on_click=AdminDomainState.ask_remove(True),
                ),
                align="center",
                spacing="4",
            ),
            rx.text(t("No logo yet."), color=rx.color("gray", 11)),
        ),
        rx.upload.root(
            rx.vstack(
                rx.button(t("Choose an image"), type="button", variant="soft"),
                rx.text(rx.selected_files(UPLOAD_ID).join(", "), size="2"),
                spacing="2",
            ),
            # No `accept` filter: the dropzone would drop other files silently, while the
            # server says what is wrong with them (and checks every upload anyway).
            id=UPLOAD_ID,
            max_files=1,
            multiple=False,
        ),
        rx.text(
            t(
                "PNG, JPEG, GIF or WebP, up to 512 KB. SVG is not accepted (it can carry "
                "scripts). The image is stored re-encoded as PNG, at most 512×512 pixels."
            ),
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.button(
            t("Upload logo"),
            on_click=AdminDomainState.upload(rx.upload_files(upload_id=UPLOAD_ID)),
            loading=AdminDomainState.uploading,
        ),
        confirm_dialog(
            title=t("Remove the logo?"),
            description=t("The domain's pages and emails will show only the brand name."),
            confirm_label=t("Remove logo"),
            open_=AdminDomainState.confirm_remove,
            on_keep=AdminDomainState.ask_remove(False),
            on_confirm=AdminDomainState.remove,
        ),
        spacing="3",
        width="100%",
        max_width="36em",
    )


def _content() -> rx.Component:
    return rx.cond(
        ~AdminDomainState.loaded,
        rx.hstack(rx.spinner(), rx.text(t("Loading the domain…")), role="status"),
        rx.cond(
            AdminDomainState.missing != "",
            rx.callout(AdminDomainState.missing, icon="triangle-alert", role="alert"),
            rx.vstack(
                rx.heading(AdminDomainState.host, size="6", as_="h2"),
                rx.cond(
                    ~AdminDomainState.verified,
                    rx.callout(
                        t("This domain is not verified yet: its pages are served once it is."),
                        icon="info",
                        role="note",
                    ),
                ),
                rx.link(t("All domains"), href=routes.ADMIN_DOMAINS),
                rx.cond(
                    AdminDomainState.error != "",
                    rx.callout(
                        AdminDomainState.error,
                        icon="triangle-alert",
                        color_scheme="red",
                        role="alert",
                    ),
                ),
                _brand_form(),
                rx.separator(),
                _logo_form(),
                spacing="4",
                width="100%",
            ),
        ),
    )


@rx.page(
    route=routes.ADMIN_DOMAIN,
    title=t("Domain settings · Meetings"),
    on_load=[AuthState.require_user, AdminDomainState.load],
)
def admin_domain() -> rx.Component:
    return host_shell(t("Domain settings"), admin_tabs(), _content(), admin_only=True)
