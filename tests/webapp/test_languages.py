"""Languages of the pages: chosen from the switch (remembered for the browser, the organiser's
account and the participant's row), else from Accept-Language, else English; lazy strings
never reach a flash message or JSON."""

from __future__ import annotations

import re

import pytest
from flask import Flask, flash, jsonify
from flask.testing import FlaskClient
from flask_babel import lazy_gettext

from matcher.i18n import LANG_TAGS, N_, translator
from matcher.model.messages import TEMPLATES
from tests.webapp.conftest import (
    EMAIL,
    PASSWORD,
    AuthActions,
    LazyStringLeak,
    event_row,
    queued_job,
    wait_for_job,
)
from tests.webapp.test_imports import confirm, upload
from tests.webapp.test_participant import investor_form, link, stored
from web.accounts.views import find_organiser
from web.db import new_session
from web.db.models import EventRow, Mailing
from web.events.store import event_of
from web.i18n import joined


def language_of(page: str) -> str:
    """The `lang` of a page's <html>."""
    found = re.search(r'<html lang="([^"]+)"', page)
    assert found, page[:200]
    return found.group(1)


def shown(client: FlaskClient, path: str, **headers: str) -> str:
    """The `lang` of a page as this client sees it."""
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return language_of(response.get_data(as_text=True))


@pytest.mark.parametrize(("header", "locale"), [
    ("zh-HK", "zh_Hant_HK"), ("zh-TW,zh;q=0.8", "zh_Hant_HK"), ("zh-MO", "zh_Hant_HK"),
    ("zh-Hant-HK", "zh_Hant_HK"), ("yue-HK", "zh_Hant_HK"),
    # A Hong Kong browser never falls back to Simplified, even when it also lists zh or zh-CN.
    ("zh-HK,zh;q=0.9,zh-CN;q=0.8", "zh_Hant_HK"),
    ("zh-CN", "zh_Hans_CN"), ("zh-SG", "zh_Hans_CN"), ("zh-Hans", "zh_Hans_CN"),
    ("zh", "zh_Hans_CN"), ("fr-FR,zh-HK;q=0.5", "zh_Hant_HK"),
    ("en-GB,zh-HK;q=0.5", "en"), ("de", "en"), ("", "en"),
])
def test_accept_language_picks_the_catalogue(client: FlaskClient, header: str,
                                             locale: str) -> None:
    assert shown(client, "/login", **{"Accept-Language": header}) == LANG_TAGS[locale]


def test_the_switch_keeps_the_choice_for_the_browser(client: FlaskClient) -> None:
    response = client.post("/language", data={"lang": "zh_Hans_CN", "next": "/login?x=1"})
    assert response.status_code == 302 and response.headers["Location"] == "/login?x=1"
    page = client.get("/login", headers={"Accept-Language": "zh-HK"}).get_data(as_text=True)
    assert language_of(page) == "zh-Hans-CN"
    assert translator("zh_Hans_CN").gettext("Organiser login") in page
    client.post("/language", data={"lang": "en", "next": "/login"})
    assert shown(client, "/login", **{"Accept-Language": "zh-HK"}) == "en"


@pytest.mark.parametrize(("data", "status"), [
    ({"lang": "fr", "next": "/"}, 400), ({"next": "/"}, 400),
    ({"lang": "zh-Hant", "next": "//evil.example/"}, 302),
])
def test_the_switch_refuses_unknown_languages_and_foreign_targets(
        client: FlaskClient, data: dict[str, str], status: int) -> None:
    response = client.post("/language", data=data)
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"] == "/"


def test_an_organisers_choice_follows_them_to_another_browser(
        app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    client.post("/language", data={"lang": "zh_Hant_HK", "next": "/"})
    with new_session(app) as session:
        assert find_organiser(session, EMAIL).language == "zh_Hant_HK"  # type: ignore[union-attr]
    other = app.test_client()
    other.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert shown(other, "/", **{"Accept-Language": "en"}) == "zh-Hant-HK"


def test_a_choice_made_before_logging_in_becomes_the_accounts(
        app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    client.post("/language", data={"lang": "zh_Hans_CN", "next": "/login"})
    auth.login()
    with new_session(app) as session:
        assert find_organiser(session, EMAIL).language == "zh_Hans_CN"  # type: ignore[union-attr]


def test_a_participants_choice_is_kept_on_their_row(app: Flask, client: FlaskClient,
                                                    event_id: int) -> None:
    url = link(app, event_id, "inv-001")
    response = client.post(f"{url}/language", data={"lang": "zh_Hant_HK"})
    assert response.status_code == 302 and response.headers["Location"] == url
    assert stored(app, event_id, "inv-001").language == "zh_Hant_HK"
    # Another browser of theirs, say a phone set to English, shows their choice.
    assert shown(app.test_client(), url, **{"Accept-Language": "en"}) == "zh-Hant-HK"
    assert client.post("/p/forged/language", data={"lang": "en"}).status_code == 404


def test_answering_in_a_language_makes_it_the_participants(app: Flask, client: FlaskClient,
                                                           event_id: int) -> None:
    url = link(app, event_id, "inv-001")
    response = client.post(url, data=investor_form(), headers={"Accept-Language": "zh-HK"})
    assert response.status_code == 302
    assert stored(app, event_id, "inv-001").language == "zh_Hant_HK"
    assert stored(app, event_id, "inv-002").language is None


def test_the_switch_is_on_every_page_with_each_language_in_its_own_script(
        app: Flask, client: FlaskClient, event_id: int) -> None:
    participant = client.get(link(app, event_id, "st-001")).get_data(as_text=True)
    assert f'action="{link(app, event_id, "st-001")}/language"' in participant
    for page in (client.get("/").get_data(as_text=True), participant):
        for tag, name in (("en", "English"), ("zh-Hant-HK", "繁體中文"), ("zh-Hans-CN", "简体中文")):
            assert re.search(rf'lang="{tag}"[^>]*>{name}</button>', page), tag
    assert event_row(app, event_id).participants[0].language is None


def test_a_lazy_string_in_a_flash_or_in_json_fails_the_tests(app: Flask) -> None:
    """The guard that every web test runs under (conftest.refuse_lazy_strings) works."""
    message = lazy_gettext("You are logged out.")
    app.add_url_rule("/flash-lazy", "flash_lazy", lambda: flash(message) or "")
    app.add_url_rule("/flash-str", "flash_str", lambda: flash(str(message)) or "")
    app.add_url_rule("/json-lazy", "json_lazy", lambda: jsonify(message=message))
    client = app.test_client()
    assert client.get("/flash-str").status_code == 200
    for path in ("/flash-lazy", "/json-lazy"):
        with pytest.raises(LazyStringLeak):
            client.get(path)


def test_the_import_reads_each_participants_language(app: Flask, client: FlaskClient,
                                                     auth: AuthActions, event_id: int) -> None:
    auth.login()
    csv = ("id,name,organisation,language\ninv-x,Xavier,X Capital,繁體中文\n"
           "inv-y,Yan,Y Fund,zh-CN\ninv-001,Investor 1,,\n")
    with new_session(app) as session:
        first = next(p for p in session.get(EventRow, event_id).participants  # type: ignore[union-attr]
                     if p.code == "inv-001")
        first.language = "zh_Hans_CN"  # their own choice: a blank cell keeps it
        session.commit()
    assert confirm(client, upload(client, event_id, "investor", "i.csv", csv.encode())
                   ).status_code == 302
    languages = {p.code: p.language for p in event_row(app, event_id).participants}
    assert (languages["inv-x"], languages["inv-y"], languages["inv-001"]) == (
        "zh_Hant_HK", "zh_Hans_CN", "zh_Hans_CN")
    assert event_of(event_row(app, event_id)).investors[0].language == "zh_Hans_CN"
    assert "language" in client.get(f"/events/{event_id}/template-investor.csv").get_data(
        as_text=True).splitlines()[0].split(",")


def test_an_unknown_language_in_the_import_is_named_on_its_row(
        app: Flask, client: FlaskClient, auth: AuthActions, event_id: int) -> None:
    auth.login()
    client.post("/language", data={"lang": "zh_Hant_HK"})
    csv = "id,name,field,language\nst-x,Xeno,fintech,Klingon\n"
    response = upload(client, event_id, "startup", "s.csv", csv.encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    template = TEMPLATES["unknown_language"]
    assert translator("zh_Hant_HK").gettext(template).format(value="Klingon") in page


def test_a_failed_generation_is_told_in_each_readers_language(
        app: Flask, client: FlaskClient, auth: AuthActions, event_id: int) -> None:
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        next(p for p in row.participants if p.code == "st-001").min_meetings = 7  # type: ignore[union-attr]
        session.commit()
    auth.login()
    response = client.post(f"/events/{event_id}/generate", data={"time_limit": "2"})
    job = wait_for_job(app, queued_job(response))
    assert job.status == "failed" and job.message_values  # kept in English with its values
    page_url = f"/events/{event_id}/jobs/{job.id}"
    progress = f"{page_url}/progress.json"
    told = {}
    for header in ("en", "zh-HK", "zh-CN"):
        told[header] = client.get(progress, headers={"Accept-Language": header}).get_json()
    assert told["en"]["message"].startswith("No timetable can keep every rule of this event")
    for header, locale in (("zh-HK", "zh_Hant_HK"), ("zh-CN", "zh_Hans_CN")):
        expected = translator(locale).gettext(job.message) % job.message_values  # type: ignore[arg-type]
        assert told[header]["message"] == expected != told["en"]["message"]
        assert job.message_values["rules"] in expected  # type: ignore[index]
    page = client.get(page_url, headers={"Accept-Language": "zh-HK"})
    assert told["zh-HK"]["message"] in page.get_data(as_text=True)


def test_a_mailings_outcome_is_told_in_the_readers_language(app: Flask) -> None:
    mailing = Mailing()
    mailing.tell(N_("%(sent)s of %(total)s messages sent; %(failed)s not sent: retrying sends "
                    "them again."), sent=3, total=5, failed=2)
    with app.test_request_context(headers={"Accept-Language": "zh-HK"}):
        assert mailing.words == "已發出 3 封（共 5 封）；2 封未能發出：重試會再次發送。"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert mailing.words == "3 of 5 messages sent; 2 not sent: retrying sends them again."
    mailing.message, mailing.message_values = "written by an older version", None
    assert mailing.words == "written by an older version"


def test_sentences_are_joined_as_each_language_sets_them() -> None:
    assert joined(["Re-planned from 16:08.", None, "", "2 meetings are new."]) == (
        "Re-planned from 16:08. 2 meetings are new.")
    assert joined(["由 16:08 起重新編排。", "有 2 場新會面。"]) == (
        "由 16:08 起重新編排。有 2 場新會面。")
    assert joined(["Startup 1（初創企業）", "已到場。"]) == "Startup 1（初創企業）已到場。"


def test_an_expired_form_is_explained_in_the_readers_language(app: Flask,
                                                              client: FlaskClient) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD},
                           headers={"Accept-Language": "zh-HK"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "CSRF" in page
    assert translator("zh_Hant_HK").gettext("This form has expired") in page
    assert "token is missing" not in page  # Flask-WTF's English stays out
