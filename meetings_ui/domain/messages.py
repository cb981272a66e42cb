"""Sentences the domain says, kept translatable.

The domain does not know who reads it. A `Text` is the English sentence (so it works as a
plain string in logs, tests and the API's English messages) that also keeps its template
and values, so the layer that knows the reader's language says it in theirs
(`meetings_ui.i18n.translate`). Babel extracts `Text("...")` templates into the catalogue.
"""

from __future__ import annotations

from typing import Any


class Text(str):
    """An English sentence that remembers its template and the values put into it."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Text:
        text = super().__new__(cls, template.format(**params) if params else template)
        text.template = template
        text.params = params
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (self.template, self.params))


def _restore(template: str, params: dict[str, Any]) -> Text:
    return Text(template, **params)


def N_(msgid: str) -> str:  # noqa: N802 (gettext's own name for it)
    """Marks a msgid kept in a constant for the catalogue; translated where it is shown."""
    return msgid
