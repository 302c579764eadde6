"""The print kit from the web app: offered on the published version only, each document a PDF
in the chosen language, agendas with the QR codes of the personal links (not for viewers)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import expect

from matcher.print import pages
from matcher.solve.solver import solve
from tests.webapp.conftest import (
    EMAIL,
    PASSWORD,
    SCREENSHOTS,
    AuthActions,
    event_row,
    generate,
    new_session,
)
from web.accounts.views import create_organiser
from web.db.models import EventRow, Member, ScheduleVersion
from web.events.store import add_version, event_of, publish, snapshot_of
from web.publishing.invites import agenda_links


def pdf_pages(tmp_path: Path, body: bytes) -> list[str]:
    """The text of each page of a PDF."""
    path = tmp_path / "kit.pdf"
    path.write_bytes(body)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return out.split("\f")[:-1]


def first_qr_code(tmp_path: Path, body: bytes) -> str:
    """The address in the QR code of a PDF's first page ('' when it has none)."""
    (tmp_path / "agendas.pdf").write_bytes(body)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "-f", "1", "-l", "1",
                    str(tmp_path / "agendas.pdf"), str(tmp_path / "page")], check=True)
    return subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
                          capture_output=True, text=True).stdout.strip()


def test_the_published_version_offers_its_kit_in_each_language(
        client: FlaskClient, app: Flask, event_id: int, version: ScheduleVersion,
        tmp_path: Path) -> None:
    kit_url = f"/events/{event_id}/versions/1/print"
    assert kit_url not in client.get(f"/events/{event_id}/schedule").text  # a draft
    client.post(f"/events/{event_id}/versions/1/publish")
    page = client.get(f"/events/{event_id}/schedule").text
    assert kit_url in page and 'value="door-list"' in page and "繁體中文" in page
    event = snapshot_of(version)
    for kind, language, count, label in (("tables", "zh-Hant", len(event.tables), "號桌"),
                                         ("door-list", "zh-Hans", 1, "签到名单"),
                                         ("matrix", "en", 1, "Session matrix")):
        r = client.get(f"{kit_url}?kind={kind}&lang={language}")
        assert r.status_code == 200 and r.mimetype == "application/pdf"
        assert r.headers["Content-Disposition"] == \
            f"attachment; filename={kind}-{event_id}-v1-{language}.pdf"
        texts = pdf_pages(tmp_path, r.data)
        assert len(texts) == count and label in texts[0]
    agendas = client.get(f"{kit_url}?kind=agendas&lang=en").data
    assert len(pdf_pages(tmp_path, agendas)) == len(event.startups) + len(event.investors)
    first = pages.people(event)[0].id
    with app.test_request_context():
        link = agenda_links(event_row(app, event_id))(first)
    assert first_qr_code(tmp_path, agendas) == link


def test_only_the_published_version_prints(client: FlaskClient, app: Flask, event_id: int,
                                           version: ScheduleVersion) -> None:
    client.post(f"/events/{event_id}/versions/1/publish")
    generate(client, app, event_id)
    r = client.get(f"/events/{event_id}/versions/2/print?kind=tables&lang=en")
    assert r.status_code == 302
    assert "Only the published version can be printed" in client.get(r.headers["Location"]).text
    assert client.get(f"/events/{event_id}/versions/1/print?kind=menu&lang=en").status_code == 404
    assert client.get(f"/events/{event_id}/versions/1/print?kind=tables&lang=fr").status_code \
        == 404
    assert client.get(f"/events/{event_id}/versions/1/print").status_code == 302


def test_a_viewer_prints_agendas_without_personal_links(
        client: FlaskClient, app: Flask, auth: AuthActions, event_id: int,
        version: ScheduleVersion, tmp_path: Path) -> None:
    client.post(f"/events/{event_id}/versions/1/publish")
    with new_session(app) as session:
        viewer = create_organiser(session, "viewer@example.com", PASSWORD)
        session.add(Member(event_id=event_id, organiser_id=viewer.id, role="viewer"))
        session.commit()
    auth.logout()
    auth.login("viewer@example.com")
    r = client.get(f"/events/{event_id}/versions/1/print?kind=agendas&lang=zh-Hant")
    assert r.status_code == 200
    assert first_qr_code(tmp_path, r.data) == ""
    assert "/p/" not in "".join(pdf_pages(tmp_path, r.data))


def published(app: Flask, event_id: int) -> None:
    """A generated version of the event, published."""
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        assert row is not None
        event = event_of(row)
        publish(session, add_version(session, event_id, solve(event, time_limit=5, workers=1),
                                     event, "generated"))
        session.commit()


def test_the_kit_from_a_browser_in_chinese(app: Flask, live_server: str, organiser: str,
                                           event_id: int, new_page, tmp_path: Path,
                                           ) -> None:  # type: ignore[no-untyped-def]
    """A Hong Kong organiser's browser: the kit offered in Traditional Chinese, a download."""
    published(app, event_id)
    for name, viewport in (("desktop", {"width": 1280, "height": 900}),
                           ("phone", {"width": 390, "height": 844})):
        page = new_page(name, viewport=viewport, locale="zh-HK", accept_downloads=True)
        page.goto(f"{live_server}/login")
        page.locator("#email").fill(EMAIL)
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="登入").click()
        page.goto(f"{live_server}/events/{event_id}/schedule")
        kit = page.locator("form.print-kit")
        expect(kit.get_by_label("列印文字的語言（名稱保持原樣）")).to_have_value("zh-Hant")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        kit.screenshot(path=str(SCREENSHOTS / f"print-kit-{name}.png"))
        with page.expect_download() as download:
            kit.get_by_role("button", name="桌牌（PDF）").click()
        assert download.value.suggested_filename == f"tables-{event_id}-v1-zh-Hant.pdf"
        body = Path(download.value.path()).read_bytes()
        assert "號桌" in pdf_pages(tmp_path, body)[0]
