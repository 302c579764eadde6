"""Organiser pages of an event: its settings, its participants with their links, its file."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from pydantic_core import ErrorDetails
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from matcher.model.messages import sentence
from web.accounts.access import add_owner, can, current_event, requires
from web.accounts.views import organisers_only
from web.db import T, db, get
from web.db.models import EventRow, Participant
from web.events import fields, halls
from web.events.slots import make_slots, renamed, sessions_text
from web.events.store import (
    described,
    errors_of,
    event_data,
    impossible_of,
    new_event,
    problems_of,
)
from web.forms import EventForm, FormsSwitch, validate
from web.i18n import joined
from web.participants.links import link_for
from web.publishing import mailings

bp = Blueprint("events", __name__, url_prefix="/events")
STALE = lazy_gettext("This page was changed by someone else since you opened it; your change "
                     "was not saved. Reload the page and make it again.")


organisers_only(bp)


def form_values(row: EventRow) -> dict[str, Any]:
    """An event's settings as the form shows them."""
    return {"name": row.name, "venue": row.venue or "", "timezone": row.timezone,
            "day": row.day.isoformat(), "meeting_minutes": row.meeting_minutes,
            "changeover_minutes": row.changeover_minutes,
            "sessions": sessions_text(row.sessions), "tables": ", ".join(row.tables),
            "fields": fields.lines_of(row.fields, row.field_names or {}),
            "form_open": row.form_open,
            "score_loss_percent": f"{100 * (row.max_score_loss or 0):g}",
            "halls": halls.text_of(row.halls or [], row.tables),
            "organiser_email": row.organiser_email or "", "organiser_name": row.organiser_name or "",
            "version": row.version if row.id else ""}


def apply(form: EventForm, row: EventRow) -> list[str]:
    """Copy the validated settings onto the event and make its slots; the participants'
    unavailable slots and the pins move with their times (and go when their time is gone).
    What is wrong with the halls as written, if anything."""
    row.name, row.venue, row.timezone, row.day = form.name, form.venue, form.timezone, form.day
    row.meeting_minutes, row.changeover_minutes = form.meeting_minutes, form.changeover_minutes
    row.sessions = [[f"{a:%H:%M}", f"{b:%H:%M}"] for a, b in form.sessions]
    old, row.slots = row.slots, make_slots(form.day, form.sessions, form.meeting_minutes,
                                           form.changeover_minutes)
    row.fields, row.field_names = fields.resolve(form.fields, row.fields, row.field_names or {},
                                                 fields_in_use(row))
    row.tables, row.form_open = form.tables, form.form_open
    row.max_score_loss = round(form.score_loss_percent / 100, 6)
    row.organiser_email, row.organiser_name = form.organiser_email, form.organiser_name
    rename = renamed(old, row.slots)
    for p in row.participants:
        unavailable = [rename[s] for s in p.unavailable if s in rename]
        if unavailable != p.unavailable:
            p.unavailable = unavailable
    row.pinned = [pin | {"slot": rename[pin["slot"]]} for pin in row.pinned
                  if pin["slot"] in rename]
    row.halls, problems = halls.parse(form.halls, row.tables)
    return problems


def fields_in_use(row: EventRow) -> set[str]:
    """The fields that startups have or investors rated."""
    return {p.field for p in row.participants if p.field} | {
        f for p in row.participants for f in p.interests}


def save_settings(row: EventRow) -> tuple[dict[str, str], bool]:
    """Validate the posted settings and save them; (errors, saved)."""
    form, errors = validate(EventForm, request.form.to_dict())
    if form is None:
        return errors, False
    if row.id is not None and form.version != row.version:
        return {"": str(STALE)}, False
    hall_problems = apply(form, row)
    if hall_problems:
        db().rollback()
        return {"halls": " ".join(hall_problems)}, False
    data, problems = errors_of(row)
    if problems:
        db().rollback()
        return settings_errors(data, problems), False
    if row.id is None:  # a new event: its creator owns it
        db().add(row)
        db().flush()
        add_owner(db(), row, current_user)
    try:
        db().commit()
    except StaleDataError:
        db().rollback()
        return {"": str(STALE)}, False
    return {}, True


def settings_errors(data: dict[str, Any], problems: list[ErrorDetails]) -> dict[str, str]:
    """The event's problems after applying the settings: next to the setting they concern
    (tables, fields, ...), and the others, which concern participants, above the form."""
    errors: dict[str, str] = {}
    others = []
    for error in problems:
        key = str(error["loc"][0]) if error["loc"] else ""
        if key in EventForm.model_fields and len(error["loc"]) <= 2:
            errors.setdefault(key, sentence(error, _))
        else:
            others.append(described(data, error))
    if others:
        errors[""] = _("These settings do not fit the event's participants: %(problems)s",
                       problems=joined(others))
    return errors


@bp.route("/new", methods=["GET", "POST"])
def create() -> str | Response:
    """Create an event."""
    row = new_event(date.today(), organiser_email=current_user.email)
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors, saved = save_settings(row)
        if saved:
            flash(_("Event %(event)s created with %(slots)s slots.", event=row.name,
                    slots=len(row.slots)))
            return redirect(url_for("events.show", event_id=row.id))
    values = request.form if request.method == "POST" else form_values(row)
    return render_template("events/edit.html", row=None, values=values, errors=errors)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@requires("edit")
def edit(event_id: int) -> str | Response:
    """Change an event's settings."""
    row = current_event(event_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors, saved = save_settings(row)
        if saved:
            flash(_("Settings saved: %(slots)s slots, %(tables)s tables.", slots=len(row.slots),
                    tables=len(row.tables)))
            return redirect(url_for("events.show", event_id=row.id))
        row = current_event(event_id)
    values = request.form if request.method == "POST" else form_values(row)
    return render_template("events/edit.html", row=row, values=values, errors=errors)


def participant_counts(row: EventRow) -> tuple[int, int, int]:
    """Startups, investors, and participants who have answered."""
    startups = sum(p.kind == "startup" for p in row.participants)
    answered = sum(p.answered_at is not None for p in row.participants)
    return startups, len(row.participants) - startups, answered


@bp.route("/<int:event_id>")
@requires("read")
def show(event_id: int) -> str:
    """The event: its slots, participants with their links and answers, and its problems."""
    row = current_event(event_id)
    # A personal link lets its holder change the participant's answers: not for viewers.
    links = {p.id: link_for(p) for p in row.participants} if can("edit") else {}
    answered = sum(p.answered_at is not None for p in row.participants)
    return render_template("events/show.html", row=row, links=links, answered=answered,
                           problems=problems_of(row), impossible=impossible_of(row),
                           mail_problem=mailings.mail_problem(row),
                           link_mailings=mailings.mailings(db(), row.id, "links"),
                           without_address=[p for p in row.participants if not p.email])


@bp.route("/<int:event_id>/form", methods=["POST"])
@requires("edit")
def toggle_form(event_id: int) -> Response:
    """Open or close the participants' forms."""
    row = current_event(event_id)
    form, _errors = validate(FormsSwitch, request.form.to_dict())
    if form is None:
        abort(400)
    row.form_open = form.open == "1"
    db().commit()
    flash(_("The participants' forms are open.") if row.form_open else
          _("The participants' forms are closed: answers can no longer be changed."))
    return redirect(url_for("events.show", event_id=event_id))


def of_event(row: EventRow, model: type[T], ident: int) -> T:
    """A row of this event (a participant, a job, a mailing) by its id, or 404."""
    found = get(model, ident)
    if found is None or getattr(found, "event_id", None) != row.id:
        abort(404)
    return found


def get_participant(row: EventRow, participant_id: int) -> Participant:
    """A participant of this event, or 404."""
    return of_event(row, Participant, participant_id)


@bp.route("/<int:event_id>/event.json")
@requires("read")
def export_event(event_id: int) -> Response:
    """The event file (format 1), as `matcher solve` reads it."""
    import json

    row = current_event(event_id)
    return Response(json.dumps(event_data(row), indent=2, ensure_ascii=False),
                    mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=event-{row.id}.json"})
