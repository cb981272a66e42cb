"""French and English: the catalogue is complete and in step with the sources, and the
language and locale helpers pick and format as a reader expects."""

from __future__ import annotations

import pickle
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from meetings_ui import i18n
from meetings_ui.domain.messages import Text

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@pytest.fixture(scope="module")
def extracted():
    return {m.id for m in i18n.extract() if m.id}


@pytest.fixture(scope="module")
def french():
    return i18n._po("fr")


def test_every_message_of_the_sources_is_translated_into_french(extracted, french):
    missing = sorted(
        str(m)
        for m in extracted
        if (entry := french.get(m)) is None
        or entry.fuzzy
        or not all(entry.string if isinstance(entry.string, tuple) else (entry.string,))
    )
    assert not missing, f"{len(missing)} messages without French (make messages): {missing[:20]}"


def test_the_french_catalogue_holds_no_message_the_sources_dropped(extracted, french):
    stale = sorted(str(m.id) for m in french if m.id and m.id not in extracted)
    assert not stale, f"run `make messages` to drop: {stale[:20]}"


def test_translations_keep_the_placeholders_of_their_message(french):
    wrong = []
    for message in french:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) - {"{count}"}
        for string in strings:
            if set(PLACEHOLDER.findall(string)) - {"{count}"} != wanted:
                wrong.append((ids[0], string))
    assert not wrong


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("fr-CH, fr;q=0.9, en;q=0.8", "fr-CH"),
        ("de-DE, en-GB;q=0.7", "en-GB"),
        ("en-us", "en-US"),
        ("fr", "fr"),
        ("", "en"),
        (None, "en"),
        ("de, it;q=0.5", "en"),
        ("*", "en"),
        ("x" * 500, "en"),
    ],
)
def test_the_browser_languages_pick_the_first_one_we_speak(header, locale):
    assert i18n.negotiate(header) == locale


def test_a_message_falls_back_to_english_and_fills_its_placeholders():
    assert i18n.gettext("de", "Unknown {x}", x=1) == "Unknown 1"
    assert i18n.ngettext("en", "{count} time", "{count} times", 2) == "2 times"


def test_dates_and_times_follow_the_locale():
    moment = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)
    assert i18n.format_time(moment, "fr", ZoneInfo("Europe/Paris")) == "14:30"
    assert i18n.format_time(moment, "en-US", ZoneInfo("Europe/Paris")) == "2:30\u202fPM"
    assert i18n.format_date(moment.date(), "fr") == "jeudi 26 novembre 2026"
    assert i18n.uses_24_hour_clock("en-GB") and not i18n.uses_24_hour_clock("en-US")


def test_a_domain_text_is_english_and_survives_pickling():
    text = Text("Needs at least {notice} notice", notice="4 hours")
    assert text == "Needs at least 4 hours notice"
    again = pickle.loads(pickle.dumps(text))
    assert (again.template, again.params) == (text.template, text.params)
    assert i18n.translate(again, "en") == "Needs at least 4 hours notice"


def test_an_empty_message_stays_empty_in_every_language():
    """gettext("") is the catalogue's header: an empty message must never become it."""
    assert i18n.translate("", "fr") == i18n.gettext("fr", "") == ""


def test_a_reader_says_words_and_moments_in_their_locale_and_zone():
    reader = i18n.Reader("fr-FR", "Europe/Paris")
    moment = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)
    assert reader.moment(moment) == "jeudi 26 novembre 2026, 14:30"
    assert reader.t("Hello {name},", name="Léa") == "Bonjour Léa,"
    assert i18n.Reader("en-US", "America/New_York").moment(moment) == (
        "Thursday, November 26, 2026, 8:30\u202fAM"
    )


@pytest.mark.parametrize(
    ("tag", "stored"), [("fr_ca", "fr-CA"), ("en-GB", "en-GB"), ("de-DE", "en"), ("", "en")]
)
def test_a_stored_locale_is_one_we_speak(tag, stored):
    assert i18n.supported_locale(tag) == stored


def test_the_browser_catalogues_are_in_step_with_the_po_files():
    written = i18n.BROWSER_CATALOGUES.read_text(encoding="utf-8")
    assert written == i18n.browser_catalogues(), "run `make messages` to rewrite it"
