"""Words for people: fields by their names, participants by name, slots and moments in the
event's local time, and pages for what went wrong that say what to do next."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import expect
from pydantic import ValidationError

from matcher.i18n import translator
from matcher.model.event import MICHK_FIELDS, Event
from tests.webapp.conftest import AuthActions, event_row, owned_event, tiny_event
from tests.webapp.test_participant import investor_form, link
from tests.webapp.test_views import event_form
from web.db import new_session
from web.db.models import EventRow, ScheduleVersion
from web.events import fields
from web.events.fields import resolve, slug
from web.events.store import schedule_of


@pytest.mark.parametrize(("lines", "before", "used", "codes", "names"), [
    # Names of the default fields find their ids; nothing needs storing.
    (["Fintech", "AI and big data", "Internet of Things"], MICHK_FIELDS, set(),
     ["fintech", "ai-big-data", "iot"], {}),
    # Other spellings of them too, kept as the event's own names.
    (["AI & Big Data", "IoT"], MICHK_FIELDS, set(), ["ai-big-data", "iot"],
     {"ai-big-data": "AI & Big Data", "iot": "IoT"}),
    # Ids still work, as the API and older forms write them.
    (["fintech", "iot"], MICHK_FIELDS, set(), ["fintech", "iot"], {}),
    # A new name gets an id made from it; one without Latin letters a numbered id.
    (["Fintech", "Robotics", "金融科技"], ["fintech"], set(), ["fintech", "robotics", "field-3"],
     {"robotics": "Robotics", "field-3": "金融科技"}),
    # A line changed in place renames a field in use: its id, and so the answers, stay.
    (["Fintech", "AI and Data"], ["fintech", "ai-big-data"], {"ai-big-data"},
     ["fintech", "ai-big-data"], {"ai-big-data": "AI and Data"}),
    # ... but replaces a field nobody uses.
    (["Fintech", "AI and Data"], ["fintech", "ai-big-data"], set(), ["fintech", "ai-and-data"],
     {"ai-and-data": "AI and Data"}),
    # Another spelling of a name is stored as the field's own.
    (["FinTech"], ["fintech"], set(), ["fintech"], {"fintech": "FinTech"}),
])
def test_fields_from_names(lines: list[str], before: list[str], used: set[str], codes: list[str],
                           names: dict[str, str]) -> None:
    assert resolve(lines, before, {}, used) == (codes, names)


def test_slug() -> None:
    assert slug("Digital Entertainment & Web3") == "digital-entertainment-web3"
    assert slug("Café Tech") == "cafe-tech"
    assert slug("金融") == ""


def test_event_file_field_names() -> None:
    data = tiny_event().model_dump(mode="json")
    event = Event.model_validate(data | {"field_names": {"iot": "Internet of Things"}})
    assert event.field_name("iot") == "Internet of Things"
    assert event.field_name("ai-big-data") == "AI and big data"  # the default field's
    assert event.field_name("ai-big-data", "zh-Hant") not in ("AI and big data", "ai-big-data")
    assert event.field_name("space") == "space"
    with pytest.raises(ValidationError) as refused:
        Event.model_validate(data | {"field_names": {"space": "Space"}})
    error = refused.value.errors()[0]
    assert error["loc"] == ("field_names", "space") and error["type"] == "unknown_field"


def test_settings_name_fields_and_keep_answers(client: FlaskClient, auth: AuthActions,
                                               app: Flask, event_id: int) -> None:
    auth.login()
    client.post(link(app, event_id, "inv-001"), data=investor_form())
    row = event_row(app, event_id)
    lines = [("Sensors" if f == "iot" else f) for f in row.fields]
    form = event_form(version=str(row.version), fields="\n".join(lines),
                      sessions="14:00-16:30", tables="4")
    response = client.post(f"/events/{event_id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    after = event_row(app, event_id)
    assert after.fields == row.fields and after.field_names == {"iot": "Sensors"}
    investor = next(p for p in after.participants if p.code == "inv-001")
    assert investor.interests.get("iot") == 1  # the renamed field keeps its answers
    edit = client.get(f"/events/{event_id}/edit").get_data(as_text=True)
    textarea = edit.split('name="fields"', 1)[1].split("</textarea>", 1)[0]
    assert "Sensors\n" in textarea and "AI and big data\n" in textarea
    page = client.get(link(app, event_id, "inv-001")).get_data(as_text=True)
    assert '<label for="interest-iot">Sensors</label>' in page
    assert '<label for="interest-fintech">Fintech</label>' in page
    exported = client.get(f"/events/{event_id}/event.json").get_json()
    assert exported["field_names"] == {"iot": "Sensors"}


def test_pages_speak_names_and_local_times(client: FlaskClient, app: Flask, event_id: int,
                                           version: ScheduleVersion) -> None:
    meeting = schedule_of(version).meetings[0]
    client.post(f"/events/{event_id}/pin", data={"startup": meeting.startup,
                                                  "investor": meeting.investor})
    client.post(f"/events/{event_id}/versions/1/publish", data={})
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    row = event_row(app, event_id)
    names = {p.code: p.name for p in row.participants}
    slot = next(s for s in row.slots if s["id"] == meeting.slot)
    assert (f"Pinned {names[meeting.startup]} with {names[meeting.investor]} at "
            f"{slot['start'][11:16]}–{slot['end'][11:16]}, table {meeting.table}") in page
    with new_session(app) as session:
        published = session.get(ScheduleVersion, version.id).published_at  # type: ignore[union-attr]
    assert published is not None
    local = published.replace(tzinfo=UTC).astimezone(ZoneInfo(row.timezone))
    assert f"published {local.day} {local:%b} {local:%H:%M}" in page
    assert "UTC" not in page and f">{meeting.slot}<" not in page
    assert f"Generated in {round(schedule_of(version).seconds, 1)} s." in page
    move = client.get(f"/events/{event_id}/move?startup={meeting.startup}"
                      f"&investor={meeting.investor}").get_data(as_text=True)
    assert f"Move the meeting of {names[meeting.startup]} with {names[meeting.investor]}" in move


def test_a_dead_personal_link_says_what_to_do(client: FlaskClient, auth: AuthActions,
                                             app: Flask, event_id: int) -> None:
    url = link(app, event_id, "inv-001")
    for dead in (url[:-4], url + "x", "/p/nonsense"):
        response = client.get(dead)
        page = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "This personal link does not work" in page
        assert "Ask the organiser for a new link." in page
        assert "Organiser login" not in page  # no organiser navigation for participants
    auth.login()
    pid = next(p.id for p in event_row(app, event_id).participants if p.code == "inv-001")
    client.post(f"/events/{event_id}/participants/{pid}/new-link")
    client.post("/logout")
    page = client.get(url).get_data(as_text=True)  # revoked
    assert "Ask the organiser for a new link." in page
    page = client.get("/p/feed/nonsense.ics").get_data(as_text=True)
    assert "This calendar feed no longer works" in page
    page = client.get(link(app, event_id, "inv-002") + "/meetings.ics").get_data(as_text=True)
    assert "has not published the timetable yet" in page


def test_organiser_pages_not_found_and_api_in_json(client: FlaskClient, auth: AuthActions,
                                                   event_id: int) -> None:
    auth.login()
    response = client.get("/events/999/schedule")
    assert response.status_code == 404
    assert "There is no such page" in response.get_data(as_text=True)
    assert client.get("/events/407854263944690401280/schedule").status_code == 404  # no 500
    assert client.get("/api/nothing").get_json()["error"]


def test_too_large_and_unexpected_errors_have_pages(app: Flask, client: FlaskClient,
                                                    event_id: int) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken() -> str:
        raise RuntimeError("a bug")

    app.add_url_rule("/broken", view_func=broken)
    response = client.post(link(app, event_id, "inv-001"), data={"version": "x" * 5000})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "What you sent is too large" in page and "still in your browser" in page
    response = client.get("/broken")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)


def test_oversized_form_is_stopped_in_the_browser(app: Flask, live_server: str, event_id: int,
                                                  new_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app.config["MAX_CONTENT_LENGTH"] = 4000
    with app.test_request_context():
        url = live_server + link(app, event_id, "inv-001")
    page = new_page("participant", viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(url)
    page.get_by_label("Most meetings you want").fill("2")
    page.locator("form.answers").evaluate(
        "form => { const big = document.createElement('input'); big.type = 'hidden';"
        " big.name = 'note'; big.value = 'x'.repeat(6000); form.append(big); }")
    page.get_by_role("button", name="Save my answers").click()
    expect(page.locator("#too-large")).to_contain_text("too large to send")
    expect(page.locator("#too-large")).to_be_in_viewport()
    expect(page.get_by_label("Most meetings you want")).to_have_value("2")  # nothing lost
    # Sent anyway (no script in the way): the server's page, and going back keeps the answers.
    page.locator("form.answers").evaluate("form => form.submit()")
    expect(page.get_by_role("heading", name="What you sent is too large")).to_be_visible()
    page.get_by_role("button", name="Go back").click()
    expect(page.get_by_label("Most meetings you want")).to_have_value("2")
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        assert row is not None and all(p.answered_at is None for p in row.participants)


def test_event_file_field_names_per_language(client: FlaskClient, auth: AuthActions, app: Flask,
                                             organiser: str) -> None:
    data = tiny_event().model_dump(mode="json")
    names = {"iot": {"en": "Sensors", "zh-Hant": "感測器", "zh-Hans": "传感器"},
             "fintech": {"zh-Hant": "金融科技（香港）"}, "biotech": "Life sciences"}
    event = Event.model_validate(data | {"field_names": names})
    assert event.field_names["iot"] == {"en": "Sensors", "zh_Hant_HK": "感測器",
                                        "zh_Hans_CN": "传感器"}
    assert [event.field_name("iot", lang) for lang in ("en", "zh-Hant", "zh-Hans")] == [
        "Sensors", "感測器", "传感器"]
    # Without a name in the reader's language: the default field's name in that language.
    assert event.field_name("fintech", "zh-Hant") == "金融科技（香港）"
    assert event.field_name("fintech", "en") == "Fintech"
    assert event.field_name("fintech", "zh-Hans") == translator("zh_Hans_CN").gettext("Fintech")
    assert event.field_name("biotech", "zh-Hans") == "Life sciences"  # one name for everyone
    with pytest.raises(ValidationError) as refused:
        Event.model_validate(data | {"field_names": {"iot": {"fr": "Capteurs"}}})
    error = refused.value.errors()[0]
    assert error["loc"] == ("field_names", "iot") and error["type"] == "unknown_language"
    # Stored, shown in the reader's language, kept through the settings form.
    auth.login()
    event_id = owned_event(app, event)
    url = link(app, event_id, "inv-001")
    page = client.get(url, headers={"Accept-Language": "zh-HK"}).get_data(as_text=True)
    assert '<label for="interest-iot">感測器</label>' in page
    row = event_row(app, event_id)
    lines = [("Smart sensors" if f == "iot" else fields.name_of(f, row.field_names))
             for f in row.fields]
    form = event_form(version=str(row.version), fields="\n".join(lines),
                      sessions="14:00-16:30", tables="4")
    assert client.post(f"/events/{event_id}/edit", data=form).status_code == 302
    after = event_row(app, event_id).field_names
    assert after["iot"] == {"en": "Smart sensors", "zh_Hant_HK": "感測器", "zh_Hans_CN": "传感器"}
    assert after["fintech"] == {"zh_Hant_HK": "金融科技（香港）"}
    exported = client.get(f"/events/{event_id}/event.json").get_json()
    assert Event.model_validate(exported).field_name("iot", "zh-Hans") == "传感器"
