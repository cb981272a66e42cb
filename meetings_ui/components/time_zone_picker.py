"""The time zone picker of the booking page and the link editor: a searchable combobox of
the canonical IANA zones, each with its current UTC offset ("Europe/Paris (UTC+01:00)").

Nothing of it lives in a state: the names are compiled into the page once (the tz
database's list, domain/time_zones.canonical_zones), and the browser computes the offsets
when the list opens (time_zone_picker.jsx), so they are today's wherever the page is
viewed, and hundreds of visitors cost the server nothing. Type to filter ("par",
"new york", "+01"), Down/Up and Enter to choose, Escape to close.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import passthrough_event_spec

from meetings_ui.components.i18n import t
from meetings_ui.domain.time_zones import canonical_zones


class _TimeZonePicker(rx.Component):
    """time_zone_picker.jsx, a React component of this project."""

    library = rx.asset("time_zone_picker.jsx", shared=True).importable_path
    tag = "TimeZonePicker"
    is_default = False

    label: rx.Var[str]
    value: rx.Var[str]
    zones: rx.Var[list[str]]
    preferred: rx.Var[str]
    placeholder: rx.Var[str]
    empty_text: rx.Var[str]

    on_change: rx.EventHandler[passthrough_event_spec(str)]


def time_zone_picker(
    label: rx.Var[str] | str,
    value: rx.Var[str],
    on_change: Any,
    preferred: rx.Var[str] | str = "",
    **props: Any,
) -> rx.Component:
    """A labelled time zone picker showing `value`; `on_change` receives the chosen zone's
    name; `preferred` (the detected zone, or the host's own) is listed first. `props` go
    to the component (e.g. `id`, which the label points at)."""
    return _TimeZonePicker.create(
        label=label,
        value=value,
        zones=list(canonical_zones()),
        preferred=preferred,
        placeholder=t("Search: city, region or UTC offset"),
        empty_text=t("No time zone matches."),
        on_change=on_change,
        **props,
    )
