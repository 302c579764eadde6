"""Organiser pages of the day itself: the check-in desk (search, one tap to mark arrival, a
scanned QR code of a personal link), an absent participant re-planned out of the rest of the
day, and the dashboard of arrivals, meetings, no-shows and ratings."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from web.accounts.access import current_event, requires
from web.accounts.views import organisers_only
from web.db import db
from web.db.models import EventRow, Participant
from web.events.slots import current_slot
from web.events.store import (
    latest_version,
    problems_of,
    published_version,
    schedule_of,
    snapshot_of,
)
from web.events.views import get_participant
from web.exports import csv_response
from web.forms import PresenceForm, ScanForm, validate
from web.i18n import joined
from web.onsite.attendance import DeskLine, desk, excuse, mark, presences
from web.onsite.outcomes import CHOICES, outcomes, tally
from web.participants.links import participant_for
from web.publishing.diffs import per_person
from web.schedules import jobs
from web.security import PERMISSIONS, talisman

SEARCH_MAX = 200  # characters of the desk's search: a name and an organisation fit
bp = Blueprint("onsite", __name__, url_prefix="/events/<int:event_id>")


organisers_only(bp)


def published(row: EventRow) -> tuple[Any, Any] | None:
    """The published version's event and schedule, or None."""
    version = published_version(db(), row.id)
    return None if version is None else (snapshot_of(version), schedule_of(version))


def said(p: Participant, status: str | None) -> str:
    """The desk's confirmation of a change."""
    if status == "arrived":
        return _("%(name)s has arrived.", name=p.name)
    if status == "absent":
        return _("%(name)s is marked absent.", name=p.name)
    return _("%(name)s is no longer marked.", name=p.name)


def replan_offer(row: EventRow) -> dict[str, Any] | None:
    """A re-planned draft newer than the published version, with the people it affects, for
    the desk to publish and notify in one click; None when there is none."""
    version, live = latest_version(db(), row.id), published_version(db(), row.id)
    if version is None or live is None or version.id == live.id or version.published_at:
        return None
    if version.origin != "replanned":
        return None
    _diff, people = per_person(snapshot_of(live), schedule_of(live), snapshot_of(version),
                               schedule_of(version))
    return {"version": version, "people": people}


@bp.route("/checkin")
@requires("read")
@talisman(permissions_policy=PERMISSIONS | {"camera": "(self)"})  # the QR scanner, here only
def checkin(event_id: int) -> str:
    """The check-in desk: everyone by name with their presence and next meeting."""
    row = current_event(event_id)
    lines = desk(db(), row, published(row))
    query = search_of(request.args)
    words = query.casefold().split()  # the search without the page's script
    lines = [line for line in lines if all(word in searchable(line) for word in words)]
    counts = {status: sum(line.status == status for line in lines)
              for status in ("arrived", "absent")}
    return render_template("onsite/checkin.html", row=row, lines=lines, query=query,
                           counts=counts, searchable=searchable, job=jobs.active_job(db(), row.id),
                           offer=replan_offer(row), has_published=published(row) is not None)


def search_of(values: Any) -> str:
    """The desk's search words, as typed (at most SEARCH_MAX characters: the desk repeats them in
    the address it goes back to)."""
    return str(values.get("q", "")).strip()[:SEARCH_MAX]


def searchable(line: DeskLine) -> str:
    """What the desk's search looks in: name, organisation and id, folded."""
    p = line.participant
    return " ".join(filter(None, (p.name, p.organisation, p.code, p.email))).casefold()


def back(row: EventRow, participant: Participant | None = None) -> Response:
    """To the desk again, keeping its search, at the participant's line."""
    query = search_of(request.form) or None
    anchor = f"#p{participant.id}" if participant is not None else ""
    return redirect(url_for("onsite.checkin", event_id=row.id, q=query) + anchor)


@bp.route("/checkin/<int:participant_id>", methods=["POST"])
@requires("edit")
def presence(event_id: int, participant_id: int) -> Response:
    """Mark a participant arrived or absent, or clear the mark."""
    row = current_event(event_id)
    participant = get_participant(row, participant_id)
    form, _errors = validate(PresenceForm, request.form.to_dict())
    if form is None:
        abort(400)
    mark(db(), participant, form.status or None, current_user.id)
    flash(said(participant, form.status or None))
    return back(row, participant)


def token_in(link: str) -> str | None:
    """The token of a personal link (https://host/p/<token>), or None for anything else."""
    parts = [part for part in urlsplit(link.strip()).path.split("/") if part]
    return parts[1] if len(parts) == 2 and parts[0] == "p" else None


@bp.route("/checkin/scan", methods=["POST"])
@requires("edit")
def scan(event_id: int) -> Response:
    """Mark arrived the participant whose personal link the desk's camera read."""
    row = current_event(event_id)
    form, _errors = validate(ScanForm, request.form.to_dict())
    token = token_in(form.link) if form is not None else None
    participant = participant_for(db(), token) if token else None
    if participant is None or participant.event_id != row.id:
        flash(_("This code is not a personal link of this event (or the link was replaced): "
                "search for the name instead."), "error")
        return back(row)
    mark(db(), participant, "arrived", current_user.id)
    flash(said(participant, "arrived"))
    return back(row, participant)


@bp.route("/checkin/<int:participant_id>/replan", methods=["POST"])
@requires("edit")
def replan_without(event_id: int, participant_id: int) -> Response:
    """Take an absent participant out of the rest of the day and re-plan the published
    timetable from now without them; the new version is a draft to publish with its changes."""
    row = current_event(event_id)
    participant = get_participant(row, participant_id)
    live = published_version(db(), row.id)
    marked = presences(db(), row.id).get(participant.id)
    if live is None or marked is None or marked.status != "absent":
        flash(_("Only a participant marked absent can be re-planned out, once a timetable is "
                "published."), "error")
        return back(row, participant)
    now_slot = current_slot(row.slots, row.timezone)
    excuse(row, participant, now_slot, schedule_of(live))
    problems = problems_of(row)
    if problems:
        db().rollback()
        flash(_("Not re-planned: %(problems)s", problems=joined(problems)), "error")
        return back(row, participant)
    db().commit()
    job, new = jobs.start(current_app, db(), row, current_app.config["SOLVE_TIME_LIMIT"],
                          base=live, now_slot=now_slot)
    flash(_("Re-planning without %(name)s from now on; then publish the new version to e-mail "
            "the people it affects.", name=participant.name) if new else
          _("A generation of this event is already running; here is its progress."))
    return redirect(url_for("schedules.job", event_id=row.id, job_id=job.id))


@bp.route("/dashboard")
@requires("read")
def dashboard(event_id: int) -> str:
    """Arrivals, meetings held and not, no-shows and ratings, as numbers and bars."""
    row = current_event(event_id)
    pair = published(row)
    found = outcomes(db(), row.id, *pair) if pair else []
    return render_template("onsite/dashboard.html", row=row, published=pair is not None,
                           tally=tally(row.participants, presences(db(), row.id), found),
                           outcomes=found, choices=CHOICES)


OUTCOME_COLUMNS = ("slot", "start", "end", "table", "startup_id", "startup", "investor_id",
                   "investor", "organisation", "startup_presence", "investor_presence",
                   "startup_answer", "investor_answer", "outcome", "no_show_reported_by", "uid")


@bp.route("/outcomes.csv")
@requires("read")
def export(event_id: int) -> Response:
    """Every published meeting with its parties' presence and answers, as a CSV table (text
    that a spreadsheet would run as a formula is written as text)."""
    row = current_event(event_id)
    pair = published(row)
    if pair is None:
        abort(404)
    rows = [OUTCOME_COLUMNS]
    for o in outcomes(db(), row.id, *pair):
        e, s, i = o.entry, o.entry.startup.id, o.entry.investor.id
        rows.append((e.slot.id, e.slot.start.isoformat(timespec="minutes"),
                     e.slot.end.isoformat(timespec="minutes"), e.meeting.table, s, e.startup.name,
                     i, e.investor.name, e.investor.organisation or "", o.presence[s] or "",
                     o.presence[i] or "", o.answers.get(s, ""), o.answers.get(i, ""),
                     o.verdict if o.ended else "upcoming",
                     " ".join(who for who, a in o.answers.items() if a == "no_show"), e.meeting.uid))
    return csv_response(rows, f"outcomes-{row.id}.csv")
