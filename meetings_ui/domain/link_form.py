"""The link editor's plain-text fields ↔ settings JSON.

Hosts type availability as they would say it — "09:00-12:00, 13:00-17:00" — and questions
one per line; these functions turn that into the settings JSON that `LinkSettings`
validates, and back, so the editor round-trips what it shows.
"""

from __future__ import annotations

import re
from typing import Any

from meetings_ui.domain.link_settings import WEEKDAYS

_WINDOW = re.compile(r"\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*")


class FormError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _clock(value: str) -> str:
    hours, minutes = value.split(":")
    return f"{int(hours):02d}:{minutes}"


def windows_from_text(text: str, field: str) -> list[list[str]]:
    """'09:00-12:00, 13:00-17:00' → [['09:00','12:00'], ['13:00','17:00']]; '' or 'off' → []."""
    text = text.strip()
    if not text or text.lower() in {"off", "closed", "-"}:
        return []
    windows = []
    for part in text.split(","):
        match = _WINDOW.fullmatch(part)
        if not match:
            raise FormError(
                field, f"write hours like 09:00-12:00, 13:00-17:00 (not {part.strip()!r})"
            )
        windows.append([_clock(match.group(1)), _clock(match.group(2))])
    return windows


def windows_to_text(windows: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in windows)


def weekly_from_texts(texts: dict[str, str]) -> dict[str, list[list[str]]]:
    weekly = {}
    for day in WEEKDAYS:
        windows = windows_from_text(texts.get(day, ""), f"hours.{day}")
        if windows:
            weekly[day] = windows
    return weekly


def overrides_from_text(text: str) -> dict[str, list[list[str]]]:
    """One date per line: '2026-12-24: off' or '2026-12-26: 10:00-12:00'."""
    overrides = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        day, separator, hours = line.partition(":")
        if not separator or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day.strip()):
            raise FormError(
                "overrides", f"line {number}: write 2026-12-24: off or 2026-12-26: 10:00-12:00"
            )
        overrides[day.strip()] = windows_from_text(hours, "overrides")
    return overrides


def overrides_to_text(overrides: dict[str, list[list[str]]]) -> str:
    return "\n".join(
        f"{day}: {windows_to_text(w) or 'off'}" for day, w in sorted(overrides.items())
    )


def questions_from_text(text: str) -> list[dict[str, Any]]:
    """One question per line; a trailing * makes it required; 'Topic: Sales | Support'
    makes a choice question."""
    questions = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        label, _, choices = line.partition(":")
        required = label.rstrip().endswith("*")
        label = label.rstrip().rstrip("*").strip()
        options = [c.strip() for c in choices.split("|") if c.strip()]
        question_id = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
        if question_id and not question_id[0].isalpha():
            question_id = f"q_{question_id}"
        questions.append(
            {
                "id": question_id,
                "label": label,
                "kind": "choice" if options else "text",
                "required": required,
                "choices": options,
            }
        )
    return questions


def questions_to_text(questions: list[dict[str, Any]]) -> str:
    lines = []
    for question in questions:
        line = question["label"] + ("*" if question.get("required") else "")
        if question.get("kind") == "choice":
            line += ": " + " | ".join(question.get("choices", []))
        lines.append(line)
    return "\n".join(lines)


def numbers_from_text(text: str, field: str) -> list[int]:
    """'30, 60' → [30, 60]."""
    values = [part.strip() for part in text.split(",") if part.strip()]
    if not all(v.isdigit() for v in values):
        raise FormError(field, "write whole numbers separated by commas, like 30, 60")
    return [int(v) for v in values]


def optional_number(text: str, field: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise FormError(field, "write a whole number, or leave it empty")
    return int(text)
