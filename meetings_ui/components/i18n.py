"""Words on the page in the reader's language (LocaleState.catalog, read in the browser).

`t("Save")` is the text of a button; `t("Showing {first}–{last} of {total}", first=...)`
fills placeholders with vars or values; `tr(State.message)` translates a message that a
handler chose at run time (a msgid held in a var). Babel extracts `t(...)` calls.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx
from reflex.vars.base import VarData

from meetings_ui.state.locale import LocaleState


def t(msgid: str, /, **params: Any) -> rx.Var[str]:
    """`msgid` in the reader's language, `{name}` placeholders replaced by `params`."""
    text = LocaleState.catalog.get(msgid, msgid).to(str)
    for name, value in params.items():
        text = _fill(text, "{" + name + "}", rx.Var.create(value))
    return text


def _fill(text: rx.Var[str], placeholder: str, value: rx.Var) -> rx.Var[str]:
    """`text` with `placeholder` replaced by `value` as written (a function replacement, so
    a "$&" in a name is not read as a pattern)."""
    return rx.Var(
        _js_expr=f"({text}).replaceAll({json.dumps(placeholder)}, () => String({value}))",
        _var_data=VarData.merge(text._get_all_var_data(), value._get_all_var_data()),
    ).to(str)


def tr(message: rx.Var[str]) -> rx.Var[str]:
    """A var's message in the reader's language (shown as it is when not in the catalogue)."""
    return LocaleState.catalog.get(message, message).to(str)
