"""Pieces of the availability editor: intervals with time pickers, chips, number fields
with their unit, each with its problem said right under it (role=alert).

They take the vars they show and the events they send, so they know no page's state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from meetings_ui.components.i18n import t


def problem_text(problems: rx.Var[dict[str, str]], key: str | rx.Var[str]) -> rx.Component:
    """The problem of `key`, when there is one, where the field is (announced)."""
    return rx.cond(
        problems.contains(key),
        rx.text(
            problems[key].to(str),
            id=_problem_id(key),
            role="alert",
            color=rx.color("red", 11),
            size="2",
        ),
    )


def _problem_id(key: str | rx.Var[str]) -> str | rx.Var[str]:
    if isinstance(key, str):
        return "problem-" + key.replace(".", "-")
    return "problem-" + key.to(str).replace(".", "-")


def hint_text(text: rx.Var[str] | str) -> rx.Component:
    return rx.text(text, size="1", color=rx.color("gray", 11))


def interval_row(
    *,
    day_name: rx.Var[str],
    number: rx.Var[int],
    interval: rx.Var[list[str]],
    on_time: Callable[[int, Any], Any],
    on_remove: Any,
) -> rx.Component:
    """One interval of a day: start and end time pickers and its Remove button; an end at
    or before the start is said to be the next day (22:00–02:00)."""
    start, end = interval[0].to(str), interval[1].to(str)
    return rx.hstack(
        rx.input(
            type="time",
            value=start,
            debounce_timeout=0,  # whole values only: sent at once, in order with the rest
            on_change=lambda value: on_time(0, value),
            aria_label=t("{day}, interval {number}: from", day=day_name, number=number),
            width="8.5em",
        ),
        rx.text("–", aria_hidden="true"),
        rx.input(
            type="time",
            value=end,
            debounce_timeout=0,
            on_change=lambda value: on_time(1, value),
            aria_label=t("{day}, interval {number}: to", day=day_name, number=number),
            width="8.5em",
        ),
        rx.cond(
            (end != "") & (start != "") & (end <= start),
            hint_text(t("ends the next day")),
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=on_remove,
            aria_label=t("Remove interval {number} of {day}", day=day_name, number=number),
            title=t("Remove interval"),
        ),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def intervals(
    *,
    day_name: rx.Var[str],
    items: rx.Var[list[list[str]]],
    on_time: Callable[[int, int, Any], Any],
    on_remove: Callable[[int], Any],
    on_add: Any,
) -> rx.Component:
    """A day's intervals and the button that adds one."""
    return rx.vstack(
        rx.foreach(
            items,
            lambda interval, index: interval_row(
                day_name=day_name,
                number=index + 1,
                interval=interval,
                on_time=lambda end, value: on_time(index, end, value),
                on_remove=on_remove(index),
            ),
        ),
        rx.button(
            rx.icon("plus", size=14),
            t("Add interval"),
            size="1",
            variant="soft",
            on_click=on_add,
            aria_label=t("Add an interval to {day}", day=day_name),
        ),
        spacing="1",
    )


def chip_group(
    *, label: rx.Var[str], chips: rx.Var[list], on_toggle: Callable[[Any], Any]
) -> rx.Component:
    """Values to switch on and off (aria-pressed), like durations: each chip's `label`,
    `value` and `on`."""
    return rx.hstack(
        rx.foreach(
            chips,
            lambda chip: rx.button(
                rx.cond(chip.on, rx.icon("check", size=14)),
                chip.label,
                size="2",
                radius="full",
                variant=rx.cond(chip.on, "solid", "outline"),
                aria_pressed=rx.cond(chip.on, "true", "false"),
                on_click=on_toggle(chip.value),
            ),
        ),
        role="group",
        aria_label=label,
        wrap="wrap",
        spacing="2",
    )


def number_field(
    *,
    label: rx.Var[str],
    field_id: str,
    value: rx.Var[str],
    on_change: Any,
    unit: rx.Component,
    problems: rx.Var[dict[str, str]],
    problem_key: str,
    hint: rx.Var[str] | None = None,
    minimum: int = 0,
) -> rx.Component:
    """A whole number with its unit beside it (a word, or a unit select), its hint and its
    problem under it."""
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"font_weight": "500"}),
        rx.hstack(
            rx.input(
                id=field_id,
                type="number",
                min=minimum,
                step=1,
                input_mode="numeric",
                value=value,
                on_change=on_change,
                debounce_timeout=0,
                aria_describedby=_problem_id(problem_key),
                width="7em",
            ),
            unit,
            align="center",
            spacing="2",
        ),
        *([hint_text(hint)] if hint is not None else []),
        problem_text(problems, problem_key),
        spacing="1",
    )


def unit_word(word: rx.Var[str]) -> rx.Component:
    return rx.text(word, size="2")
