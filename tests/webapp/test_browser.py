"""End to end in a real browser: an investor and a startup fill their forms on their personal
links, the organiser generates, pins and publishes, and the investor then sees the agenda."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import expect

from tests.webapp.conftest import EMAIL, PASSWORD, SQLITE_ONLY

# The browser's side: the database adds nothing here but time (both run in test_views).
pytestmark = SQLITE_ONLY


def log_in(page, base: str) -> None:  # type: ignore[no-untyped-def]
    """The organiser logs in through the form."""
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Events")).to_be_visible()


def open_publishing(page, number: int) -> None:  # type: ignore[no-untyped-def]
    """From a timetable or who-is-affected page, to the page that publishes a version."""
    page.get_by_role("link", name=f"Publish version {number}…").click()
    expect(page.get_by_role("heading", name=re.compile(f"^Publish version {number}"))
           ).to_be_visible()


def personal_link(page, base: str, event_id: int, name: str) -> str:  # type: ignore[no-untyped-def]
    """The link the organiser copies for a participant."""
    page.goto(f"{base}/events/{event_id}")
    return page.get_by_label(f"Personal link of {name}").input_value()


def test_three_flows_from_form_to_published_agenda(app: Flask, live_server: str, organiser: str,
                                                   event_id: int, new_page) -> None:  # type: ignore[no-untyped-def]
    organiser_page = new_page("organiser")
    log_in(organiser_page, live_server)
    investor_link = personal_link(organiser_page, live_server, event_id, "Investor 1")
    startup_link = personal_link(organiser_page, live_server, event_id, "Startup 1")
    assert investor_link.startswith(live_server + "/p/")

    # The investor answers on a phone.
    investor = new_page("investor", viewport={"width": 375, "height": 740}, is_mobile=True,
                        has_touch=True)
    investor.goto(investor_link)
    expect(investor.get_by_role("heading", name="Your answers")).to_be_visible()
    investor.get_by_label("fintech").select_option("3")
    investor.get_by_label("Startup 1", exact=False).first.select_option("3")
    investor.get_by_label("Startup 2", exact=False).first.select_option("avoid")
    investor.get_by_label("14:00–14:20").uncheck()
    investor.get_by_label("Most meetings you want").fill("3")
    investor.get_by_role("button", name="Save my answers").click()
    expect(investor.get_by_role("status")).to_contain_text("your answers are saved")
    expect(investor.get_by_label("14:00–14:20")).not_to_be_checked()
    width = investor.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the form is {width}px wide on a 375px phone"

    # A wrong value is shown next to its field (the browser's own check is turned off, as an
    # old phone browser would not make it).
    investor.locator("form.answers").evaluate("form => { form.noValidate = true; }")
    investor.get_by_label("Most meetings you want").fill("-2")
    investor.get_by_role("button", name="Save my answers").click()
    expect(investor.locator("#max_meetings-error")).to_have_text("Give 0 or more.")

    # The startup wishes for that investor.
    startup = new_page("startup")
    startup.goto(startup_link)
    startup.get_by_label("Investor 1", exact=False).first.select_option("3")
    startup.get_by_role("button", name="Save my answers").click()
    expect(startup.get_by_role("status")).to_contain_text("your answers are saved")

    # The organiser sees who answered, generates, pins, publishes.
    organiser_page.goto(f"{live_server}/events/{event_id}")
    expect(organiser_page.locator("tr", has_text="Investor 1").locator(".yes")).to_be_visible()
    organiser_page.get_by_role("link", name="Timetable").click()
    organiser_page.get_by_label("Time limit (seconds)").fill("2")
    organiser_page.get_by_role("button", name="Generate the timetable").click()
    # The progress page goes to the new timetable once it is made.
    expect(organiser_page).to_have_url(re.compile(r"/schedule\?version=\d+#grid$"), timeout=30_000)
    grid = organiser_page.locator("table.grid")
    expect(grid).to_be_visible()
    meeting = grid.get_by_role("link", name=re.compile("^Move or pin: Startup 1 with Investor 1 "))
    expect(meeting).to_have_count(1)
    meeting.click()
    organiser_page.get_by_role("button", name="Pin it where it is").click()
    expect(organiser_page.get_by_role("status")).to_contain_text(
        re.compile(r"Pinned Startup 1 with Investor 1 at \d\d:\d\d–\d\d:\d\d, table T\d+"))
    organiser_page.get_by_role("link", name="Back to the timetable").click()
    expect(grid.locator("td.meeting.pinned")).to_have_count(1)
    organiser_page.emulate_media(media="print")
    expect(organiser_page.locator("header.site")).to_be_hidden()
    expect(grid).to_be_visible()
    organiser_page.emulate_media(media="screen")
    open_publishing(organiser_page, 1)
    organiser_page.get_by_role("button", name="Publish version 1").click()
    expect(organiser_page.get_by_role("status")).to_contain_text("Version 1 is published")

    # The investor now sees the agenda: Startup 1, and never the avoided Startup 2.
    investor.goto(investor_link)
    agenda = investor.locator("#agenda")
    expect(agenda.get_by_role("heading", name="Your meetings")).to_be_visible()
    expect(agenda).to_contain_text("Startup 1")
    expect(agenda).not_to_contain_text("Startup 2")
    assert agenda.locator("tbody tr:not(.free)").count() <= 3


def test_closed_form_is_read_only(app: Flask, live_server: str, organiser: str, event_id: int,
                                  new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page("organiser")
    log_in(page, live_server)
    link = personal_link(page, live_server, event_id, "Investor 2")
    page.get_by_role("button", name="Close the forms").click()
    expect(page.get_by_role("status")).to_contain_text("forms are closed")
    investor = new_page("investor")
    investor.goto(link)
    expect(investor.get_by_text("The organiser has closed the form")).to_be_visible()
    expect(investor.get_by_role("button", name="Save my answers")).to_be_disabled()
