"""The host shell: navigation on the left, the page on the right."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes

NAVIGATION = (
    ("Meetings", routes.MEETINGS, "calendar-days"),
    ("Contacts", routes.CONTACTS, "users"),
    ("Settings", routes.SETTINGS, "settings"),
    ("Admin", routes.ADMIN, "shield"),
)


def _nav_link(label: str, href: str, icon: str) -> rx.Component:
    is_current = rx.State.router.page.path.startswith(href)
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(label), align="center", spacing="2"),
        href=href,
        underline="none",
        padding="0.5em 0.75em",
        border_radius="var(--radius-2)",
        width="100%",
        color=rx.cond(is_current, rx.color("accent", 11), rx.color("gray", 12)),
        background=rx.cond(is_current, rx.color("accent", 3), "transparent"),
        aria_current=rx.cond(is_current, "page", "false"),
    )


def host_shell(title: str, *children: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.el.nav(
            rx.vstack(
                rx.link(
                    rx.text("Meetings", size="5", weight="bold"),
                    href=routes.LANDING,
                    aria_label="Home",
                    underline="none",
                    color=rx.color("gray", 12),
                ),
                rx.separator(),
                *[_nav_link(*item) for item in NAVIGATION],
                spacing="2",
                width="100%",
            ),
            aria_label="Main",
            style={"width": "14em", "padding": "1.25em", "min_height": "100vh"},
            background=rx.color("gray", 2),
            border_right=f"1px solid {rx.color('gray', 5)}",
        ),
        rx.el.main(
            rx.vstack(rx.heading(title, size="7", as_="h1"), *children, spacing="4"),
            style={"flex": "1", "padding": "2em", "max_width": "64em"},
        ),
        align="start",
        spacing="0",
        width="100%",
    )


def not_built_yet(what: str) -> rx.Component:
    """An honest placeholder: the feature is not there yet, and no fake data pretends it is."""
    return rx.callout(
        what,
        icon="construction",
        color_scheme="gray",
        role="status",
    )
