"""The key pages in Traditional and Simplified Chinese, in Chromium at desktop and phone sizes
(with Debian's Noto CJK fonts): no English words of the catalogue left on them once the names,
ids and numbers of the event are taken away; a screenshot of each in out/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.catalogues import extract
from matcher.i18n import LANGUAGES, translator
from tests.webapp.conftest import PASSWORD, event_row, generate
from web.db.models import EventRow
from web.participants.links import token_for

SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
BROWSER_TAGS = {"zh_Hant_HK": "zh-HK", "zh_Hans_CN": "zh-CN"}
# English that stays in every language: the product's name, the switch's own language, file
# formats and codes people type as they are.
# A word on its own: not part of a file name (event.json), a code (Web3) or an address.
WORD = re.compile(r"(?<![\w.])[A-Za-z]{3,}(?![\w.])")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
KEPT = {"matcher", "english", "csv", "excel", "json", "ics", "utc", "api", "iana", "web3", "readme",
        "pdf"}


@pytest.fixture(scope="module")
def english_words() -> set[str]:
    """Every word of three letters or more in the catalogue's English messages."""
    words: set[str] = set()
    for message in extract():
        for text in (message.id if isinstance(message.id, tuple) else (message.id,)):
            words |= {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text))}
    return words - KEPT


def leftovers(text: str, row: EventRow, english: set[str]) -> set[str]:
    """English words of the catalogue in a page's visible text, once the event's own names,
    ids, addresses and links are taken out."""
    own = [row.name, row.venue or "", row.timezone, *row.tables, *(s["id"] for s in row.slots)]
    for p in row.participants:
        own += [p.name, p.organisation or "", p.code, p.email or ""]
    text = re.sub(r"\S+://\S+|\S+@\S+", " ", text)
    for name in sorted(filter(None, own), key=len, reverse=True):
        text = text.replace(name, " ")
    return {w for w in WORD.findall(text) if w.lower() in english}


@pytest.fixture
def published(client: FlaskClient, app: Flask, event_id: int, organiser: str) -> Iterator[int]:
    """The tiny event with a published timetable, two arrivals and one rated meeting."""
    client.post("/login", data={"email": "org@example.com", "password": PASSWORD})
    version = generate(client, app, event_id)
    client.post(f"/events/{event_id}/versions/{version.number}/publish")
    meeting = version.schedule["meetings"][0]
    row = event_row(app, event_id)
    for p in row.participants[:2]:
        client.post(f"/events/{event_id}/checkin/{p.id}", data={"status": "arrived"})
    startup = next(p for p in row.participants if p.code == meeting["startup"])
    with app.test_request_context():
        link = f"/p/{token_for(startup)}"
    client.post(f"{link}/rating", data={"uid": meeting["uid"], "choice": "informative"})
    yield event_id


@pytest.mark.parametrize("language", [k for k in LANGUAGES if k != "en"])
def test_key_pages_hold_no_untranslated_english(new_page, live_server: str, app: Flask,  # type: ignore[no-untyped-def]
                                                published: int, language: str,
                                                english_words: set[str]) -> None:
    row = event_row(app, published)
    startup = next(p for p in row.participants if p.kind == "startup")
    with app.test_request_context():
        personal = f"/p/{token_for(startup)}"
    pages = {"home": "/", "event": f"/events/{published}",
             "timetable": f"/events/{published}/schedule", "participant": personal,
             "checkin": f"/events/{published}/checkin",
             "dashboard": f"/events/{published}/dashboard",
             "changes": f"/events/{published}/versions/1/changes"}
    SHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, set[str]] = {}
    for size, viewport in SIZES.items():
        page = new_page(f"{language}-{size}", viewport=viewport, is_mobile=size == "phone",
                        extra_http_headers={"Accept-Language": BROWSER_TAGS[language]})
        page.goto(f"{live_server}/login")
        shoot(page, language, "login", size)
        found["login"] = leftovers(page.inner_text("body"), row, english_words)
        assert translator(language).gettext("Organiser login") in page.inner_text("h1")
        page.request.post(f"{live_server}/login",
                          form={"email": "org@example.com", "password": PASSWORD})
        for name, path in pages.items():
            page.goto(f"{live_server}{path}")
            assert page.locator("html").get_attribute("lang") == language.replace("_", "-")
            shoot(page, language, name, size)
            found[name] = leftovers(page.inner_text("body"), row, english_words)
        left = {name: words for name, words in found.items() if words}
        assert not left, f"untranslated English in {language} at {size}: {left}"


def shoot(page, language: str, name: str, size: str) -> None:  # type: ignore[no-untyped-def]
    """A full-page screenshot to look at."""
    page.screenshot(path=str(SHOTS / f"lang-{language}-{name}-{size}.png"), full_page=True)
