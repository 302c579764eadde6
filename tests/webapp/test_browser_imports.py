"""In a real browser, on a desktop and on a phone: the organiser imports a broken CSV file and
sees each problem at its line and column, then the fixed file's preview, confirms it, and edits
one participant on their own page. Screenshots of each step go to out/screenshots/."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.webapp.conftest import SCREENSHOTS, event_row
from tests.webapp.test_browser import log_in

BROKEN = (b'id,name,field,email,min_meetings,max_meetings\n'
          b'st-a,Alpha Robotics,fintech,alpha@example.com,,\n'
          b'st-d,Delta Games,digital-entertainment-web3,delta@example.com,5,2\n'
          b'st-e,Epsilon Foods,food,epsilon@example.com,,\n'
          b'st-b,"Beta Sensors,iot,beta@example.com,,\n'
          b'st-c,Gamma Health,biotech,gamma@example.com,,\n')
FIXED = BROKEN.replace(b'"Beta Sensors', b"Beta Sensors").replace(b",5,2", b",2,5").replace(
    b",food,", b",new-materials,")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Keep a screenshot of the whole page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def fits(page, width: int) -> None:  # type: ignore[no-untyped-def]
    """The page needs no sideways scrolling."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll}px wide on a {width}px screen"


@pytest.mark.parametrize("size", VIEWPORTS)
def test_import_preview_then_edit_one_participant(app: Flask, live_server: str, organiser: str,
                                                  event_id: int, new_page, size: str) -> None:  # type: ignore[no-untyped-def]
    viewport = VIEWPORTS[size]
    phone = size == "phone"
    page = new_page(size, viewport=viewport, is_mobile=phone, has_touch=phone)
    log_in(page, live_server)
    page.goto(f"{live_server}/events/{event_id}")
    page.get_by_role("link", name="Import startups").click()

    # A broken file: more meetings at least than at most on line 3, a field the event does not
    # have on line 4, a quote on line 5 never closed. Nothing is imported; each problem is named
    # with its line and column.
    page.get_by_label("CSV or Excel (.xlsx) file of startups").set_input_files(
        {"name": "startups.csv", "mimeType": "text/csv", "buffer": BROKEN})
    page.get_by_role("button", name="Preview").click()
    problems = page.locator("#problems")
    expect(problems).to_contain_text("3 problems: nothing was imported")
    rows = problems.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("3")
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("F (max_meetings)")
    expect(rows.nth(0).locator("td").nth(2)).to_have_text(
        "The startup Delta Games needs at least 5 meetings but may have at most 2.")
    expect(rows.nth(1).locator("td").nth(0)).to_have_text("4")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("C (field)")
    expect(rows.nth(1).locator("td").nth(2)).to_contain_text("food is not one of the event's")
    expect(rows.nth(2).locator("td").nth(0)).to_have_text("5")
    expect(rows.nth(2).locator("td").nth(1)).to_have_text("B (name)")
    expect(rows.nth(2).locator("td").nth(2)).to_contain_text("A quote opens in this cell and is "
                                                             "never closed")
    fits(page, viewport["width"])
    # The whole problem can be read without scrolling the table sideways, on a phone too.
    table = problems.locator("table")
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth"), \
        "the table of problems is wider than the page"

    shoot(page, f"import-broken-{size}")
    assert "st-b" not in {p.code for p in event_row(app, event_id).participants}

    # The fixed file: a preview of what it adds, and of who is not in it.
    page.get_by_label("CSV or Excel (.xlsx) file of startups").set_input_files(
        {"name": "startups.csv", "mimeType": "text/csv", "buffer": FIXED})
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("5 to add, 0 to change, 0 unchanged.")
    expect(preview.locator("table.preview tbody tr")).to_have_count(5)
    expect(preview).to_contain_text("Startups in the event but not in the file")
    expect(page.get_by_label("Remove the 4 startups that are not in the file")).not_to_be_checked()
    fits(page, viewport["width"])
    shoot(page, f"import-preview-{size}")
    assert "st-b" not in {p.code for p in event_row(app, event_id).participants}
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("5 added, 0 changed, 0 removed")
    expect(page.get_by_role("button", name="E-mail every participant their link")).to_be_visible()
    fits(page, viewport["width"])
    shoot(page, f"event-{size}")
    stored = {p.code for p in event_row(app, event_id).participants}
    assert {"st-a", "st-b", "st-c", "st-d", "st-e", "st-001"} <= stored

    # One participant on their own page: a wrong address is refused next to its field, with
    # what was typed kept; the right one is saved.
    page.get_by_role("link", name="Beta Sensors").click()
    expect(page.get_by_role("heading", name="Beta Sensors")).to_be_visible()
    page.get_by_label("Name").fill("Beta Sensors Ltd")
    page.get_by_label("E-mail address").fill("beta at example")
    page.get_by_label("Meetings at least").fill("4")
    page.get_by_label("Meetings at most").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#email-error")).to_have_text(
        "Give an e-mail address such as name@example.com.")
    expect(page.get_by_label("Name")).to_have_value("Beta Sensors Ltd")
    fits(page, viewport["width"])
    shoot(page, f"participant-error-{size}")
    page.get_by_label("E-mail address").fill("founders@beta.example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#max_meetings-error")).to_have_text(
        "The startup Beta Sensors Ltd needs at least 4 meetings but may have at most 3.")
    page.get_by_label("Meetings at most").fill("6")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Beta Sensors Ltd saved.")
    beta = next(p for p in event_row(app, event_id).participants if p.code == "st-b")
    assert (beta.name, beta.email, beta.min_meetings, beta.max_meetings) == (
        "Beta Sensors Ltd", "founders@beta.example.com", 4, 6)
    page.get_by_role("link", name="Beta Sensors Ltd").click()
    fits(page, viewport["width"])
    shoot(page, f"participant-page-{size}")
