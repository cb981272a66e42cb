"""The rules for typed text: one-line names, multi-line answers, email addresses."""

from __future__ import annotations

import pytest

from meetings_ui.domain.text_fields import (
    InvalidTextError,
    clean_line,
    clean_text,
    normalize_email,
    printable_line,
)


@pytest.mark.parametrize(
    "name",
    [
        "Eve\rMallory",
        "Eve\r\nBEGIN:VEVENT",
        "Eve\nX",
        "Tab\there",
        "Nul\x00",
        "Del\x7f",
        "C1\x85x",
        "Ann\u202eelif.exe",  # right-to-left override: shows another name than it is
        "Iso\u2066late",
    ],
)
def test_a_name_with_a_control_character_is_refused(name: str) -> None:
    with pytest.raises(InvalidTextError, match="control characters"):
        clean_line(name, max_length=200)


@pytest.mark.parametrize(
    "name", ["Zoe: Z", "Doe; John, Jr.", 'Ann "the Boss"', "Zoë Ångström", "🎉 Party 🇫🇷"]
)
def test_punctuation_and_any_script_are_names_like_others(name: str) -> None:
    assert clean_line(f"  {name} ", max_length=200) == name


def test_line_limits_and_required_fields() -> None:
    with pytest.raises(InvalidTextError, match="at most 5"):
        clean_line("abcdef", max_length=5)
    with pytest.raises(InvalidTextError, match="required"):
        clean_line("   ", max_length=5)
    assert clean_line("   ", max_length=5, required=False) == ""
    with pytest.raises(InvalidTextError, match="Enter text"):
        clean_line(None, max_length=5)


def test_an_answer_keeps_its_lines_but_no_other_control() -> None:
    assert clean_text("one\r\ntwo\n\tthree ", max_length=100) == "one\ntwo\n\tthree"
    with pytest.raises(InvalidTextError, match="control characters"):
        clean_text("one\rtwo", max_length=100)
    with pytest.raises(InvalidTextError, match="control characters"):
        clean_text("bell\x07", max_length=100)


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        (" Pat@Example.ORG ", "pat@example.org"),
        ("ada@BÜCHER.de", "ada@bücher.de"),
        ("ada@xn--bcher-kva.de", "ada@bücher.de"),
    ],
)
def test_email_validator_normalizes_the_address(typed: str, normalized: str) -> None:
    assert normalize_email(typed) == normalized


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "not-an-email",
        "a@b",
        "two@@example.com",
        "pat@example..com",
        "pat @example.com",
        "pat@example.com\r\nBcc: x@example.com",
        "pat\x00@example.com",
        "x" * 310 + "@example.com",
        42,
    ],
)
def test_email_validator_refuses_what_is_not_an_address(typed: object) -> None:
    with pytest.raises(InvalidTextError):
        normalize_email(typed)


def test_stored_text_is_shown_on_one_line() -> None:
    assert printable_line("Eve\r\nBcc: x@example.com\rY\x00Z ") == "Eve Bcc: x@example.com Y Z"
    assert printable_line("Zoe: Z 🎉") == "Zoe: Z 🎉"
