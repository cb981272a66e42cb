"""A control the user's seats do not unlock: shown disabled, with why and which seat unlocks it.

Never hide a locked control: people should learn what exists and how to get it.
`lock` is a domain `licences.Decision` held in the page state (a computed var).
"""

from __future__ import annotations

import reflex as rx

from meetings_ui.domain.licences import Decision

# What a page shows before it has loaded the user's seats.
UNKNOWN = Decision(allowed=False, reason="", needs="")


def locked(control: rx.Component, *, lock: rx.Var[Decision], notice_id: str) -> rx.Component:
    """`control` must set `disabled=~lock.allowed` and `aria_describedby=notice_id` itself."""
    return rx.vstack(
        control,
        rx.cond(
            lock.allowed,
            rx.fragment(),
            rx.hstack(
                rx.icon("lock", size=14, aria_hidden="true"),
                rx.text(lock.reason, size="2", id=notice_id),
                align="center",
                spacing="1",
                color=rx.color("gray", 11),
            ),
        ),
        spacing="1",
        width="100%",
    )
