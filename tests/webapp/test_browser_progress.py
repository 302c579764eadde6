"""A generation's live progress in a real browser: the stage, best score, proven bound, gap,
breaks and elapsed time move while the solver runs, the page goes to the new timetable when it
is done, and the stop button stops it early with the best timetable found."""

from __future__ import annotations

import re
import time

from flask import Flask
from playwright.sync_api import expect

from matcher.bench.generate import SIZES, generate
from tests.webapp.conftest import SCREENSHOTS, SQLITE_ONLY, owned_event
from tests.webapp.test_browser import log_in

pytestmark = SQLITE_ONLY
DASH = "–"


def big_event(app: Flask) -> int:
    """A brokerage-size event of the organiser: its solve runs until the time limit."""
    app.config["SOLVE_TIME_LIMIT_MAX"] = 60
    return owned_event(app, generate(SIZES["brokerage"], seed=5))


def start_generating(page, base: str, event_id: int, seconds: int) -> None:  # type: ignore[no-untyped-def]
    """The organiser presses generate with a time limit, and lands on the progress page."""
    page.goto(f"{base}/events/{event_id}/schedule")
    page.get_by_label("Time limit (seconds)").fill(str(seconds))
    page.get_by_role("button", name="Generate the timetable").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+\?started=1$"))


def figures(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What the progress page shows now, by figure."""
    return page.locator("#job [data-key]").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.key, e.textContent]))")


def test_progress_moves_while_solving_and_ends_on_the_timetable(
        app: Flask, live_server: str, organiser: str, new_page) -> None:  # type: ignore[no-untyped-def]
    event_id = big_event(app)
    page = new_page("organiser")
    log_in(page, live_server)
    # Time enough for a timetable even on a busy machine (the page is watched until it ends).
    start_generating(page, live_server, event_id, 20)
    seen: list[dict[str, str]] = []
    deadline = time.monotonic() + 90
    while "/jobs/" in page.url and time.monotonic() < deadline:
        try:
            now = figures(page)
        except Exception:  # noqa: BLE001  (the page went to the timetable meanwhile)
            break
        if not now:  # the timetable's page, read between the address check and the look
            break
        seen.append(now)
        if len(seen) == 12:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "progress-desktop.png"), full_page=True)
        time.sleep(0.5)
    expect(page).to_have_url(re.compile(r"/schedule\?version=1#grid$"), timeout=30_000)
    expect(page.get_by_text("generated in").first).to_be_visible()

    running = [f for f in seen if f["status"] == "Running"]
    assert running, seen
    # The score, its bound and the gap come as soon as the pairs are chosen, and the breaks
    # while the meetings are timed: not a dash throughout.
    timing = [f for f in running if f["stage"].startswith("Timing the meetings")]
    assert timing, [f["stage"] for f in running]
    assert all(DASH not in (f["score"], f["bound"], f["gap"]) for f in timing)
    assert any(f["breaks"] != DASH for f in timing)
    # The elapsed time keeps moving (the page polls each second; looks come twice a second).
    elapsed = [f["elapsed"] for f in running]
    assert len(set(elapsed)) >= len(elapsed) / 6, elapsed


def test_the_stop_button_stops_and_keeps_the_best_found(
        app: Flask, live_server: str, organiser: str, new_page) -> None:  # type: ignore[no-untyped-def]
    event_id = big_event(app)
    page = new_page("organiser", viewport={"width": 390, "height": 844}, is_mobile=True,
                    has_touch=True)
    log_in(page, live_server)
    start_generating(page, live_server, event_id, 60)
    expect(page.locator("[data-key=stage]")).to_contain_text("Timing the meetings",
                                                            timeout=30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "progress-phone.png"), full_page=True)
    page.get_by_role("button", name="Stop and keep the best found").click()
    expect(page).to_have_url(re.compile(r"/schedule\?version=1#grid$"), timeout=20_000)
    expect(page.get_by_text("stopped early").first).to_be_visible()
