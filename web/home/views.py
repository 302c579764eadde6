"""The home page: the events, with their latest timetables."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from web.db import db
from web.db.models import EventRow
from web.events.store import latest_version, published_version

bp = Blueprint("views", __name__)


@bp.route("/")
def index() -> str:
    """Every event with its participants and the state of its timetable."""
    session = db()
    events = list(session.scalars(select(EventRow).order_by(EventRow.day.desc(), EventRow.id)))
    rows = [(e, latest_version(session, e.id), published_version(session, e.id)) for e in events]
    return render_template("views/index.html", rows=rows)
