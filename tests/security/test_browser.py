"""In Chromium: two organisers. B cannot see or reach A's event by any link; A adds B to the
team as a viewer; B then reads it but finds no way to change it. On every page both visit (and
a participant's page), the Content-Security-Policy blocks nothing: the pages' own scripts and
styles satisfy it."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect

from tests.security.conftest import STRANGER, World
from tests.webapp.conftest import EMAIL, PASSWORD, SCREENSHOTS
from web.db import new_session
from web.db.models import Participant
from web.participants.links import token_for

WATCH = """window.__blocked = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__blocked.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"""


def watched(new_page, name: str, **options: object) -> tuple[Page, list[str]]:  # type: ignore[no-untyped-def]
    """A page whose CSP reports and console errors are collected."""
    page = new_page(name, **options)
    page.add_init_script(WATCH)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, errors


def blocked(page: Page) -> list[str]:
    """What the CSP blocked on the page shown now."""
    return page.evaluate("window.__blocked || []")


def log_in(page: Page, base: str, email: str) -> None:
    """Log in through the form."""
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your events")).to_be_visible()


def test_two_organisers(app: Flask, live_server: str, world: World, new_page) -> None:  # type: ignore[no-untyped-def]
    base, event = live_server, f"{live_server}/events/{world.event_id}"
    a, a_errors = watched(new_page, "owner")
    b, b_errors = watched(new_page, "stranger")
    log_in(a, base, EMAIL)
    log_in(b, base, STRANGER)
    seen: list[str] = []

    # B sees nothing of A's event, and no address of it opens.
    expect(b.locator("main")).not_to_contain_text("Generated tiny event")
    addresses = [event, f"{event}/schedule", f"{event}/agendas", f"{event}/team",
                 f"{event}/versions/1/changes", f"{event}/jobs/{world.job_id}",
                 f"{event}/mailings/{world.mailing_id}", f"{event}/edit", f"{event}/event.json",
                 f"{event}/import?kind=startup"]
    for address in addresses:
        response = b.goto(address)
        assert response is not None and response.status == 404, address
        expect(b.locator("body")).not_to_contain_text("Startup 1")

    # A visits every page of the event, and adds B to the team as a viewer.
    for address in addresses[:7]:
        response = a.goto(address)
        assert response is not None and response.status == 200, address
        seen += [f"{address}: {x}" for x in blocked(a)]
    a.goto(f"{event}/team")
    a.get_by_label("Their account's e-mail address").fill(STRANGER)
    a.get_by_label("Role").select_option("viewer")
    a.get_by_role("button", name="Add to the team").click()
    expect(a.get_by_role("status")).to_contain_text(f"{STRANGER} is now a viewer")
    expect(a.locator("table.team")).to_contain_text(STRANGER)
    shoot(a, "team-desktop")

    # B reads the event now, without any way to change it.
    b.goto(base)
    expect(b.locator("main")).to_contain_text("You can read it, not change it.")
    b.get_by_role("link", name="Generated tiny event").click()
    expect(b.get_by_role("heading", name="Generated tiny event")).to_be_visible()
    expect(b.locator("main")).to_contain_text("Startup 1")
    for label in ("Edit settings", "Import startups"):
        expect(b.get_by_role("link", name=label)).to_have_count(0)
    for button in ("Close the forms", "New link", "Remove", "Copy"):
        expect(b.get_by_role("button", name=button)).to_have_count(0)
    expect(b.locator("input.link-box")).to_have_count(0)
    b.get_by_role("link", name="Timetable").click()
    expect(b.locator("#grid")).to_be_visible()
    for button in ("Generate the timetable", "Re-generate (keeping pins)", "Pin", "Re-plan from now",
                   "Publish version 1", "Send the invitations"):
        expect(b.get_by_role("button", name=button)).to_have_count(0)
    expect(b.get_by_role("link", name="Move")).to_have_count(0)
    seen += [f"viewer timetable: {x}" for x in blocked(b)]
    response = b.goto(f"{event}/edit")
    assert response is not None and response.status == 403
    expect(b.locator("body")).to_contain_text("You can read this event but not change it")
    b.goto(f"{event}/team")
    expect(b.get_by_role("button", name="Add to the team")).to_have_count(0)
    b.set_viewport_size({"width": 390, "height": 844})
    shoot(b, "team-viewer-phone")

    # A participant's page, as its owner opens it on a phone.
    with app.test_request_context(), new_session(app) as session:
        token = token_for(session.get(Participant, world.participant_id))  # type: ignore[arg-type]
    p, p_errors = watched(new_page, "participant", viewport={"width": 390, "height": 844})
    p.goto(f"{base}/p/{token}")
    expect(p.get_by_role("heading", name="Your meetings")).to_be_visible()
    p.get_by_role("button", name="Print").count()
    seen += [f"participant: {x}" for x in blocked(p)]
    seen += [f"last owner page: {x}" for x in blocked(a)] + [f"viewer: {x}" for x in blocked(b)]
    assert seen == []
    csp_errors = [e for e in a_errors + b_errors + p_errors if "Content Security Policy" in e]
    assert csp_errors == []


def shoot(page: Page, name: str) -> Path:
    """A screenshot to look at, in out/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"security-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
