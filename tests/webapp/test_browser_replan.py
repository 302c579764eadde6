"""End to end in a real browser, with a real SMTP server on loopback: the organiser publishes and
e-mails the invitations, an investor drops out and a new fund joins, the organiser re-plans from
now, reads who is affected, publishes and sends; only the affected get mail."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from playwright.sync_api import expect

from matcher.solve.replan import changes
from tests.loopback_smtp import Inbox
from tests.webapp.conftest import SQLITE_ONLY, event_row, give_addresses
from tests.webapp.test_browser import log_in, open_publishing, personal_link
from tests.webapp.test_replanning import busiest_investor
from web.db import new_session
from web.events.store import latest_version, published_version, schedule_of

# The browser's side: the database adds nothing here but time (both run in test_views).
pytestmark = SQLITE_ONLY


def recipients(inbox: Inbox) -> set[str]:
    """Everyone the SMTP server took a message for."""
    return {r for _, to, _ in inbox.received for r in to}


def wait_for_mail(page) -> None:  # type: ignore[no-untyped-def]
    """On a mailing's page (which reloads itself), until every message is handed over."""
    expect(page.get_by_role("heading", name=re.compile("Invitations of version"))).to_be_visible()
    expect(page.locator("#mailing-status")).to_have_text("sent", timeout=30_000)


def test_replan_from_now_mails_only_the_affected(app: Flask, live_server: str, organiser: str,
                                                 event_id: int, mail_server: Inbox,
                                                 tmp_path: Path, new_page) -> None:  # type: ignore[no-untyped-def]
    give_addresses(app, event_id)
    page = new_page("organiser")
    page.on("dialog", lambda dialog: dialog.accept())  # "Remove Investor N?"
    log_in(page, live_server)

    # Generate, publish and e-mail every invitation.
    page.goto(f"{live_server}/events/{event_id}/schedule")
    page.get_by_label("Time limit (seconds)").fill("2")
    page.get_by_role("button", name="Generate the timetable").click()
    expect(page).to_have_url(re.compile(r"/schedule\?version=\d+#grid$"), timeout=30_000)
    open_publishing(page, 1)
    page.get_by_label("E-mail the calendar invitations to the participants").check()
    page.get_by_role("button", name="Publish version 1").click()
    wait_for_mail(page)
    expect(page.locator("#no-address")).to_contain_text("Investor 8")
    with new_session(app) as session:
        first = published_version(session, event_id)
    assert first is not None and len(recipients(mail_server)) >= 8
    mail_server.received.clear()

    # The busiest investor drops out; a new fund joins and answers on its personal link.
    gone = busiest_investor(schedule_of(first))
    pid = next(p.id for p in event_row(app, event_id).participants if p.code == gone)
    page.goto(f"{live_server}/events/{event_id}")
    page.locator(f"tr#p{pid}").get_by_role("button", name=re.compile("^Remove ")).click()
    expect(page.get_by_role("status")).to_contain_text("removed")
    page.get_by_role("link", name="Import investors").click()
    upload = tmp_path / "investors.csv"
    upload.write_text("id,name,organisation,email,max_meetings\n"
                      "inv-new,Lee Wong,New Fund,inv-new@example.com,\n")
    page.get_by_label("CSV or Excel (.xlsx) file of investors").set_input_files(str(upload))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview")).to_contain_text("1 to add")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("1 added")
    newcomer = new_page("newcomer", viewport={"width": 375, "height": 740}, is_mobile=True)
    newcomer.goto(personal_link(page, live_server, event_id, "Lee Wong"))
    for interest in newcomer.locator("select[id^=interest-]").all():
        interest.select_option("2")
    newcomer.get_by_role("button", name="Save my answers").click()
    expect(newcomer.get_by_role("status")).to_contain_text("your answers are saved")

    # Re-plan from the second slot: the first is over.
    page.goto(f"{live_server}/events/{event_id}/schedule")
    replan = page.locator("#replan")
    replan.get_by_label("Re-plan from").select_option("s02")
    replan.get_by_label("Time limit of the re-planning (seconds)").fill("2")
    replan.get_by_role("button", name="Re-plan from now").click()
    expect(page).to_have_url(re.compile(r"/schedule\?version=\d+#grid$"), timeout=30_000)
    page.get_by_role("link", name="Who is affected (against version 1)").click()

    with new_session(app) as session:
        second = latest_version(session, event_id)
    assert second is not None and second.number == 2
    diff = changes(schedule_of(first), schedule_of(second))
    affected = diff.affected()
    assert diff.cancelled and diff.added and gone in affected and "inv-new" in affected
    sections = page.locator("section.person-changes")
    expect(sections).to_have_count(len(affected))
    assert {s.get_attribute("id") for s in sections.all()} == {f"changes-{p}" for p in affected}
    expect(page.locator("#summary")).to_contain_text(f"{len(affected)} participants are affected")
    expect(page.locator(f"#changes-{gone}")).to_contain_text("Cancelled")
    expect(page.locator("#changes-inv-new")).to_contain_text("New")

    # Publish and send the changes: only the affected get mail.
    open_publishing(page, 2)
    expect(page.locator("#notified tbody tr")).to_have_count(len(affected))
    page.get_by_label("E-mail the calendar invitations to the participants").check()
    expect(page.get_by_label(re.compile("Only what changed since version 1"))).to_be_checked()
    page.get_by_role("button", name="Publish version 2").click()
    wait_for_mail(page)
    assert recipients(mail_server) == {f"{p}@example.com" for p in affected if p != "inv-008"}
    everyone = {p.code for p in event_row(app, event_id).participants}
    assert everyone - affected, "someone should be left untouched by this re-planning"

    # An affected startup reads the new agenda on a phone, with the calendar links; printed,
    # the links are left out.
    startup = next(p for p in sorted(affected) if p.startswith("st-"))
    name = next(p.name for p in event_row(app, event_id).participants if p.code == startup)
    phone = new_page("startup", viewport={"width": 375, "height": 740}, is_mobile=True)
    phone.goto(personal_link(page, live_server, event_id, name))
    expect(phone.get_by_role("link", name="Download your meetings (.ics)")).to_be_visible()
    expect(phone.get_by_role("link", name="subscribe in your calendar app")).to_have_attribute(
        "href", re.compile(r"^webcal://127\.0\.0\.1:\d+/p/feed/.+\.ics$"))
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the agenda is {width}px wide on a 375px phone"
    phone.emulate_media(media="print")
    expect(phone.locator(".calendar-links")).to_be_hidden()
    expect(phone.locator("#agenda table")).to_be_visible()
