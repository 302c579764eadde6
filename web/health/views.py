"""`GET /health`: 200 when the app can serve, 503 when its database cannot be used, for load
balancers and monitors. It tells nothing about events, needs no login and is not redirected to
https; like every page it answers only to a trusted Host (see docs/hosting.md)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from web.db import engine
from web.db.schema import current, head
from web.security import talisman

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def database_problem() -> str | None:
    """Why the database cannot be used, or None: it answers and its schema is this code's."""
    needed = current_app.extensions.setdefault("schema_head", head())
    try:
        with engine().connect() as connection:
            connection.execute(text("SELECT 1"))
            found = current(connection)
    except SQLAlchemyError:
        # The details (host, user) go to the log only: this page is public.
        log.exception("health check: the database does not answer")
        return "the database does not answer"
    if found != needed:
        return f"the database schema is at {found or 'nothing'}, this code needs {needed}: " \
               "run `flask --app web init-db`"
    return None


@bp.route("/health")
@talisman(force_https=False)  # load balancers probe web processes over plain http
def health() -> tuple[Response, int]:
    """Whether the app and its database work: 200 {"status": "ok"} or 503 with the reason."""
    problem = database_problem()
    body = {"status": "ok"} if problem is None else {"status": "unavailable", "reason": problem}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if problem is None else 503
