"""The product's languages and their message catalogues, for the web app and the core alike.

Catalogues live in `matcher/translations/<locale>/LC_MESSAGES/messages.po` (compiled to .mo by
`make`). The web app selects a request's language with Flask-Babel (`web/i18n.py`); code that
writes for one person outside a request (e-mails, calendar files, printed agendas) asks
`translator(language)` for that person's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, get_timezone_name
from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).parent / "translations"
# Locale identifier -> the language's name in itself, as a language switch shows it.
LANGUAGES: dict[str, str] = {"en": "English", "zh_Hant_HK": "繁體中文", "zh_Hans_CN": "简体中文"}
DEFAULT = "en"
# Short names on the command line and in files -> locale identifier.
SHORT = {"en": "en", "zh-Hant": "zh_Hant_HK", "zh-Hans": "zh_Hans_CN"}
# BCP 47 tags for `lang` attributes: with them, Han characters take their regional forms.
LANG_TAGS = {"en": "en", "zh_Hant_HK": "zh-Hant-HK", "zh_Hans_CN": "zh-Hans-CN"}
# Babel's locale for dates: Hong Kong writes English dates the British way.
DATE_LOCALES = {"en": "en_GB", "zh_Hant_HK": "zh_Hant_HK", "zh_Hans_CN": "zh_Hans_CN"}



def N_(text: str) -> str:  # noqa: N802 - the name the message extractor looks for
    """Mark a message for translation where it is defined; translate it where it is shown."""
    return text


# The names of the default fields (the MiCHK I&T fields), in English and in the catalogues.
FIELD_NAMES: dict[str, str] = {
    "fintech": N_("Fintech"),
    "ai-big-data": N_("AI and big data"),
    "iot": N_("Internet of Things"),
    "next-gen-it": N_("Next-generation IT"),
    "industrial-internet": N_("Industrial internet"),
    "biotech": N_("Biotechnology"),
    "new-materials": N_("New materials"),
    "new-energy": N_("New energy"),
    "smart-living": N_("Smart living"),
    "digital-entertainment-web3": N_("Digital entertainment and Web3"),
}


def locale_of(name: str | None) -> str:
    """Our locale identifier for a short name (zh-Hant) or an identifier (zh_Hant_HK); English
    for None."""
    if not name:
        return DEFAULT
    if name in LANGUAGES:
        return name
    if name in SHORT:
        return SHORT[name]
    raise ValueError(f"unknown language {name!r}: use one of {', '.join(SHORT)}")


# Language tags (lower case, '-' for '_') -> our catalogue, checked on the full tag and then
# on its prefixes: Hong Kong, Taiwan and Macao (and Cantonese) read Traditional Chinese.
TRADITIONAL = ("zh-hk", "zh-tw", "zh-mo", "zh-hant", "yue", "zh-yue")
SIMPLIFIED = ("zh-cn", "zh-sg", "zh-hans", "zh")
# Names people write in a spreadsheet's language column, besides our ids, short names and tags.
NAMES = {name.lower(): locale for locale, name in LANGUAGES.items()} | {
    "繁体中文": "zh_Hant_HK", "簡體中文": "zh_Hans_CN"}


def locale_of_tag(tag: str) -> str | None:
    """Our locale for a language tag (a browser's zh-HK, en-GB; our zh-Hant or zh_Hans_CN), or
    None when we have no catalogue for it."""
    tag = tag.strip().lower().replace("_", "-")
    ours = {locale.lower().replace("_", "-"): locale for locale in LANGUAGES}
    if tag in ours:
        return ours[tag]
    if tag == "en" or tag.startswith("en-"):
        return "en"
    for prefixes, locale in ((TRADITIONAL, "zh_Hant_HK"), (SIMPLIFIED, "zh_Hans_CN")):
        if any(tag == t or tag.startswith(t + "-") for t in prefixes):
            return locale
    return None


def locale_named(text: str) -> str | None:
    """Our locale for a language as people write it: a tag (en, zh-Hant, zh-HK, zh_Hans_CN) or
    a name (English, 繁體中文, 简体中文); None when it names none of ours."""
    return NAMES.get(text.strip().lower()) or locale_of_tag(text)


@cache
def translator(language: str | None) -> NullTranslations:
    """The catalogue of a language (English: the messages as written)."""
    locale = locale_of(language)
    if locale == DEFAULT:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [locale])


def format_day(value: date, language: str | None) -> str:
    """A day as people write it: 13 September 2023, 2023年9月13日."""
    return format_skeleton("yMMMMd", value, locale=DATE_LOCALES[locale_of(language)])


def format_weekday(value: date, language: str | None) -> str:
    """A day with its weekday: Wednesday, 13 September 2023; 2023年9月13日星期三."""
    return format_date(value, "full", locale=DATE_LOCALES[locale_of(language)])


def format_moment(value: datetime, language: str | None, timezone: str | None = None) -> str:
    """A day and time of day without the year: 13 Sept 14:05, 9月13日 14:05. With a time zone,
    a stored moment (UTC, with or without tzinfo) is shown as the clocks there show it."""
    locale = DATE_LOCALES[locale_of(language)]
    if timezone is not None:
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(
            ZoneInfo(timezone))
    return f"{format_skeleton('MMMd', value, locale=locale)} {value:%H:%M}"


# An event's name for a field: one for every language, or locale identifier -> name.
FieldName = str | Mapping[str, str]


def zone_name(timezone: str, language: str | None) -> str:
    """A time zone as people name it in a language: Hong Kong Time, 香港時間, 香港时间."""
    return get_timezone_name(ZoneInfo(timezone), "long", locale=DATE_LOCALES[locale_of(language)])


def field_name(field: str, language: str | None,
               names: Mapping[str, FieldName] | None = None) -> str:
    """A field's name for people in a language: the event's own name for it (`names`, its
    `field_names`) in that language or for every language, else its English one, else a
    default field's translated name, else any name the event gives it, else its id."""
    own = (names or {}).get(field)
    if isinstance(own, str):
        return own
    own = own or {}
    found = own.get(locale_of(language)) or own.get(DEFAULT)
    if found:
        return found
    name = FIELD_NAMES.get(field)
    if name:
        return translator(language).gettext(name)
    return next(iter(own.values()), field)
