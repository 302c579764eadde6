"""Participants never learn another participant's private answers (avoids, interest ratings,
wish strengths, unavailability, caps): not on their page, in their calendar files and feed, in
their e-mails, nor on the agendas printed for them. The organiser keeps every reason."""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable

import pytest
from flask import Flask

from matcher.model.event import Event
from matcher.model.explain import explain
from matcher.model.instance import Instance
from matcher.solve.solver import solve
from tests.conftest import TINY
from tests.loopback_smtp import Inbox
from tests.security.conftest import Visitor
from tests.webapp.conftest import EMAIL, owned_event, wait_for_mailing
from web.db import new_session
from web.db.models import EventRow, Mailing
from web.events.store import add_version, event_of, publish
from web.participants.links import FEED_SALT, token_for

Visit = Callable[..., Visitor]
# Sentences (or their telltale parts) that carry someone else's answers.
TELLTALES = ("asked not to meet", "avoid", "no interest", "score", "is free in", "never free",
             "most meetings asked for", " met ")


def secrets_event() -> dict:
    """An event where each kind of private answer keeps a wish from becoming a meeting:
    x avoids a; y and a are never free together; z and x are capped by their meetings with b;
    x has no interest in c's field."""
    data = copy.deepcopy(TINY)
    data["startups"] = [
        {"id": "a", "name": "Alpha", "field": "fintech", "unavailable": ["s3"],
         "wishes": {"x": 3, "y": 2, "z": 1}},
        {"id": "b", "name": "Beta", "field": "iot", "wishes": {"x": 3, "z": 3}},
        {"id": "c", "name": "Gamma", "field": "biotech", "wishes": {"x": 1}},
    ]
    data["investors"] = [
        {"id": "x", "name": "Xavier", "interests": {"fintech": 2, "iot": 1}, "avoid": ["a"],
         "max_meetings": 1},
        {"id": "y", "name": "Yolanda", "interests": {"iot": 3}, "unavailable": ["s1", "s2"],
         "wishes": {"a": 2}},
        {"id": "z", "name": "Zed", "interests": {"fintech": 1}, "max_meetings": 1},
    ]
    for person in (*data["startups"], *data["investors"]):
        person["email"] = f"{person['id']}@example.com"
    return data


EXPECTED = {  # participant: {wish: (the organiser's reason, the participant's sentence)}
    "a": {"x": ("avoided", "this investor's time was already taken"),
          "y": ("no-common-slot", "there was no time when you were both free"),
          "z": ("cap-reached", "this investor's time was already taken")},
    "c": {"x": ("cap-reached", "this investor's time was already taken")},
    "y": {"a": ("no-common-slot", "there was no time when you were both free")},
}


def test_explanations_are_told_from_the_participants_side() -> None:
    event = Event.model_validate(secrets_event())
    schedule, inst = solve(event, time_limit=5, workers=1), Instance(event)
    for who, wishes in EXPECTED.items():
        organiser = {a.other: a for a in explain(inst, schedule, who)}
        told = {a.other: a for a in explain(inst, schedule, who, "participant")}
        for other, (reason, sentence) in wishes.items():
            assert organiser[other].reason == reason  # the setup does what it says
            assert told[other].text == sentence and told[other].score is None
            assert not leaks(told[other].text), told[other].text
    # The organiser keeps every reason, including the ones participants are not told.
    a = {x.other: x.text for x in explain(inst, schedule, "a")}
    assert a["x"] == "x asked not to meet a" and "a is free in" not in a["y"]
    assert "y is free in s3" in a["y"] and "z has the most meetings asked for (1)" in a["z"]
    c = explain(inst, schedule, "c")[0].text
    assert "x has no interest in biotech" in c


def test_a_participant_is_told_their_own_cap() -> None:
    data = secrets_event()
    data["investors"][2]["wishes"] = {"a": 1}  # z, capped at 1, wishes for a but meets b
    event = Event.model_validate(data)
    schedule, inst = solve(event, time_limit=5, workers=1), Instance(event)
    assert explain(inst, schedule, "z")[0].reason == "cap-reached"
    told = explain(inst, schedule, "z", "participant")[0]
    assert told.text == "you have the most meetings you asked for (1)"


def leaks(text: str) -> list[str]:
    """The telltales of someone else's answers in a text."""
    return [t for t in TELLTALES if t in text.lower()]


@pytest.fixture
def published(app: Flask, organiser: str) -> int:
    """The secrets event, stored with organiser A as owner and its timetable published."""
    event = Event.model_validate(secrets_event())
    event_id = owned_event(app, event)
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        assert row is not None
        row.organiser_email = "desk@example.org"
        stored = event_of(row)
        publish(session, add_version(session, event_id, solve(stored, time_limit=5, workers=1),
                                     stored, "generated"))
    return event_id


def links(app: Flask, event_id: int) -> dict[str, tuple[str, str]]:
    """Participant id -> (personal page path, feed path)."""
    with app.test_request_context(), new_session(app) as session:
        row = session.get(EventRow, event_id)
        assert row is not None
        return {p.code: (f"/p/{token_for(p)}", f"/p/feed/{token_for(p, FEED_SALT)}.ics")
                for p in row.participants}


def test_participant_pages_and_calendars_keep_others_answers(app: Flask, published: int,
                                                             visit: Visit) -> None:
    visitor = visit()
    for who, (page, feed) in links(app, published).items():
        html = visitor.get(page)
        assert html.status_code == 200
        agenda, _, answers = visible(html.text).partition("Your answers")
        for other, (_, sentence) in EXPECTED.get(who, {}).items():
            assert sentence in agenda, (who, other)
        assert not leaks(agenda), (who, leaks(agenda))
        # The form holds the participant's own answers: an investor's own "avoid" option.
        assert not [t for t in leaks(answers) if t != "avoid"], (who, leaks(answers))
        for path in (f"{page}/meetings.ics", feed):
            body = visitor.get(path).text
            assert body.startswith("BEGIN:VCALENDAR") and not leaks(body), (who, path)


def visible(page: str) -> str:
    """The text of a page (tags dropped, entities read), where a leak would be read."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_e_mailed_invitations_keep_others_answers(app: Flask, published: int, visit: Visit,
                                                  mail_server: Inbox) -> None:
    owner = visit()
    owner.login(EMAIL)
    r = owner.post(f"/events/{published}/versions/1/send", data={"send": "on", "scope": "all"})
    assert r.status_code == 302, r.text
    with new_session(app) as session:
        mailing_id = session.query(Mailing.id).scalar()
    assert wait_for_mailing(app, mailing_id).status == "done"
    assert mail_server.received
    for _, recipients, message in mail_server.received:
        for part in message.walk():
            if part.get_content_maintype() == "text":
                assert not leaks(part.get_content()), (recipients, leaks(part.get_content()))


def test_printed_agendas_tell_each_participant_only_their_side(published: int,
                                                               visit: Visit) -> None:
    owner = visit()
    owner.login(EMAIL)
    page = owner.get(f"/events/{published}/agendas").text
    on_screen = "".join(re.findall(r'<div class="no-print">(.*?)</div>', page, re.S))
    printed = "".join(re.findall(r'<div class="print-only">(.*?)</div>', page, re.S))
    assert "x asked not to meet a" in on_screen and "y is free in s3" in on_screen
    assert "there was no time when you were both free" in printed
    assert not leaks(visible(printed)), leaks(visible(printed))
