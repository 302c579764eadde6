"""The product's languages and their message catalogues, for the web app and the core alike.

Catalogues live in `matcher/translations/<locale>/LC_MESSAGES/messages.po` (compiled to .mo by
`make`). The web app selects a request's language with Flask-Babel (`web/i18n.py`); code that
writes for one person outside a request (e-mails, calendar files, printed agendas) asks
`translator(language)` for that person's language.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).parent / "translations"
# Locale identifier -> the language's name in itself, as a language switch shows it.
LANGUAGES: dict[str, str] = {"en": "English", "zh_Hant_HK": "繁體中文", "zh_Hans_CN": "简体中文"}
DEFAULT = "en"
# Short names on the command line and in files -> locale identifier.
SHORT = {"en": "en", "zh-Hant": "zh_Hant_HK", "zh-Hans": "zh_Hans_CN"}


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


@cache
def translator(language: str | None) -> NullTranslations:
    """The catalogue of a language (English: the messages as written)."""
    locale = locale_of(language)
    if locale == DEFAULT:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [locale])
