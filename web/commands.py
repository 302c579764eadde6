"""Commands: `flask --app web init-db | load-sample | demo-organiser | create-organiser`; the
`matcher create-organiser` and `matcher worker` commands call the functions at the end."""

from __future__ import annotations

import getpass
import secrets
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from matcher.bench.generate import SIZES, generate
from matcher.model.check import BrokenSchedule
from matcher.model.event import Event
from matcher.model.files import BadFile, load_event
from matcher.solve.solver import solve
from web.accounts.access import adopt_unowned
from web.accounts.views import create_organiser, find_organiser
from web.db import engine, new_session
from web.db.models import EventRow, new_nonce
from web.db.schema import upgrade
from web.events.store import add_event, add_version, latest_version, publish

DEMO_EMAIL = "demo@example.com"
MIN_PASSWORD = 8


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(init_db)
    app.cli.add_command(load_sample)
    app.cli.add_command(demo_organiser)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database schema, or upgrade it to the latest."""
    from flask import current_app

    upgrade(engine(current_app))
    click.echo(f"database ready: {current_app.config['DATABASE_URL']}")


def sample_event(path: Path) -> Event:
    """The event file at path, or a generated MiCHK-size event when the file is not there yet."""
    if path.exists():
        try:
            return load_event(path)
        except BadFile as e:  # said as `matcher solve` says it, without a traceback
            raise click.ClickException(str(e)) from None
    click.echo(f"{path} not found: loading a generated MiCHK-size event instead")
    return generate(SIZES["michk"], seed=2023)


@click.command("load-sample")
@with_appcontext
@click.argument("path", type=click.Path(path_type=Path), default=Path("data/michk-2023/event.json"))
@click.option("--time-limit", type=float, default=15.0, help="seconds for the first schedule")
def load_sample(path: Path, time_limit: float) -> None:
    """Load an event file with a generated, published schedule (once: skipped if it is there)."""
    from flask import current_app

    event = sample_event(path)
    with new_session(current_app) as session:
        row = session.scalars(select(EventRow).where(EventRow.name == event.name)).first()
        if row is not None and latest_version(session, row.id) is not None:
            click.echo(f"sample event already loaded: {event.name}")
            return
        if row is None:
            row = add_event(session, event, answers_given=True)
            # The event file has no organiser; the sample's is illustrative, so invites can be tried.
            row.organiser_email, row.organiser_name = SAMPLE_ORGANISER
            session.commit()
        click.echo(f"solving {event.name} ({time_limit:g} s at most) ...")
        schedule = solve(event, time_limit=time_limit, workers=current_app.config["SOLVE_WORKERS"])
        try:
            version = add_version(session, row.id, schedule, event, "generated",
                                  details={"how": "sample", "seconds": round(schedule.seconds, 1)})
        except BrokenSchedule as e:
            raise click.ClickException(f"the sample's schedule breaks the rules, so it was not "
                                       f"stored: {e}") from None
        publish(session, version)
        click.echo(f"loaded {event.name}: {len(schedule.meetings)} meetings, score "
                   f"{schedule.score} (bound {schedule.bound}), published as version 1")


SAMPLE_ORGANISER = ("matching@michk.example.com", "MiCHK 2023 business matching desk")


@click.command("demo-organiser")
@with_appcontext
def demo_organiser() -> None:
    """Create the demo organiser (or give it a new password, which ends its sessions), give it
    the events without owner (the sample event), and print its login."""
    from flask import current_app
    from werkzeug.security import generate_password_hash

    password = secrets.token_urlsafe(9)
    with new_session(current_app) as session:
        organiser = find_organiser(session, DEMO_EMAIL)
        if organiser is None:
            organiser = create_organiser(session, DEMO_EMAIL, password)
        else:
            organiser.password_hash = generate_password_hash(password)
            organiser.session_nonce = new_nonce()
            session.commit()
        adopt_unowned(session, organiser)
    click.echo(f"demo organiser login: {DEMO_EMAIL} / {password}")


def create_organiser_command(email: str, password_from_stdin: bool) -> int:
    """`matcher create-organiser`: create an account (and the schema if needed); an exit code."""
    from web import create_app

    if password_from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 2
    if len(password) < MIN_PASSWORD:
        print(f"error: use a password of at least {MIN_PASSWORD} characters", file=sys.stderr)
        return 2
    app = create_app()
    try:
        upgrade(engine(app))
        with new_session(app) as session:
            if find_organiser(session, email) is not None:
                print(f"error: an organiser with e-mail {email} already exists", file=sys.stderr)
                return 2
            organiser = create_organiser(session, email, password)
            adopted = adopt_unowned(session, organiser)
    finally:
        engine(app).dispose()
    print(f"organiser {organiser.email} created; log in at /login")
    if adopted:
        print(f"{organiser.email} owns the {adopted} event(s) that had no owner")
    return 0


def worker_command(concurrency: int | None) -> int:
    """`matcher worker`: run the queued solves and mailings of the PostgreSQL database of
    DATABASE_URL until SIGTERM or Ctrl-C; an exit code."""
    import asyncio
    import logging

    from web import create_app
    from web.config import env_int

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    if app.config["JOB_QUEUE"] != "postgres":
        print("error: `matcher worker` runs the jobs queued in a PostgreSQL database; set "
              "DATABASE_URL=postgresql://... (with SQLite, or MATCHER_JOBS=inline, the web "
              "processes run the jobs themselves)", file=sys.stderr)
        return 2
    from web.worker.postgres import run_workers

    if asyncio.run(run_workers(app, concurrency or env_int("MATCHER_WORKER_CONCURRENCY", 1))):
        return 0
    print("error: the worker stopped by itself (see the log above); start it again",
          file=sys.stderr)
    return 1
