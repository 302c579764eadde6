"""The organiser's day, end to end in Chromium as a new organiser lives it: create an event
from scratch, import startups and investors from CSV (a broken file first), two participants
answer on their personal links, generate with live progress, pin, publish, a late investor joins
and the day is re-planned with as little change as possible, and a participant downloads the
calendar. Every page a person reads is checked for what they need to see, on a desktop screen
and on a phone; a failing step leaves screenshots in out/screenshots/."""

from __future__ import annotations

import os
import re
from pathlib import Path

import icalendar
from flask import Flask
from playwright.sync_api import Page, expect

from matcher.solve.replan import changes
from tests.webapp.conftest import SCREENSHOTS, SQLITE_ONLY
from tests.webapp.test_browser import log_in
from web.db import new_session
from web.db.models import EventRow, now
from web.events.store import latest_version, published_version, schedule_of

# The browser's side: the database adds nothing here but time (both run in test_views).
pytestmark = SQLITE_ONLY

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

STARTUPS_BROKEN = """id,name,field,email,description,min_meetings,max_meetings
st-ada,Ada Robotics,robotics,ada@example.com,Warehouse robots,1,
st-bee,Bee Health,space,bee@example.com,Remote care,,
"""
STARTUPS = """id,name,field,email,description,min_meetings,max_meetings
st-ada,Ada Robotics,robotics,ada@example.com,Warehouse robots,1,
st-bee,Bee Health,biotech,bee@example.com,Remote care,,
st-cog,Cog Finance,fintech,cog@example.com,Payments for shops,,
st-dot,Dot Energy,new-energy,dot@example.com,Home batteries,,
"""
INVESTORS = """id,name,organisation,email,max_meetings
inv-li,Li Na,Harbour Capital,li@example.com,
inv-ho,Ho Man,Peak Ventures,ho@example.com,
inv-ng,Ng Ka,Lantau Fund,ng@example.com,
inv-wu,Wu Yi,Kowloon Angels,wu@example.com,3
"""
LATE_INVESTOR = """id,name,organisation,email,max_meetings
inv-zo,Zoe Lam,Late Bird Partners,zoe@example.com,
"""


def upload(page: Page, kind: str, path: Path) -> None:
    """On the event page, preview a file of startups or investors (and import it once the
    preview shows no problem)."""
    page.get_by_role("link", name=f"Import {kind}s").click()
    preview(page, kind, path)


def preview(page: Page, kind: str, path: Path) -> None:
    """On the import page, preview a file, and import it if it has no problem."""
    page.get_by_label(f"CSV or Excel (.xlsx) file of {kind}s").set_input_files(str(path))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview, #problems")).to_be_visible()
    if page.locator("#preview").count():
        page.get_by_role("button", name="Import", exact=True).click()


def shot(page: Page, name: str, full_page: bool = True) -> None:
    """With MATCHER_SCREENSHOTS=all, keep a screenshot of this step to look at."""
    if os.environ.get("MATCHER_SCREENSHOTS") == "all":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"walkthrough-{name}.png"), full_page=full_page)


def fits(page: Page) -> None:
    """The page needs no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None and width <= viewport["width"], \
        f"{page.url} is {width}px wide on a {viewport['width']}px screen"


def others_answer(app: Flask, event_id: int) -> None:
    """Meanwhile the other investors answer: some interest in every field, two meetings at most
    (so that the day keeps room for a late investor)."""
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        assert row is not None
        for p in row.participants:
            if p.kind == "investor" and p.answered_at is None:
                p.interests = {f: 1 + n % 3 for n, f in enumerate(row.fields)}
                p.max_meetings = 2
                p.answered_at = now()
        session.commit()


def test_an_organisers_day(app: Flask, live_server: str, organiser: str, tmp_path: Path,
                           new_page) -> None:  # type: ignore[no-untyped-def]
    page: Page = new_page("organiser", **DESKTOP)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server)

    # A new event from scratch, as the browser posts the form (with its empty version field).
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Name", exact=True).fill("Harbour Demo Day")
    page.get_by_label("Venue").fill("Cyberport, Hong Kong")
    page.get_by_label("Date").fill("2031-05-20")
    page.get_by_label("Sessions").fill("14:00-15:40")
    page.get_by_label("Tables").fill("4")
    # Fields as people read them, one per line; a new one ("Robotics") gets an id of its own.
    page.get_by_label("Fields").fill("Fintech\nAI & Big Data\nBiotech\nNew Energy\nRobotics")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Event Harbour Demo Day created with 4 slots")
    expect(page.get_by_role("heading", name="Harbour Demo Day")).to_be_visible()
    event_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # Startups: a file with a broken row imports nothing and names the row; then the right one.
    broken, startups, investors = (tmp_path / name for name in
                                   ("broken.csv", "startups.csv", "investors.csv"))
    broken.write_text(STARTUPS_BROKEN)
    startups.write_text(STARTUPS)
    investors.write_text(INVESTORS)
    upload(page, "startup", broken)
    problems = page.get_by_role("alert").filter(has_text="nothing was imported")
    expect(problems).to_contain_text("space")
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(problems.locator("tbody td").first).to_have_text("3")
    preview(page, "startup", startups)
    expect(page.get_by_role("status")).to_contain_text("4 added")
    upload(page, "investor", investors)
    expect(page.get_by_role("status")).to_contain_text("4 added")
    expect(page.locator("table.participants tbody tr")).to_have_count(8)
    shot(page, "event")
    fits(page)

    # Two participants answer on their personal links: an investor on a phone, whose first save
    # is refused (the error is at the top, the wrong field has the focus), and a startup.
    investor_link = page.get_by_label("Personal link of Li Na").input_value()
    startup_link = page.get_by_label("Personal link of Ada Robotics").input_value()
    phone = new_page("investor", **PHONE)
    phone.goto(investor_link)
    expect(phone.get_by_role("heading", name="Your answers")).to_be_visible()
    fits(phone)
    expect(phone.locator("label[for^=interest-]")).to_have_text(
        ["Fintech", "AI & Big Data", "Biotech", "New Energy", "Robotics"])
    phone.get_by_label("Fintech", exact=True).select_option("3")
    phone.get_by_label("Robotics", exact=True).select_option("2")
    phone.get_by_label("Ada Robotics", exact=False).select_option("3")
    phone.get_by_label("Dot Energy", exact=False).select_option("avoid")
    phone.locator("form.answers").evaluate("form => { form.noValidate = true; }")
    phone.get_by_label("Most meetings you want").fill("-1")
    phone.get_by_role("button", name="Save my answers").click()
    summary = phone.locator("#form-error")
    expect(summary).to_contain_text("Give 0 or more.")
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("link")).to_contain_text("Most meetings you want")
    expect(phone.get_by_label("Most meetings you want")).to_be_focused()
    expect(phone.get_by_label("Ada Robotics", exact=False)).to_have_value("3")  # kept as typed
    shot(phone, "phone-error", full_page=False)
    phone.get_by_label("Most meetings you want").fill("3")
    phone.get_by_role("button", name="Save my answers").click()
    expect(phone.get_by_role("status")).to_contain_text("your answers are saved")

    desk = new_page("startup", **DESKTOP)
    desk.goto(startup_link)
    desk.get_by_label("Li Na", exact=False).select_option("3")
    desk.get_by_label("Ho Man", exact=False).select_option("2")
    desk.get_by_label("14:00–14:20").uncheck()
    desk.get_by_role("button", name="Save my answers").click()
    expect(desk.get_by_role("status")).to_contain_text("your answers are saved")
    page.reload()
    expect(page.get_by_text("2 of 8 participants have answered")).to_be_visible()
    others_answer(app, event_id)

    # Generate, following the progress live, then read the timetable.
    page.get_by_role("link", name="Timetable").click()
    page.get_by_label("Time limit (seconds)").fill("2")
    page.get_by_role("button", name="Generate the timetable").click()
    # The progress page goes to the new timetable once it is made.
    expect(page).to_have_url(re.compile(r"/schedule\?version=\d+#grid$"), timeout=30_000)
    grid = page.locator("table.grid")
    expect(grid).to_be_visible()
    shot(page, "timetable")
    fits(page)

    # Pin the wished-for meeting of Ada Robotics and Li Na where it is.
    meeting = grid.get_by_role("link", name=re.compile("^Move or pin: Ada Robotics with Li Na"))
    expect(meeting).to_have_count(1)
    meeting.click()
    page.get_by_role("button", name="Pin it where it is").click()
    expect(page.get_by_role("status")).to_contain_text(
        re.compile(r"Pinned Ada Robotics with Li Na at \d\d:\d\d–\d\d:\d\d, table T\d+"))
    page.get_by_role("link", name="Back to the timetable").click()
    expect(grid.locator("td.meeting.pinned")).to_have_count(1)

    # Swap another meeting with one the page offers, in one step.
    other = grid.locator("td.meeting:not(.pinned)").first
    other.get_by_role("link", name=re.compile("^Move or pin: ")).click()
    expect(page.get_by_role("heading", name=re.compile("^Move the meeting of"))).to_be_visible()
    shot(page, "move")
    swaps = page.locator("#swaps").get_by_role("button", name=re.compile("^Swap with "))
    expect(swaps.first).to_be_visible()
    swaps.first.click()
    expect(page.get_by_role("status")).to_contain_text("Swapped: ")
    with new_session(app) as session:
        swapped = latest_version(session, event_id)
        assert swapped is not None and swapped.origin == "edited"
        assert (swapped.details or {}).get("how") == "swapped"

    # Publish, after reading who will be told and how.
    page.get_by_role("link", name=f"Publish version {swapped.number}…").click()
    expect(page.locator("#summary")).to_contain_text("No version is published yet")
    expect(page.locator("#notified")).to_contain_text("Ada Robotics")
    shot(page, "confirm")
    page.get_by_role("button", name=f"Publish version {swapped.number}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Version {swapped.number} is published")

    # A late investor joins: the timetable says the published version predates it, and
    # re-planning from the second slot keeps every published meeting where it is.
    page.goto(f"{live_server}/events/{event_id}")
    late = tmp_path / "late.csv"
    late.write_text(LATE_INVESTOR)
    upload(page, "investor", late)
    expect(page.get_by_role("status")).to_contain_text("1 added")
    zoe = new_page("late investor", **PHONE)
    zoe.goto(page.get_by_label("Personal link of Zoe Lam").input_value())
    for interest in zoe.locator("select[id^=interest-]").all():
        interest.select_option("2")
    zoe.get_by_label("Bee Health", exact=False).select_option("3")
    zoe.get_by_role("button", name="Save my answers").click()
    expect(zoe.get_by_role("status")).to_contain_text("your answers are saved")
    page.get_by_role("link", name="Timetable").click()
    expect(page.locator("#drift")).to_contain_text("1 participant joined: Zoe Lam.")
    replan = page.locator("#replan")
    replan.get_by_label("Re-plan from").select_option(index=1)
    replan.get_by_label("Time limit of the re-planning (seconds)").fill("2")
    replan.get_by_role("button", name="Re-plan from now").click()
    expect(page).to_have_url(re.compile(r"/schedule\?version=\d+#grid$"), timeout=30_000)
    with new_session(app) as session:
        first = published_version(session, event_id)
        second = latest_version(session, event_id)
    assert first is not None and second is not None and second.number == first.number + 1
    diff = changes(schedule_of(first), schedule_of(second))
    assert any(m.investor == "inv-zo" for m in diff.added), "the late investor got no meeting"
    # Every published meeting still keeps the rules, so every one stays where it is.
    assert not diff.moved and not diff.cancelled, diff
    page.get_by_role("link", name=f"Publish version {second.number}…").click()
    notified = page.locator("#notified tbody tr")
    expect(notified).to_have_count(len(diff.affected()))
    expect(page.locator("#notified")).to_contain_text("Zoe Lam")
    page.get_by_role("button", name=f"Publish version {second.number}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Version {second.number} is published")
    shot(page, "published")

    # The startup downloads its calendar: its meetings of version 2, at local times.
    desk.goto(startup_link)
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Download your meetings (.ics)").click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    mine = [m for m in schedule_of(second).meetings if m.startup == "st-ada"]
    events = calendar.walk("VEVENT")
    assert sorted(str(e["UID"]) for e in events) == sorted(m.uid for m in mine)
    assert all(e.decoded("DTSTART").tzinfo is not None for e in events)
    assert {e.decoded("DTSTART").strftime("%H:%M") for e in events} <= {
        "14:00", "14:25", "14:50", "15:15"}
