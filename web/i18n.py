"""Languages of the web app: English, Traditional Chinese (Hong Kong) and Simplified Chinese.

The language of a request is chosen in one place (`select_locale`): the person's explicit
choice on the switch of every page (kept in the session), else the language stored for them
(the organiser's account, or the participant whose personal page this is), else the browser's
Accept-Language mapped onto our three catalogues, else English. A Hong Kong, Taiwan or Macao
browser gets Traditional Chinese, never the Simplified fallback.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import Flask, g, request, session
from flask_babel import Babel, get_locale, gettext
from flask_login import current_user
from markupsafe import Markup

from matcher.i18n import (
    DEFAULT,
    LANG_TAGS,
    LANGUAGES,
    TRANSLATIONS,
    field_name,
    format_day,
    format_moment,
    format_weekday,
    locale_of_tag,
    zone_name,
)
from web.db import db
from web.db.models import Organiser

babel = Babel()


def from_accept_language() -> str | None:
    """The first of the browser's languages (by quality) that we have."""
    for tag, _quality in request.accept_languages:
        found = locale_of_tag(tag)
        if found is not None:
            return found
    return None


def stored_language() -> str | None:
    """The language kept for the person of this request: the participant whose personal page
    this is (set by the participant views), else the logged-in organiser's."""
    person = g.get("person_language")
    if person in LANGUAGES:
        return str(person)
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return str(current_user.language)
    return None


def select_locale() -> str:
    """The language of this request: the person's choice, else the one stored for them, else
    the browser's, else English."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return stored_language() or from_accept_language() or DEFAULT


def current_language() -> str:
    """Our locale identifier of this request's language (en, zh_Hant_HK or zh_Hans_CN)."""
    return str(get_locale() or DEFAULT)


def remember(language: str) -> None:
    """Keep a choice from the switch for this browser and, when an organiser is logged in, on
    their account (committed), so that it follows them to another device."""
    session["lang"] = language
    if current_user.is_authenticated and current_user.language != language:
        current_user.language = language
        db().commit()


def keep_choice(organiser: Organiser) -> None:
    """At login: a language chosen before becomes the account's, unless it has one (committed)."""
    if organiser.language is None and session.get("lang") in LANGUAGES:
        organiser.language = session["lang"]
        db().commit()


def link(href: str, text: str) -> Markup:
    """A link to place inside a translated sentence (its address and words escaped), so that
    the sentence is translated whole: _('… %(link)s.', link=link(url, _('words')))."""
    return Markup('<a href="{0}">{1}</a>').format(href, text)


# A full-width stop, comma or bracket ends a Chinese sentence or clause: no space follows it.
FULL_WIDTH_ENDS = tuple("。！？；：，）」")


def joined(sentences: Iterable[str | None]) -> str:
    """Sentences one after the other, as each language sets them: a space after an English one,
    none after a Chinese one; empty ones left out."""
    text = ""
    for sentence in filter(None, sentences):
        text += sentence if not text or text.endswith(FULL_WIDTH_ENDS) else " " + sentence
    return text


def codes(ids: Iterable[str], event: object = None) -> Markup:
    """Codes people type as they are (column names, field ids), each marked as code; with an
    event, a field's name in the reader's language after its id when they differ."""
    names = getattr(event, "field_names", None)
    shown = []
    for code in ids:
        name = field_name(code, current_language(), names) if event is not None else code
        code_html = Markup("<code>{0}</code>").format(code)
        # Markup's % escapes the name (the event's data) and keeps the <code> mark-up.
        shown.append(code_html if name == code else
                     Markup(gettext("%(code)s (%(name)s)")) % {"code": code_html, "name": name})
    return Markup(gettext(", ")).join(shown)


def init_app(app: Flask) -> None:
    """Attach Flask-Babel with our selector; templates get `_`, `gettext` and `ngettext`, the
    languages of the switch, and the date filters of the request's language."""
    babel.init_app(app, locale_selector=select_locale, default_domain="messages",
                   default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals |= {"LANGUAGES": LANGUAGES, "LANG_TAGS": LANG_TAGS,
                              "current_language": current_language, "link": link,
                              "codes": codes, "joined": joined,
                              "field_name": lambda field, event=None: field_name(
                                  field, current_language(), getattr(event, "field_names", None))}

    def moment(value: datetime, timezone: str | None = None) -> str:
        """With the event's time zone: a stored moment as the clocks at the event show it."""
        return format_moment(value, current_language(), timezone)

    app.jinja_env.filters |= {
        "day": lambda value: format_day(value, current_language()),
        "weekday": lambda value: format_weekday(value, current_language()),
        "zone": lambda timezone: zone_name(timezone, current_language()),
        "moment": moment,
    }

