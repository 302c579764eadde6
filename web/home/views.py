"""The home page: a logged-in organiser's events, with their latest timetables; nothing about
any event for anyone else."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from web.accounts.access import events_of
from web.accounts.views import safe_next
from web.db import db
from web.events.store import latest_version, published_version
from web.forms import LanguageForm, validate
from web.i18n import remember

bp = Blueprint("views", __name__)


@bp.route("/")
def index() -> str:
    """The organiser's events with their role and the state of their timetables; for anyone
    not logged in, where to log in or to find one's personal link."""
    session = db()
    rows = [] if not current_user.is_authenticated else [
        (e, role, latest_version(session, e.id), published_version(session, e.id))
        for e, role in events_of(session, current_user)]
    return render_template("views/index.html", rows=rows)


@bp.route("/language", methods=["POST"])
def language() -> Response:
    """The language switch of every page: remember the choice and show the same page in it."""
    form, _errors = validate(LanguageForm, request.form.to_dict())
    if form is None:
        abort(400)
    remember(form.lang)
    return redirect(safe_next(form.next))
