"""The database: one engine per app, one session per request (or per worker job)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """The declarative base of every table."""


T = TypeVar("T", bound=Base)


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets a lock wait and write-ahead logging so the solver's worker thread
    and requests can write at the same time."""
    if not url.startswith("sqlite"):
        # A database that does not answer fails a request (and the health check) in seconds
        # instead of holding it until the proxy gives up.
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:  # the DB-API's connection
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if ":memory:" not in url:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory; close the request's session at teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db"] = sessionmaker(engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _close(_error: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()


def engine(app: Flask | None = None) -> Engine:
    """The app's engine."""
    factory: sessionmaker = (app or current_app).extensions["db"]
    return factory.kw["bind"]


def db() -> Session:
    """The session of the current request."""
    if "db" not in g:
        g.db = current_app.extensions["db"]()
    return g.db


MAX_ID = 2**31 - 1  # ids are 32-bit integers in every database we support


def get(model: type[T], ident: int) -> T | None:
    """A row by primary key in the request's session; None also for ids no row can have."""
    if not 1 <= ident <= MAX_ID:
        return None
    return db().get(model, ident)


@contextmanager
def new_session(app: Flask) -> Iterator[Session]:
    """A session of its own, for work outside a request (the solver's worker, commands)."""
    session: Session = app.extensions["db"]()
    try:
        yield session
    finally:
        session.close()
