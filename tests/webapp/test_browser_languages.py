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
from sqlalchemy import select

from matcher.catalogues import extract
from matcher.i18n import LANGUAGES, translator
from tests.webapp.conftest import PASSWORD, event_row, generate
from web.db import new_session
from web.db.models import EventRow, ScheduleVersion
from web.participants.links import token_for

SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
BROWSER_TAGS = {"zh_Hant_HK": "zh-HK", "zh_Hans_CN": "zh-CN"}
# English that stays in every language: the product's name, the event series' name, the
# switch's own language, file formats and codes people type as they are (the rest of those is
# marked as code on the pages).
# A word on its own: not part of a file name (event.json), a code (Web3) or an address.
WORD = re.compile(r"(?<![\w.])[A-Za-z]{3,}(?![\w.])")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
KEPT = {"matcher", "michk", "english", "csv", "excel", "json", "ics", "utc", "api", "iana", "web3",
        "readme", "pdf", "utf"}


@pytest.fixture(scope="module")
def english_words() -> set[str]:
    """Every word of three letters or more in the catalogue's English messages."""
    words: set[str] = set()
    for message in extract():
        for text in (message.id if isinstance(message.id, tuple) else (message.id,)):
            words |= {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text))}
    return words - KEPT


def leftovers(page, row: EventRow, english: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    """English words of the catalogue in a page's visible text, once the event's own names,
    ids, addresses, links and what is marked as code are taken out."""
    text = page.inner_text("body")
    own = [row.name, row.venue or "", row.timezone, *row.tables, *(s["id"] for s in row.slots),
           *page.locator("code, kbd, samp").all_inner_texts()]
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
    meeting = next(m for m in latest_meetings(app, published) if m["startup"] == startup.code)
    with app.test_request_context():
        personal = f"/p/{token_for(startup)}"
    event = f"/events/{published}"
    pages = {"home": "/", "account": "/account", "new-event": "/events/new", "event": event,
             "settings": f"{event}/edit", "import": f"{event}/import",
             "add-person": f"{event}/participants/new",
             "person": f"{event}/participants/{startup.id}", "team": f"{event}/team",
             "timetable": f"{event}/schedule", "agendas": f"{event}/agendas",
             "move": f"{event}/move?startup={meeting['startup']}&investor={meeting['investor']}",
             "publish": f"{event}/versions/1/publish", "participant": personal,
             "checkin": f"{event}/checkin", "dashboard": f"{event}/dashboard",
             "changes": f"{event}/versions/1/changes"}
    SHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, set[str]] = {}
    for size, viewport in SIZES.items():
        page = new_page(f"{language}-{size}", viewport=viewport, is_mobile=size == "phone",
                        extra_http_headers={"Accept-Language": BROWSER_TAGS[language]})
        page.goto(f"{live_server}/login")
        shoot(page, language, "login", size)
        found["login"] = leftovers(page, row, english_words)
        assert translator(language).gettext("Organiser login") in page.inner_text("h1")
        page.request.post(f"{live_server}/login",
                          form={"email": "org@example.com", "password": PASSWORD})
        for name, path in pages.items():
            page.goto(f"{live_server}{path}")
            assert page.locator("html").get_attribute("lang") == language.replace("_", "-")
            shoot(page, language, name, size)
            found[name] = leftovers(page, row, english_words)
        # The participant's own view of their link: agenda, ratings and answers, no login.
        own = new_page(f"{language}-{size}-own", viewport=viewport, is_mobile=size == "phone",
                       extra_http_headers={"Accept-Language": BROWSER_TAGS[language]})
        own.goto(f"{live_server}{personal}")
        shoot(own, language, "own-link", size)
        found["own-link"] = leftovers(own, row, english_words)
        left = {name: words for name, words in found.items() if words}
        assert not left, f"untranslated English in {language} at {size}: {left}"


def latest_meetings(app: Flask, event_id: int) -> list[dict[str, str]]:
    """The meetings of the event's latest version."""
    with new_session(app) as session:
        version = session.scalars(select(ScheduleVersion).where(
            ScheduleVersion.event_id == event_id).order_by(ScheduleVersion.number.desc())).first()
        assert version is not None
        return list(version.schedule["meetings"])


def shoot(page, language: str, name: str, size: str) -> None:  # type: ignore[no-untyped-def]
    """A full-page screenshot to look at."""
    page.screenshot(path=str(SHOTS / f"lang-{language}-{name}-{size}.png"), full_page=True)
