"""Languages of the web app: English, Traditional Chinese (Hong Kong) and Simplified Chinese.

The language of a request is chosen in one place (`select_locale`): the person's explicit
choice (the switch on every page, kept in the session), else the browser's Accept-Language
mapped onto our three catalogues, else English. A Hong Kong, Taiwan or Macao browser gets
Traditional Chinese, never the Simplified fallback.
"""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel

from matcher.i18n import DEFAULT, LANGUAGES, TRANSLATIONS

# Browser language tags (lower case, '-' or '_') -> our catalogue. Checked on the full tag,
# then on its script, then on its language.
TRADITIONAL = ("zh-hk", "zh-tw", "zh-mo", "zh-hant")
SIMPLIFIED = ("zh-cn", "zh-sg", "zh-hans", "zh")

babel = Babel()


def from_tag(tag: str) -> str | None:
    """Our locale for one browser language tag, or None when we have none for it."""
    tag = tag.strip().lower().replace("_", "-")
    if tag in LANGUAGES or tag.replace("-", "_") in {k.lower() for k in LANGUAGES}:
        return next(k for k in LANGUAGES if k.lower() == tag.replace("-", "_"))
    if tag.startswith("en"):
        return "en"
    if any(tag == t or tag.startswith(t + "-") for t in TRADITIONAL):
        return "zh_Hant_HK"
    if any(tag == t or tag.startswith(t + "-") for t in SIMPLIFIED):
        return "zh_Hans_CN"
    return None


def from_accept_language() -> str | None:
    """The first of the browser's languages (by quality) that we have."""
    for tag, _quality in request.accept_languages:
        found = from_tag(tag)
        if found is not None:
            return found
    return None


def select_locale() -> str:
    """The language of this request: the person's choice, else the browser's, else English."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return from_accept_language() or DEFAULT


def init_app(app: Flask) -> None:
    """Attach Flask-Babel with our selector; templates get `_`, `gettext` and `ngettext`."""
    babel.init_app(app, locale_selector=select_locale, default_domain="messages",
                   default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
