"""A custom domain's brand on the prospect's pages (S14) and its robots rule (S15)."""

from __future__ import annotations

import reflex as rx

from meetings_ui.components.i18n import t


class BrandVars(rx.State, mixin=True):
    """The brand of the link a prospect page shows: empty on the app domain. A mixin, so
    each page's state sets it in the same event that loads the link."""

    brand_name: str = ""
    brand_logo: str = ""  # absolute URL of the stored, re-encoded logo
    accent_color: str = ""  # "#rrggbb"; empty keeps the app's colour
    noindex: bool = False  # the domain blocks search engines from its meeting links

    def _take_brand(self, brand: object | None) -> None:
        """Show `brand` (a domain_brand.BrandView), or nothing of a brand for None."""
        self.brand_name = getattr(brand, "name", "") or ""
        self.brand_logo = getattr(brand, "logo_url", "") or ""
        self.accent_color = getattr(brand, "accent_color", "") or ""
        self.noindex = bool(getattr(brand, "block_indexing", False))


def branded(state: type[BrandVars], *content: rx.Component, **props: object) -> rx.Component:
    """`content` under the brand's name and logo, buttons in its accent colour; with a
    robots noindex tag (React puts it in the document's head) when the domain blocks it."""
    return rx.box(
        rx.cond(state.noindex, rx.el.meta(name="robots", content="noindex")),
        rx.cond(
            (state.brand_name != "") | (state.brand_logo != ""),
            rx.hstack(
                rx.cond(
                    state.brand_logo != "",
                    rx.image(
                        src=state.brand_logo,
                        alt=t("{name} logo", name=state.brand_name),
                        max_height="48px",
                        max_width="12em",
                    ),
                ),
                rx.text(state.brand_name, size="5", weight="bold"),
                align="center",
                spacing="3",
                role="banner",
                justify="center",
                padding_bottom="1em",
            ),
        ),
        *content,
        style={
            "--accent-9": state.accent_color,
            "--accent-10": state.accent_color,
            "--accent-11": state.accent_color,
            "--focus-8": state.accent_color,
        },
        width="100%",
        **props,
    )
