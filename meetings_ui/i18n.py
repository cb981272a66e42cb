"""French and English: the catalogues, the reader's language and locale-aware formatting.

Messages are gettext catalogues (`meetings_ui/locales/<language>/LC_MESSAGES/messages.po`),
extracted from the sources with Babel (`make messages`). English is the source language:
a message without a translation is shown as written.

Two ideas are kept apart:
- the **language** ("en", "fr") picks the catalogue;
- the **locale** ("en-US", "en-GB", "fr-FR") formats dates and times (12- or 24-hour clock,
  day and month names) with Babel.

Where the words come from: `t()` (components/i18n.py) in pages, `gettext()` / `ngettext()`
here in states, services and emails, `Text` (domain/messages.py) in the domain.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from functools import cache, lru_cache
from gettext import GNUTranslations, NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from meetings_ui.domain.messages import Text

LANGUAGES: Mapping[str, str] = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


@lru_cache(maxsize=1024)
def language_of(locale: str | None) -> str:
    """The catalogue's language for a locale tag ("fr-CA" → "fr"); English by default."""
    language = (locale or "").replace("_", "-").split("-")[0].lower()
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=1024)
def negotiate(accept_language: str | None) -> str:
    """The locale to use for a browser's Accept-Language header: the first language it
    prefers that we speak, with its region when it names one ("en-GB", "fr"). Browsers send
    a few distinct headers, and every page's state asks: each is parsed once."""
    accepted = parse_accept_header(accept_language or "", LanguageAccept)
    for tag, _quality in accepted:
        if tag != "*" and _spoken(tag):
            return _well_formed(tag)
    return DEFAULT_LANGUAGE


def supported_locale(tag: str | None) -> str:
    """A locale tag as it is stored (a booking's, a user's): well formed, in a language we
    speak ("fr_ca" → "fr-CA"); English for any other."""
    return _well_formed(tag) if tag and len(tag) <= 35 and _spoken(tag) else DEFAULT_LANGUAGE


def _spoken(tag: str) -> bool:
    return language_of(tag) == tag.replace("_", "-").split("-")[0].lower()


def _well_formed(tag: str) -> str:
    """ "en-gb" → "en-GB"; a tag Babel cannot read falls back to its language."""
    try:
        parsed = Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return language_of(tag)
    return f"{parsed.language}-{parsed.territory}" if parsed.territory else parsed.language


@cache
def _po(language: str) -> Catalog | None:
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return None
    with path.open("rb") as file:
        return read_po(file, locale=language)


@cache
def _translations(language: str) -> NullTranslations:
    """The catalogue as the standard library's gettext reads it (plural rules included),
    compiled in memory from the .po: no .mo file to build or to forget to rebuild."""
    po = _po(language)
    if po is None or language == DEFAULT_LANGUAGE:
        return NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, po, use_fuzzy=False)
    compiled.seek(0)
    return GNUTranslations(compiled)


@cache
def catalog(language: str) -> dict[str, str]:
    """msgid → translation for the browser (singular messages, translated, not fuzzy);
    {} for English."""
    language = language_of(language)
    po = _po(language)
    if po is None or language == DEFAULT_LANGUAGE:
        return {}
    return {
        message.id: message.string
        for message in po
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


def gettext(language: str, msgid: str, /, **params: Any) -> str:
    """`msgid` in `language` (a locale tag is fine), with `{name}` placeholders filled."""
    text = _translations(language_of(language)).gettext(msgid) if msgid else msgid
    return text.format(**params) if params else text


def ngettext(language: str, singular: str, plural: str, count: int, /, **params: Any) -> str:
    """The language's plural form for `count`, with `{count}` and the rest filled in."""
    text = _translations(language_of(language)).ngettext(singular, plural, count)
    return text.format(count=count, **params)


def translate(message: str, language: str) -> str:
    """A message that came from a service or the domain, said in `language`: a `Text`
    by its template and values, any other string looked up as it is ("" stays "": gettext
    would answer the catalogue's header)."""
    if not message:
        return message
    if isinstance(message, Text):
        params = {
            name: translate(value, language) if isinstance(value, Text) else value
            for name, value in message.params.items()
        }
        return gettext(language, message.template, **params)
    return gettext(language, message)


def said(error: BaseException) -> str:
    """What an exception says, kept whole: a `Text` stays translatable (str() would make it
    a plain English string)."""
    message = error.args[0] if error.args else ""
    return message if isinstance(message, str) else str(error)


# --- dates and times, by locale -------------------------------------------------------------


@lru_cache(maxsize=1024)
def _babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse(DEFAULT_LANGUAGE)


@lru_cache(maxsize=1024)
def uses_24_hour_clock(locale: str) -> bool:
    """True where the locale writes 14:30 rather than 2:30 PM (en-GB, fr; not en-US)."""
    pattern = _babel_locale(locale).time_formats["short"].pattern
    return "H" in pattern


def format_date(value: date, locale: str, width: str = "full") -> str:
    """ "jeudi 26 novembre 2026", "Thursday, November 26, 2026" (Babel's widths)."""
    return babel_dates.format_date(value, format=width, locale=_babel_locale(locale))


def format_time(value: datetime | time, locale: str, tz: tzinfo | None = None) -> str:
    """ "14:30" or "2:30 PM" by the locale's clock, in `tz` when given."""
    return babel_dates.format_time(value, format="short", tzinfo=tz, locale=_babel_locale(locale))


def format_datetime(value: datetime, locale: str, tz: tzinfo, width: str = "full") -> str:
    """A moment for a sentence, in `tz`, joined as the locale joins a date and a time:
    "Thursday, November 26, 2026, 2:30 PM", "jeudi 26 novembre 2026, 14:30"."""
    local = value.astimezone(tz)
    joined = _babel_locale(locale).datetime_formats[width]
    return str(joined).format(format_time(local, locale), format_date(local.date(), locale, width))


@dataclass(frozen=True)
class Reader:
    """Who will read what is written now, elsewhere (an email, an .ics, an API answer):
    the words in their language, dates and times in their locale and time zone."""

    locale: str = DEFAULT_LANGUAGE
    time_zone: str = "UTC"

    @property
    def tz(self) -> tzinfo:
        """The reader's zone; an unknown one raises (a stored zone that no longer exists
        is a fault to see, never a silent shift to UTC)."""
        return ZoneInfo(self.time_zone)

    def t(self, msgid: str, /, **params: Any) -> str:
        return gettext(self.locale, msgid, **params)

    def t_plural(self, singular: str, plural: str, count: int, /, **params: Any) -> str:
        return ngettext(self.locale, singular, plural, count, **params)

    def translate(self, message: str) -> str:
        return translate(message, self.locale)

    def moment(self, value: datetime) -> str:
        """ "jeudi 26 novembre 2026 à 14:30", in the reader's time zone."""
        return format_datetime(value, self.locale, self.tz)

    def time(self, value: datetime) -> str:
        return format_time(value, self.locale, self.tz)


# --- the catalogues (`make messages`) ---------------------------------------------------------

# Where messages are written in the sources: components' and states' `t`/`t_plural`,
# `gettext`/`ngettext` of this module (the language first), the domain's `Text`, `N_` marks.
KEYWORDS: Mapping[str, tuple[int, ...]] = {
    "t": (1,),
    "t_plural": (1, 2),
    "gettext": (2,),
    "ngettext": (2, 3),
    "Text": (1,),
    "N_": (1,),
}
SOURCES = Path(__file__).parent


def extract() -> Catalog:
    """Every message of the app's sources, as Babel finds them."""
    found = Catalog(project="Meetings", charset="utf-8")
    for _filename, _lineno, message, comments, context in extract_from_dir(
        str(SOURCES),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        found.add(message, None, auto_comments=comments, context=context)
    return found


def _stable_header(po: Catalog) -> None:
    """A header that does not change on every run, so catalogues merge like code."""
    po.project, po.version, po.fuzzy = "Meetings", "", False
    po.copyright_holder = po.msgid_bugs_address = ""
    po.last_translator = po.language_team = "Meetings <translators>"
    po.creation_date = po.revision_date = datetime(2026, 1, 1, tzinfo=UTC)
    po.header_comment = f"# Translations of Meetings: {po.locale.english_name}."


def update_catalogues() -> dict[str, int]:
    """Brings each language's .po in step with the sources (new messages added
    untranslated, gone ones dropped); returns how many are left to translate."""
    template = extract()
    left: dict[str, int] = {}
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        po = _po(language) or Catalog(locale=language)
        po.update(template, no_fuzzy_matching=True)
        po.obsolete.clear()
        _stable_header(po)
        path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as file:
            write_po(file, po, width=100, sort_output=True, no_location=True)
        left[language] = sum(1 for m in po if m.id and (not m.string or m.fuzzy))
    _po.cache_clear()
    _translations.cache_clear()
    catalog.cache_clear()
    BROWSER_CATALOGUES.write_text(browser_catalogues(), encoding="utf-8")
    return left


# The translations the pages look up in the browser (components/i18n.py imports the
# module from the frontend's public files), generated from the .po files.
BROWSER_CATALOGUES = SOURCES.parent / "assets" / "i18n" / "catalogs.js"


def browser_catalogues() -> str:
    """The JavaScript module of every language's catalogue, as `make messages` writes it."""
    languages = {
        language: catalog(language) for language in LANGUAGES if language != DEFAULT_LANGUAGE
    }
    body = json.dumps(languages, ensure_ascii=False, sort_keys=True, indent=0)
    return (
        "// Written by `make messages` from meetings_ui/locales: do not edit.\n"
        f"export const catalogs = {body};\n"
    )
