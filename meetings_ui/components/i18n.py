"""Words on the page in the reader's language, looked up in the browser.

The translations travel with the frontend's code (`assets/i18n/catalogs.js`, written by
`make messages` from the .po files), not in each visitor's state: a page's state carries
only `LocaleState.language`, however many messages the catalogue holds.

`t("Save")` is the text of a button; `t("Showing {first}–{last} of {total}", first=...)`
fills placeholders with vars or values; `tr(State.message)` translates a message that a
handler chose at run time (a msgid held in a var). Babel extracts `t(...)` calls.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx
from reflex.vars.base import VarData
from reflex_base.utils.imports import ImportVar

from meetings_ui.state.locale import LocaleState

# The module `i18n.write_browser_catalogues` writes; Vite bundles it with the pages.
_CATALOGS = rx.Var(
    _js_expr="catalogs",
    _var_data=VarData(imports={"$/public/i18n/catalogs.js": [ImportVar(tag="catalogs")]}),
)


def _looked_up(message: rx.Var) -> rx.Var[str]:
    language = LocaleState.language
    return rx.Var(
        _js_expr=f"({_CATALOGS}[{language}]?.[{message}] ?? {message})",
        _var_data=VarData.merge(
            _CATALOGS._get_all_var_data(),
            language._get_all_var_data(),
            message._get_all_var_data(),
        ),
    ).to(str)


def t(msgid: str, /, **params: Any) -> rx.Var[str]:
    """`msgid` in the reader's language, `{name}` placeholders replaced by `params`."""
    text = _looked_up(rx.Var.create(msgid))
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


def tr(message: rx.Var[str] | str) -> rx.Var[str]:
    """A message chosen elsewhere (a var's, or a msgid marked with `N_`) in the reader's
    language, shown as it is when not in the catalogue."""
    return _looked_up(rx.Var.create(message))
