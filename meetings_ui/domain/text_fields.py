"""What people type into names, titles, answers and email fields: one set of rules.

Control characters are refused everywhere (a CR or NUL in a name breaks e-mail headers
and .ics lines, and hides text on screen; a bidi override shows text in another order);
line breaks and tabs are allowed only where the field is written on several lines.
Email addresses are checked and normalised by email-validator (syntax only: no DNS
lookup while a prospect waits).
"""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from meetings_ui.domain.messages import Text

MAX_EMAIL_LENGTH = 320
MAX_NAME_LENGTH = 200  # a person's name: an account's, a prospect's
_MULTILINE_ALLOWED = frozenset("\n\t")
_CONTROL_RUN = re.compile(r"[\x00-\x1f\x7f-\x9f]+")  # Unicode category Cc


class InvalidTextError(ValueError):
    """The message (a `Text`, its `args[0]`) is written for the person who typed the value."""


# The bidirectional embeddings, overrides and isolates: they reorder what a reader sees
# ("Trojan Source"), so a name could show one thing and be another.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _control_characters(value: str, allowed: frozenset[str]) -> bool:
    return any(
        (unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI_CONTROLS)
        and char not in allowed
        for char in value
    )


def clean_line(value: object, *, max_length: int, required: bool = True) -> str:
    """A one-line text (a name, a title): stripped, without control characters."""
    if not isinstance(value, str):
        raise InvalidTextError(Text("Enter text."))
    text = value.strip()
    if required and not text:
        raise InvalidTextError(Text("This field is required."))
    if len(text) > max_length:
        raise InvalidTextError(Text("Use at most {max_length} characters.", max_length=max_length))
    if _control_characters(text, frozenset()):
        raise InvalidTextError(Text("Remove line breaks and other control characters."))
    return text


def clean_text(value: object, *, max_length: int, required: bool = False) -> str:
    """A text written on several lines (a message, an answer): line breaks and tabs
    allowed, Windows line ends made plain, other control characters refused."""
    if not isinstance(value, str):
        raise InvalidTextError(Text("Enter text."))
    text = value.replace("\r\n", "\n").strip()
    if required and not text:
        raise InvalidTextError(Text("This field is required."))
    if len(text) > max_length:
        raise InvalidTextError(Text("Use at most {max_length} characters.", max_length=max_length))
    if _control_characters(text, _MULTILINE_ALLOWED):
        raise InvalidTextError(Text("Remove control characters."))
    return text


def normalize_email(value: object) -> str:
    """The address as it is stored and compared: email-validator's normalised form (IDNA
    domain, NFC), lower-cased whole: addresses are case-insensitive in practice, and one
    person must not become two accounts or contacts. Refuses what email-validator does."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidTextError(Text("Enter an email address."))
    if len(value.strip()) > MAX_EMAIL_LENGTH:
        raise InvalidTextError(Text("This email address is too long."))
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise InvalidTextError(
            Text("Enter a valid email address: {problem}", problem=str(error))
        ) from error


def printable_line(value: str) -> str:
    """Stored text shown on one line (an email subject, a name in an .ics file): every run
    of control characters becomes one space, so rows saved before these checks existed
    cannot break a header or a line."""
    return _CONTROL_RUN.sub(" ", value).strip()
