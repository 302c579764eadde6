"""The whole on PostgreSQL, as it is hosted: two `matcher serve` web servers and two `matcher
worker` processes on loopback, three events generated at once, a worker killed (SIGKILL) in the
middle of a solve, a stop pressed on the other web server, and organisers and 50 participants
using the site for a minute meanwhile. Every job ends in a final state with the right message,
no published version changes, no request fails (no 5xx, no broken connection) and the 99th
percentile answer is under a second (judged when the machine was not already busy). Every wait
has a deadline, so the test ends within about eight minutes at worst (two when all goes well).
It uses only the database of TEST_DATABASE_URL, as its owner (no superuser, no other database),
and is skipped, and said so, without it."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import text
from urllib3.util.retry import Retry

from matcher.bench.generate import SIZES, generate
from matcher.solve.solver import solve
from tests.webapp.conftest import EMAIL, NO_POSTGRES, PASSWORD, POSTGRES, empty_postgres, make_app
from web.accounts.access import add_owner
from web.accounts.views import create_organiser
from web.db import engine, new_session
from web.db.models import ScheduleVersion, SolveJob
from web.events.store import add_event, add_version, event_of, publish, published_version
from web.participants.links import token_for
from web.schedules.jobs import LOST
from web.worker.liveness import STALE_AFTER, SWEEP_EVERY

pytestmark = pytest.mark.skipif(not POSTGRES, reason=NO_POSTGRES)
ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "out" / "system-test.json"
LOAD_SECONDS = 60
SOLVE_SECONDS = 40  # long enough to be running when the worker is killed and the stop pressed
REQUEST_TIMEOUT = 30
SEED_SECONDS = 10  # the published timetables' solves, run before the site is used
P99_MOST = 1.0  # seconds: the promise for 99 answers in 100 under this load
BUSY_LOAD = 2.0  # load average per core above which the machine is too busy to time answers
PARTICIPANTS = 50


class Form(HTMLParser):
    """The fields of the first POST form of a page, as the browser would send them."""

    def __init__(self, action: str, page: str) -> None:
        super().__init__()
        self.action, self.page, self.fields, self.inside, self.select = action, page, [], False, None
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("method") or "").lower() == "post" and (
                (a.get("action") or self.page).split("?")[0].endswith(self.action)):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self.select = [a.get("name"), None, None]
        elif tag == "option" and self.select is not None:
            if self.select[2] is None:
                self.select[2] = a.get("value", "")
            if "selected" in a:
                self.select[1] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self.fields.append((a["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select is not None:
            name, chosen, first = self.select
            self.fields.append((name, chosen if chosen is not None else first or ""))
            self.select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_of(html: str, action: str, page: str) -> list[tuple[str, str]]:
    """The fields of the POST form of a page (at `page`) that posts to `action`."""
    parser = Form(action, page)
    parser.feed(html)
    return parser.fields


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Site:
    """The processes of the deployment and the addresses of its two web servers."""

    env: dict[str, str]
    servers: list[str] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        """A `matcher` command in a process of its own."""
        process = subprocess.Popen([sys.executable, "-m", "matcher.cli", *args], cwd=ROOT,
                                   env=self.env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        self.processes.append(process)
        return process


@pytest.fixture
def site(postgres_url: str, tmp_path: Path) -> Iterator[Site]:
    """Two web servers (two processes each) and two workers on the emptied test database."""
    empty_postgres(postgres_url)
    env = {**os.environ, "DATABASE_URL": postgres_url, "SECRET_KEY": "system-test-secret",
           "MATCHER_INSTANCE": str(tmp_path), "MATCHER_JOBS": "postgres", "SOLVE_WORKERS": "1",
           "SOLVE_TIME_LIMIT_MAX": "120"}
    site = Site(env)
    for _ in range(2):
        port = free_port()
        site.start("serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4")
        site.servers.append(f"http://127.0.0.1:{port}")
    site.workers = [site.start("worker", "--concurrency", "1") for _ in range(2)]
    try:
        for server in site.servers:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{server}/health", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert time.monotonic() < deadline, f"{server} did not come up"
                time.sleep(0.2)
        yield site
    finally:
        for process in site.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in site.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def new_browser() -> requests.Session:
    """A client that, like a browser, sends a GET again when the server closed the kept-alive
    connection just as the request went out (a race of keep-alive, not an error of the app)."""
    browser = requests.Session()
    retry = Retry(total=2, connect=2, read=2, status=0, allowed_methods=frozenset({"GET"}))
    browser.mount("http://", HTTPAdapter(max_retries=retry))
    return browser


def logged_in(server: str) -> requests.Session:
    """An organiser's browser session on one web server."""
    browser = new_browser()
    page = browser.get(f"{server}/login", timeout=REQUEST_TIMEOUT).text
    fields = dict(form_of(page, "/login", "/login")) | {"email": EMAIL, "password": PASSWORD}
    answer = browser.post(f"{server}/login", data=fields, timeout=REQUEST_TIMEOUT,
                          allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    return browser


def press(browser: requests.Session, server: str, page: str, action: str,
          **values: str) -> requests.Response:
    """Submit the form of `page` that posts to `action`, with some fields changed."""
    html = browser.get(server + page, timeout=REQUEST_TIMEOUT).text
    fields = dict(form_of(html, action, page)) | values
    return browser.post(server + action, data=fields, timeout=REQUEST_TIMEOUT,
                        allow_redirects=False)


@dataclass
class Load:
    """Answers of the load: each request's time and status, by kind."""

    times: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, call) -> requests.Response | None:  # type: ignore[no-untyped-def]
        """Make a request, keeping its time and any 5xx or error."""
        start = time.monotonic()
        try:
            response = call()
        except requests.RequestException as e:
            with self.lock:
                self.failures.append(f"{kind}: {e}")
            return None
        with self.lock:
            self.times.append(time.monotonic() - start)
            if response.status_code >= 500:
                self.failures.append(f"{kind}: {response.status_code}")
        return response

    def percentile(self, share: float) -> float:
        """The answer time under which this share of the requests came."""
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def organiser_views(load: Load, server: str, events: list[int], until: float) -> None:
    """An organiser looking at the timetables, again and again."""
    browser = logged_in(server)
    while time.monotonic() < until:
        for event_id in events:
            load.timed("timetable", lambda e=event_id: browser.get(
                f"{server}/events/{e}/schedule", timeout=REQUEST_TIMEOUT))
        time.sleep(0.2)


def participants_saving(load: Load, servers: list[str], links: list[str], until: float) -> None:
    """Participants opening their page and saving their answers, one after the other."""
    browser = new_browser()
    rng = random.Random(len(links))
    while time.monotonic() < until:
        link = rng.choice(links)
        server = rng.choice(servers)
        page = load.timed("form", lambda s=server, link=link: browser.get(
            s + link, timeout=REQUEST_TIMEOUT))
        if page is None or page.status_code != 200:
            continue
        fields = form_of(page.text, link, link)
        load.timed("save", lambda s=server, link=link, f=fields: browser.post(
            s + link, data=f, timeout=REQUEST_TIMEOUT, allow_redirects=False))
        time.sleep(rng.uniform(0.2, 0.6))


def wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    """Poll until the predicate holds, or fail naming what did not happen."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout:g} s"
        time.sleep(0.2)


def test_two_servers_two_workers_a_killed_worker_and_a_minute_of_use(
        site: Site, postgres_url: str) -> None:
    app = make_app(postgres_url, JOB_QUEUE="postgres")
    try:
        run_the_day(site, app)
    finally:
        app.extensions["queue"].close()
        engine(app).dispose()


def run_the_day(site: Site, app) -> None:  # type: ignore[no-untyped-def]
    # Three brokerage events of one organiser, each with a published timetable.
    events, published, links = [], {}, []
    with new_session(app) as session:
        account = create_organiser(session, EMAIL, PASSWORD)
        for seed in (11, 12, 13):
            event = generate(SIZES["brokerage"], seed=seed)
            row = add_event(session, event)
            add_owner(session, row, account)
            session.commit()
            version = add_version(session, row.id, solve(event, time_limit=SEED_SECONDS), event_of(row),
                                  "generated")
            publish(session, version)
            events.append(row.id)
            published[version.id] = (version.schedule, version.published_at)
            with app.test_request_context():
                links += [f"/p/{token_for(p)}" for p in row.participants[:PARTICIPANTS // 3 + 1]]
    links = links[:PARTICIPANTS]
    first, second = site.servers
    organiser = logged_in(first)
    jobs = []
    for event_id in events:
        answer = press(organiser, first, f"/events/{event_id}/schedule",
                       f"/events/{event_id}/generate", time_limit=str(SOLVE_SECONDS),
                       fresh="on")  # a fresh generation after publication: ticked
        queued = re.search(r"/jobs/(\d+)", answer.headers.get("Location", ""))
        assert answer.status_code == 302 and queued, (answer.headers, answer.text[:500])
        jobs.append(int(queued.group(1)))

    def rows() -> dict[int, SolveJob]:
        with new_session(app) as session:
            return {j.id: j for j in session.query(SolveJob).filter(SolveJob.id.in_(jobs))}

    # Two workers of one solve each: two solves run, the third waits for a free worker.
    wait_for(lambda: sum(j.status == "running" for j in rows().values()) == 2, 60,
             "two solves running")
    # Answer times mean something only on a machine this test does not share with other busy
    # work: on one already loaded (a shared developer machine) the figures are written, not
    # judged; CI's machine runs the suite alone.
    before, cores = os.getloadavg()[0], len(os.sched_getaffinity(0))
    judged = before < BUSY_LOAD * cores
    load, until = Load(), time.monotonic() + LOAD_SECONDS
    users = [threading.Thread(target=organiser_views, args=(load, server, events, until))
             for server in site.servers]
    users += [threading.Thread(target=participants_saving,
                               args=(load, site.servers, links[n::8], until)) for n in range(8)]
    for user in users:
        user.start()

    # A worker is killed in the middle of its solve.
    time.sleep(5)
    running = [j for j in rows().values() if j.status == "running"]
    killed, stopped = running
    pid = int(killed.worker.rsplit(":", 1)[1])  # type: ignore[union-attr]
    assert pid in {w.pid for w in site.workers}, killed.worker
    os.kill(pid, signal.SIGKILL)
    # The other solve is stopped from the web server that did not start it.
    time.sleep(3)
    other = logged_in(second)
    page = f"/events/{stopped.event_id}/jobs/{stopped.id}"
    assert press(other, second, page, page + "/stop").status_code == 302
    for user in users:
        user.join(LOAD_SECONDS + 2 * REQUEST_TIMEOUT)
        assert not user.is_alive(), "a user of the load did not stop"

    # The killed worker's solve is failed once its heartbeat is STALE_AFTER old (by the sweep
    # of the surviving worker); the third solve ran there once the stopped one had ended.
    wait_for(lambda: all(j.status not in ("queued", "running") for j in rows().values()),
             STALE_AFTER + 2 * SWEEP_EVERY + SOLVE_SECONDS + 30, "every job ending")
    final = rows()
    (third,) = set(jobs) - {killed.id, stopped.id}
    outcomes = {job_id: (final[job_id].status, final[job_id].message, final[job_id].version_id
                         is not None) for job_id in jobs}
    assert outcomes == {killed.id: ("failed", LOST, False), stopped.id: ("stopped", None, True),
                        third: ("done", None, True)}, outcomes
    # What the organiser reads, on the web server that started none of them.
    for job_id, (status, message, _) in outcomes.items():
        seen = other.get(f"{second}/events/{final[job_id].event_id}/jobs/{job_id}/progress.json",
                         timeout=REQUEST_TIMEOUT).json()
        assert (seen["status"], seen["text"]["message"]) == (status, message or ""), seen
    with new_session(app) as session:
        stopped_version = session.get(ScheduleVersion, final[stopped.id].version_id)
        assert stopped_version.details["stopped"] is True  # type: ignore[union-attr,index]
        for version_id, (schedule, published_at) in published.items():
            version = session.get(ScheduleVersion, version_id)
            assert (version.schedule, version.published_at) == (schedule, published_at)  # type: ignore[union-attr]
        assert {published_version(session, e).id for e in events} == set(published)  # type: ignore[union-attr]
    # procrastinate's own record of the killed job is closed by the surviving worker's sweep.
    wait_for(lambda: queue_jobs(app, "doing") == 0, STALE_AFTER + 2 * SWEEP_EVERY,
             "the queue closing the killed worker's job")

    figures = {"requests": len(load.times), "failures": len(load.failures),
               "p50": round(load.percentile(0.50), 3), "p95": round(load.percentile(0.95), 3),
               "p99": round(load.percentile(0.99), 3), "max": round(max(load.times), 3),
               "seconds": LOAD_SECONDS, "load_average_before": round(before, 2),
               "cores": cores, "p99_judged": judged}
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(figures, indent=2))
    print("load:", figures)
    assert load.failures == [], load.failures[:10]
    assert len(load.times) > LOAD_SECONDS * 10, figures  # the load did happen
    if judged:
        assert figures["p99"] < P99_MOST, figures
    else:
        print(f"p99 not judged: the machine was busy before the test (load average "
              f"{before:.1f} on {cores} cores)")


def queue_jobs(app, status: str) -> int:  # type: ignore[no-untyped-def]
    """How many of procrastinate's jobs are in this state."""
    with new_session(app) as session:
        return int(session.execute(text(
            "SELECT count(*) FROM procrastinate_jobs WHERE status = :status"),
            {"status": status}).scalar_one())
