"""A control the user's seats do not unlock: shown disabled, with why and which seat unlocks it.

Never hide a locked control: people should learn what exists and how to get it.
Build `allowed`/`reason` from a domain `licences.Decision` held in the page state.
"""

from __future__ import annotations

import reflex as rx


def locked(
    control: rx.Component, *, allowed: rx.Var[bool], reason: rx.Var[str], notice_id: str
) -> rx.Component:
    """`control` must set `disabled=~allowed` and `aria_describedby=notice_id` itself."""
    return rx.vstack(
        control,
        rx.cond(
            allowed,
            rx.fragment(),
            rx.hstack(
                rx.icon("lock", size=14, aria_hidden="true"),
                rx.text(reason, size="2", id=notice_id),
                align="center",
                spacing="1",
                color=rx.color("gray", 11),
            ),
        ),
        spacing="1",
        width="100%",
    )
