"""Fixtures of the web tests: an app on a throwaway database, its client and CLI runner, an
organiser who can log in, small generated events, and a real SMTP server on loopback.

Every test that uses the app runs twice: on SQLite, and on the PostgreSQL of TEST_DATABASE_URL
with its job queue and a `matcher worker` running in a thread (skipped, and said so in the
summary, without TEST_DATABASE_URL). Both databases get their schema once per test session;
each test starts from a copy (SQLite) or emptied tables (PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask, Response, session
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel.speaklater import LazyString
from sqlalchemy import create_engine, text
from werkzeug.test import TestResponse

from matcher.bench.generate import Size
from matcher.bench.generate import generate as generate_event
from matcher.model.event import Event
from tests.loopback_smtp import Inbox, smtp_server
from web import create_app
from web.accounts.access import add_owner
from web.accounts.views import create_organiser, find_organiser, new_api_token
from web.config import TestConfig
from web.db import engine, new_session
from web.db.models import EventRow, Mailing, ScheduleVersion, SolveJob
from web.db.schema import upgrade
from web.events.store import add_event

TINY = Size("tiny", 4, 8, 6, 4)
PASSWORD = "organiser-password"
EMAIL = "org@example.com"
POSTGRES = os.environ.get("TEST_DATABASE_URL")
NO_POSTGRES = "PostgreSQL not tested: TEST_DATABASE_URL is not set (.ci/run sets it)"
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES, reason=NO_POSTGRES))]
# For tests of the browser's side only, where the database adds nothing but time.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def tiny_event(seed: int = 1) -> Event:
    """A small generated event that solves in well under a second."""
    return generate_event(TINY, seed=seed)


def fresh_postgres(url: str) -> str:
    """The test PostgreSQL database, emptied and given the schema."""
    from web.config import database_url

    url = database_url(url)
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(admin)
    admin.dispose()
    return url


def empty_postgres(url: str) -> None:
    """Delete every row but the schema's version, and restart the ids."""
    admin = create_engine(url)
    with admin.begin() as connection:
        tables = connection.scalars(text(
            "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'alembic_version'")).all()
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL of TEST_DATABASE_URL with the schema, set up once."""
    return fresh_postgres(POSTGRES)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the schema, made once, for each test to copy."""
    path = tmp_path_factory.mktemp("schema") / "template.sqlite"
    template = create_engine(f"sqlite:///{path}")
    upgrade(template)
    template.dispose()
    return path


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with the schema and no rows: SQLite in a temporary file, or the PostgreSQL
    of TEST_DATABASE_URL."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        empty_postgres(url)
        return url
    path = tmp_path / "test.sqlite"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture(params=DATABASES)
def blank_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database without any schema, for tests of the migrations themselves (PostgreSQL's
    shared schema is rebuilt afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.sqlite'}"
        return
    url: str = request.getfixturevalue("postgres_url")
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    admin.dispose()
    yield url
    fresh_postgres(url)


@contextmanager
def worker_thread(app: Flask) -> Iterator[None]:
    """`matcher worker` for the app's PostgreSQL queue, in a thread of the test process."""
    from web.worker.postgres import run_workers

    started = threading.Event()
    state: dict[str, object] = {}

    async def main() -> None:
        state["loop"], state["stop"] = asyncio.get_running_loop(), asyncio.Event()
        started.set()
        await run_workers(app, 1, state["stop"])  # type: ignore[arg-type]

    thread = threading.Thread(target=asyncio.run, args=(main(),), name="test-worker")
    thread.start()
    started.wait(10)
    try:
        yield
    finally:
        state["loop"].call_soon_threadsafe(state["stop"].set)  # type: ignore[attr-defined]
        thread.join(30)


def make_app(db_url: str, **settings: object) -> Flask:
    """An app of the test settings on a database (a web process of its own, as far as the
    database can tell)."""
    base = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app(base | {"DATABASE_URL": db_url} | settings)
    refuse_lazy_strings(app)
    upgrade(engine(app))
    return app


@pytest.fixture
def other_process(app: Flask, db_url: str) -> Iterator[Flask]:
    """A second app on the same database and queue: another web process."""
    other = make_app(db_url, JOB_QUEUE=app.config["JOB_QUEUE"])
    yield other
    other.extensions["queue"].close()
    engine(other).dispose()


class LazyStringLeak(AssertionError):
    """A lazy string reached a flash message or a JSON body without being made a str."""


def refuse_lazy_strings(app: Flask) -> None:
    """Make every test fail that flashes a lazy string (the session would keep it as markup,
    shown unescaped) or puts one in JSON (it would be translated at whatever moment the body is
    written, not in the request's language): both must get str() first."""
    lenient = app.json.default  # type: ignore[attr-defined]

    def strict(value: object) -> object:
        if isinstance(value, LazyString):
            raise LazyStringLeak(f"lazy string {value!r} in a JSON body")
        return lenient(value)

    app.json.default = strict  # type: ignore[attr-defined]

    @app.after_request
    def _flashed_plain(response: Response) -> Response:
        for _category, message in session.get("_flashes", []):
            if type(message) is not str:
                raise LazyStringLeak(f"flashed {type(message).__name__} {message!r}")
        return response


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    """An app with the schema, refusing lazy strings where they must not go; on PostgreSQL
    with a worker of its job queue running."""
    app = make_app(db_url)
    with worker_thread(app) if app.config["JOB_QUEUE"] == "postgres" else nullcontext():
        yield app
    app.extensions["queue"].close()
    engine(app).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A runner of the app's commands."""
    return app.test_cli_runner()


@pytest.fixture
def organiser(app: Flask) -> str:
    """An organiser account; its API token."""
    with new_session(app) as session:
        account = create_organiser(session, EMAIL, PASSWORD)
        return new_api_token(session, account)


class AuthActions:
    """Log the test client in and out."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str = EMAIL, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):  # type: ignore[no-untyped-def]
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient, organiser: str) -> AuthActions:
    """Log-in helper (the organiser exists)."""
    return AuthActions(client)


def owned_event(app: Flask, event: Event, email: str = EMAIL) -> int:
    """Store an event owned by the account of `email`; its id."""
    with new_session(app) as session:
        row = add_event(session, event)
        owner = find_organiser(session, email)
        assert owner is not None, f"no account {email}"
        add_owner(session, row, owner)
        session.commit()
        return row.id


@pytest.fixture
def event_id(app: Flask, organiser: str) -> int:
    """A stored tiny event owned by the organiser, no timetable yet."""
    return owned_event(app, tiny_event())


def wait_for_job(app: Flask, job_id: int, timeout: float = 30.0) -> SolveJob:
    """The job once it has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with new_session(app) as session:
            job = session.get(SolveJob, job_id)
            if job is not None and job.status not in ("queued", "running"):
                return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def wait_for_mailing(app: Flask, mailing_id: int, timeout: float = 30.0) -> Mailing:
    """The mailing once it has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with new_session(app) as session:
            mailing = session.get(Mailing, mailing_id)
            if mailing is not None and not mailing.active:
                return mailing
        time.sleep(0.05)
    raise AssertionError(f"mailing {mailing_id} did not finish in {timeout} s")


def queued_job(response: TestResponse) -> int:
    """The id of the job a generate or re-plan form queued (it redirects to its page)."""
    assert response.status_code == 302, response.get_data(as_text=True)
    path = urlsplit(response.headers["Location"]).path
    assert "/jobs/" in path, path
    return int(path.rsplit("/", 1)[1])


def finished_version(app: Flask, response: TestResponse) -> ScheduleVersion:
    """The version made by the job a generate or re-plan form queued (it redirects to it)."""
    job_id = queued_job(response)
    job = wait_for_job(app, job_id)
    assert job.status == "done", job.words
    with new_session(app) as session:
        version = session.get(ScheduleVersion, job.version_id)
        assert version is not None
        return version


# The time limit of the helpers' solves: a small event is solved (and proven) in well under a
# second, and ends then; the limit only matters on a machine busy with other work, where a solve
# given too little time fails for want of it.
QUICK = "5"


def generate(client: FlaskClient, app: Flask, event_id: int) -> ScheduleVersion:
    """Press generate (after publication: start afresh, the box ticked), wait for the job, and
    return the version it made."""
    return finished_version(app, client.post(f"/events/{event_id}/generate",
                                             data={"time_limit": QUICK, "fresh": "on"}))


def replan(client: FlaskClient, app: Flask, event_id: int, now: str) -> ScheduleVersion:
    """Press re-plan from a slot, wait for the job, and return the version it made."""
    return finished_version(app, client.post(f"/events/{event_id}/replan",
                                             data={"time_limit": QUICK, "now": now}))


@pytest.fixture
def version(client: FlaskClient, auth: AuthActions, app: Flask, event_id: int) -> ScheduleVersion:
    """The first generated version of the tiny event, the organiser logged in."""
    auth.login()
    return generate(client, app, event_id)


ORGANISER_ADDRESS = "events@example.org"


def give_addresses(app: Flask, event_id: int, without: tuple[str, ...] = ("inv-008",)) -> None:
    """Every participant but those named an address <id>@example.com; the event an organiser."""
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        assert row is not None
        row.organiser_email, row.organiser_name = ORGANISER_ADDRESS, "Demo Day Office"
        for p in row.participants:
            p.email = None if p.code in without else f"{p.code}@example.com"
        session.commit()


@pytest.fixture
def mail_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server on loopback, with MATCHER_SMTP_* pointing at it; what it received."""
    inbox = Inbox()
    with smtp_server(inbox) as port:
        monkeypatch.setenv("MATCHER_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("MATCHER_SMTP_PORT", str(port))
        monkeypatch.setenv("MATCHER_SMTP_SECURITY", "none")
        yield inbox


@pytest.fixture
def no_mail_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """No MATCHER_SMTP_HOST, whatever the environment of the test run."""
    monkeypatch.delenv("MATCHER_SMTP_HOST", raising=False)


def event_row(app: Flask, event_id: int) -> EventRow:
    """A fresh copy of a stored event, participants loaded."""
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        assert row is not None
        _ = row.participants
        return row


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served on loopback by a real HTTP server in a thread; its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
@pytest.fixture
def new_page(browser, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A factory of pages, each in its own browser context (its own cookies); every page is
    saved as a screenshot in out/screenshots/ when the test fails."""
    contexts = []

    def make(name: str, **options: object):  # type: ignore[no-untyped-def]
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        page = context.new_page()
        contexts.append((name, context, page))
        return page

    yield make
    report = getattr(request.node, "report_call", None)
    for name, context, page in contexts:
        if report is not None and report.failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{name}.png"),
                            full_page=True)
        context.close()
