"""Organiser pages of a timetable: generate or re-plan with live progress, view the grid and
agendas, pin and move meetings, export."""

from __future__ import annotations

from typing import Any, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, lazy_gettext
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from matcher.model.check import violations
from matcher.model.event import Event
from matcher.model.instance import Instance, PairKey
from matcher.model.schedule import Meeting
from web.accounts.access import can, current_event, requires
from web.accounts.views import organisers_only
from web.cache import event_stamp, kept
from web.db import MAX_ID, db
from web.db.models import EventRow, ScheduleVersion, SolveJob
from web.events.slots import current_slot
from web.events.store import (
    Checked,
    add_version,
    checked,
    event_data,
    event_of,
    latest_version,
    previous_published,
    problems_of,
    published_version,
    schedule_of,
    snapshot_of,
    version_query,
    versions,
)
from web.events.views import of_event
from web.forms import GenerateForm, MoveForm, PinForm, ReplanForm, SwapForm, validate
from web.i18n import current_language, joined
from web.publishing import mailings
from web.publishing.invites import event_calendar, ics_response
from web.schedules import jobs
from web.schedules.drift import changes_since
from web.schedules.editing import (
    Board,
    NotInSchedule,
    broken_around,
    find,
    new_problems,
    placed,
)
from web.schedules.layout import chosen, layout
from web.schedules.refusals import sentences
from web.schedules.spread import spread
from web.schedules.timetable import schedule_csv, unmet_wishes
from web.schedules.versions import story
from web.wording import Names

bp = Blueprint("schedules", __name__, url_prefix="/events/<int:event_id>")


organisers_only(bp)


def get_version(row: EventRow, number: int | None) -> ScheduleVersion | None:
    """A version by number (404 if there is none), or the latest when no number is given."""
    if number is None:
        return latest_version(db(), row.id, light=True)
    # A number no version can have is not looked up (PostgreSQL refuses it as an integer).
    version = db().scalars(version_query(True).where(
        ScheduleVersion.event_id == row.id, ScheduleVersion.number == number)).first() \
        if 1 <= number <= MAX_ID else None
    if version is None:
        abort(404)
    return version


def pinned_pairs(row: EventRow) -> set[tuple[str, str]]:
    """The pairs the organiser pinned."""
    return {(p["startup"], p["investor"]) for p in row.pinned}


def job_json(job: SolveJob) -> dict[str, Any]:
    """A job's progress, as the progress page and the API report it."""
    return {"id": job.id, "event_id": job.event_id, "status": job.status, "stage": job.stage,
            "score": job.objective, "bound": job.bound, "gap": job.gap,
            "breaks": job.breaks, "breaks_bound": job.breaks_bound,
            "elapsed": job.elapsed, "time_limit": job.time_limit,
            "stop_requested": job.stop_requested, "message": job.words,
            "version": None if job.version_id is None else
            db().get_one(ScheduleVersion, job.version_id).number}


STATUSES = {"queued": lazy_gettext("Waiting for a worker"), "running": lazy_gettext("Running"),
            "done": lazy_gettext("Done"), "stopped": lazy_gettext("Stopped early"),
            "failed": lazy_gettext("Failed")}
STAGES = {"pairs": lazy_gettext("Choosing who meets whom (the score)"),
          "floors": lazy_gettext("Sharing the meetings fairly (raising the fewest anyone has)"),
          "timing": lazy_gettext("Timing the meetings (fewest breaks)"),
          "naive": lazy_gettext("Choosing pairs that fit everyone's free slots"),
          "tables": lazy_gettext("Seating the meetings at tables")}


def progress_json(job: SolveJob) -> dict[str, Any]:
    """A job's progress for its page: the figures, each as the page shows it, and where to go
    once the job has made a version."""
    p = job_json(job)
    dash = "–"
    gap = dash if p["gap"] is None else (
        _("%(gap)s (the best score possible)", gap="0%") if p["gap"] == 0 else f"{100 * p['gap']:.1f}%")
    p["text"] = {
        "status": str(STATUSES.get(job.status, job.status)),
        "stage": str(STAGES.get(job.stage or "", job.stage or dash)),
        "score": dash if job.objective is None else f"{job.objective:.0f}",
        "bound": dash if job.bound is None else f"{job.bound:.0f}",
        "gap": gap,
        "breaks": dash if job.breaks is None else _(
            "%(breaks)d so far, at least %(needed)d needed", breaks=job.breaks,
            needed=job.breaks_bound or 0),
        "elapsed": _("%(elapsed)s s of %(limit)s s", elapsed=f"{job.elapsed:.0f}",
                     limit=f"{job.time_limit:.0f}"),
        "message": job.words or "",
    }
    p["done_url"] = None if p["version"] is None else url_for(
        "schedules.show", event_id=job.event_id, version=p["version"]) + "#grid"
    return p


def broken_now(version: ScheduleVersion, now: Checked, drift: list[str]) -> list[str]:
    """The rules a version breaks in the event as it is now (a valid one). A version keeps every
    rule of the event it was stored with (`add_version` checks it), so they are looked for only
    when the event changed since: its settings or answers (`drift`), its pins or required
    meetings."""
    if not drift and all(version.event_data.get(key) == now.data.get(key)
                         for key in ("pinned", "required")):
        return []
    return violations(Instance(cast(Event, now.event)), layout(version).schedule)


@bp.route("/schedule")
@requires("read")
def show(event_id: int) -> str:
    """A version's timetable (the latest unless ?version=N) for one day and hall (?day=, ?hall=;
    by default the first), with the spread of meetings, the versions and the tools."""
    row = current_event(event_id)
    version = get_version(row, request.args.get("version", type=int))
    latest = latest_version(db(), row.id, light=True)
    laid = layout(version) if version is not None else None
    event_now = checked(db(), row, witness=None if laid is None else laid.event)
    context: dict[str, Any] = {
        "row": row, "version": version, "latest": latest, "versions": versions(db(), row.id),
        "published": published_version(db(), row.id, light=True),
        "job": jobs.active_job(db(), row.id), "problems": event_now.problems,
        "impossible": event_now.impossible,
        "pinned": pinned_pairs(row), "mailings": mailings.mailings(db(), row.id),
        "mail_problem": mailings.mail_problem(row),
        "time_limit": current_app.config["SOLVE_TIME_LIMIT"],
        "max_time_limit": current_app.config["SOLVE_TIME_LIMIT_MAX"],
    }
    if row.slots:
        context["now_slot"] = current_slot(row.slots, row.timezone)
    context["numbers"] = {v.id: v.number for v in context["versions"]}
    context["drift"] = kept(("drift", current_language(), latest.id, *event_stamp(db(), row)),
                            lambda: changes_since(latest.event_data, event_now.data)) \
        if latest else []
    if context["job"] is not None:
        context["job_status"] = STATUSES.get(context["job"].status, context["job"].status)
    context["mail_statuses"] = mailings.STATUSES
    names = Names.of_row(row)
    context["stories"] = {v.id: story(v, names) for v in context["versions"]}
    if version is not None and laid is not None:
        day = chosen(laid.days, request.args.get("day"))
        hall = chosen(laid.halls, request.args.get("hall"))
        context |= {"event": laid.event, "schedule": laid.schedule, "laid": laid, "day": day,
                    "hall": hall, "rows": laid.grid(day, hall), "shares": laid.shares,
                    "spreads": spread(laid), "baseline": baseline(version, context["published"]),
                    "editable": can("edit") and version.id == getattr(latest, "id", None)}
        if event_now.event is not None and version.id == getattr(latest, "id", None):
            context["broken"] = kept(("broken", version.id, *event_stamp(db(), row)),
                                     lambda: broken_now(version, event_now, context["drift"]))
    return render_template("schedules/show.html", **context)


def baseline(version: ScheduleVersion, published: ScheduleVersion | None,
             ) -> ScheduleVersion | None:
    """The version whose meetings participants have, to compare a version with: the published
    one, or for the published one the version published before it."""
    if published is not None and published.id != version.id:
        return published
    return previous_published(db(), version)


@bp.route("/generate", methods=["POST"])
@requires("edit")
def generate(event_id: int) -> Response:
    """Queue a generation (keeping the pins) and go to its progress page."""
    return queue_job(current_event(event_id), GenerateForm)


@bp.route("/replan", methods=["POST"])
@requires("edit")
def replan(event_id: int) -> Response:
    """Queue a re-planning of the published version from a slot on, and go to its progress."""
    return queue_job(current_event(event_id), ReplanForm)


LABELS = {"time_limit": lazy_gettext("Time limit"), "now": lazy_gettext("Re-plan from")}


def queue_job(row: EventRow, model: type[GenerateForm]) -> Response:
    """Validate a generate or re-plan form and queue its job, continuing the published version's
    calendar uids; back to the timetable with the reason when it cannot start."""
    back = redirect(url_for("schedules.show", event_id=row.id))
    form, errors = validate(model, request.form.to_dict(),
                            max_time_limit=current_app.config["SOLVE_TIME_LIMIT_MAX"],
                            slots=[s["id"] for s in row.slots])
    if form is None:
        flash("; ".join(_("%(field)s: %(problem)s", field=str(LABELS.get(k, k)), problem=v)
                        for k, v in errors.items()), "error")
        return back
    published = published_version(db(), row.id)
    now_slot = form.now if isinstance(form, ReplanForm) else None
    if published is not None and now_slot is None and not form.fresh:
        flash(_("Version %(number)s is published, and a fresh generation may move any of its "
                "meetings: re-plan from now to keep them, or tick that you want to start afresh.",
                number=published.number), "error")
        return back
    if now_slot and published is None:
        flash(_("Nothing to re-plan: re-planning keeps as much of the published timetable as "
                "it can, and none is published yet."), "error")
        return back
    problems = problems_of(row)
    if problems:
        flash(_("The event cannot be generated until these are fixed: %(problems)s",
                problems="; ".join(problems)), "error")
        return back
    job, new = jobs.start(current_app, db(), row, form.time_limit, base=published,
                          now_slot=now_slot)
    if not new:
        flash(_("A generation of this event is already running; here is its progress."))
    return redirect(url_for("schedules.job", event_id=row.id, job_id=job.id, started=1))


def get_job(row: EventRow, job_id: int) -> SolveJob:
    """A job of this event, or 404."""
    return of_event(row, SolveJob, job_id)


@bp.route("/jobs/<int:job_id>")
@requires("read")
def job(event_id: int, job_id: int) -> str:
    """A generation's live progress, with a stop button; it goes on to the new timetable when
    the job ends while the page is open, or has just been started (a quick solve may be done
    before its page loads). An old job's page stays, to show how that job ended."""
    row = current_event(event_id)
    job = get_job(row, job_id)
    jobs.reap_lost(db())
    return render_template("schedules/job.html", row=row, job=job, progress=progress_json(job),
                           names=Names.of_row(row),
                           follow=job.active or request.args.get("started") == "1")


@bp.route("/jobs/<int:job_id>/progress.json")
@requires("read")
def job_progress(event_id: int, job_id: int) -> Response:
    """A generation's progress, polled by the progress page every second."""
    job = get_job(current_event(event_id), job_id)
    if jobs.reap_lost(db()):
        db().refresh(job)
    response = jsonify(progress_json(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/jobs/<int:job_id>/stop", methods=["POST"])
@requires("edit")
def stop_job(event_id: int, job_id: int) -> Response:
    """Stop a generation early; the best timetable found so far is kept."""
    job = get_job(current_event(event_id), job_id)
    jobs.request_stop(current_app._get_current_object(), db(), job)  # type: ignore[attr-defined]
    flash(_("Stopping: the best timetable found so far will be kept."))
    return redirect(url_for("schedules.job", event_id=event_id, job_id=job_id))


@bp.route("/pin", methods=["POST"])
@requires("edit")
def pin(event_id: int) -> Response:
    """Pin a meeting of the latest version where it is, or unpin it."""
    row = current_event(event_id)
    form, _errors = validate(PinForm, request.form.to_dict())
    version = latest_version(db(), row.id)
    if form is None or version is None:
        abort(400)
    pair = (form.startup, form.investor)
    names = Names.of_row(row)
    if pair in pinned_pairs(row):
        row.pinned = [p for p in row.pinned if (p["startup"], p["investor"]) != pair]
        message = _("Unpinned %(pair)s: re-generating may move it.", pair=names.pair(*pair))
    else:
        meeting = next((m for m in schedule_of(version).meetings
                        if (m.startup, m.investor) == pair), None)
        if meeting is None:
            abort(400)
        row.pinned = [*row.pinned, {"startup": meeting.startup, "investor": meeting.investor,
                                    "slot": meeting.slot, "table": meeting.table}]
        message = _("Pinned %(pair)s at %(place)s: re-generating keeps it there.",
                    pair=names.pair(*pair), place=names.place(meeting.slot, meeting.table))
    problems = problems_of(row)
    if problems:
        db().rollback()
        flash(_("Not pinned: %(problems)s", problems=joined(problems)), "error")
    else:
        db().commit()
        flash(message)
    if request.form.get("back") == "move":  # pinned from the meeting's own page
        return redirect(url_for("schedules.move", event_id=event_id, startup=form.startup,
                                investor=form.investor))
    return redirect(url_for("schedules.show", event_id=event_id) + "#grid")


@bp.route("/move", methods=["GET", "POST"])
@requires("edit")
def move(event_id: int) -> str | Response | tuple[str, int]:
    """Move a meeting of the latest version by hand, or swap it with another: the page offers
    the free places and the swaps the rules allow; any edit is checked before it is saved."""
    row = current_event(event_id)
    version = latest_version(db(), row.id)
    if version is None:
        abort(404)
    data = (request.form if request.method == "POST" else request.args).to_dict()
    if "place" in data:  # one of the free places offered: "slot|table"
        data["slot"], _bar, data["table"] = data.pop("place").partition("|")
    schedule = schedule_of(version)
    try:
        meeting = find(schedule, (data.get("startup", ""), data.get("investor", "")))
    except NotInSchedule:
        abort(404)
    errors: dict[str, str] = {}
    problems: list[str] = []
    if request.method == "POST":
        form, errors = validate(MoveForm, data)
        if form is not None:
            places = {(form.startup, form.investor): (form.slot, form.table)}
            problems = save_edit(row, version, places, "moved", form.pin)
            if not problems:
                names = Names.of_row(row)
                flash(_("Moved %(pair)s to %(place)s: saved as a new version.",
                        pair=names.pair(form.startup, form.investor),
                        place=names.place(form.slot, form.table)))
                return redirect(url_for("schedules.show", event_id=event_id) + "#grid")
    return render_template("schedules/move.html", **move_context(row, version, meeting),
                           values=data, errors=errors, problems=problems), \
        422 if problems or errors else 200


SWAPS_SHOWN = 40  # the nearest in time; a trade show's day has thousands


def move_context(row: EventRow, version: ScheduleVersion, meeting: Meeting) -> dict[str, Any]:
    """What the move page shows: the places free for the pair and the swaps that work, in the
    event as it is now (its current tables and answers), and what changed since the draft."""
    names = Names.of_event(snapshot_of(version)) | Names.of_row(row)
    context: dict[str, Any] = {"row": row, "meeting": meeting, "names": names,
                               "pinned": (meeting.startup, meeting.investor) in pinned_pairs(row),
                               "drift": changes_since(version.event_data, event_data(row)),
                               "problems_now": problems_of(row), "places": [], "swaps": []}
    if context["problems_now"]:
        return context
    event = event_of(row)
    board = Board(Instance(event), schedule_of(version))
    swaps = board.swaps(meeting, pinned_pairs(row))
    context |= {"event": event, "places": board.places(meeting),
                "swaps": swaps[:SWAPS_SHOWN], "more_swaps": max(0, len(swaps) - SWAPS_SHOWN)}
    return context


@bp.route("/swap", methods=["POST"])
@requires("edit")
def swap(event_id: int) -> str | Response | tuple[str, int]:
    """Swap two meetings of the latest version (their slots and tables), in one step."""
    row = current_event(event_id)
    version = latest_version(db(), row.id)
    form, _errors = validate(SwapForm, request.form.to_dict())
    if version is None or form is None:
        abort(400)
    schedule = schedule_of(version)
    try:
        one = find(schedule, (form.startup, form.investor))
        other = find(schedule, (form.with_startup, form.with_investor))
    except NotInSchedule:
        abort(404)
    places = {(one.startup, one.investor): (other.slot, other.table),
              (other.startup, other.investor): (one.slot, one.table)}
    problems = save_edit(row, version, places, "swapped")
    if problems:
        return render_template("schedules/move.html", **move_context(row, version, one),
                               values={}, errors={}, problems=problems), 422
    names = Names.of_row(row)
    flash(_("Swapped: %(one)s is now at %(one_place)s, %(other)s at %(other_place)s. Saved as a "
            "new version.", one=names.pair(one.startup, one.investor),
            one_place=names.place(other.slot, other.table),
            other=names.pair(other.startup, other.investor),
            other_place=names.place(one.slot, one.table)))
    return redirect(url_for("schedules.show", event_id=event_id) + "#grid")


def save_edit(row: EventRow, version: ScheduleVersion, places: dict[PairKey, tuple[str, str]],
              how: str, pin: bool = False) -> list[str]:
    """Check a hand edit (meetings to new places) against every rule and save it as a new
    version; the problems in words for people, empty when saved. Pins follow their meetings
    (and `pin` pins the moved ones). A timetable that would still break a rule (the event
    changed since it was made) is not saved either: its problems are the rules it breaks."""
    for pair, (slot, table) in places.items():
        keep_pin(row, pair, slot, table, pin)
    problems = problems_of(row)
    if problems:
        db().rollback()
        return problems
    event = event_of(row)
    inst = Instance(event)
    names = Names.of_event(event)
    schedule = schedule_of(version)
    try:
        after = placed(inst, schedule, places)
    except NotInSchedule as e:
        db().rollback()
        return [str(e)]
    problems = sentences(inst, new_problems(inst, schedule, after), names)
    remaining = broken_around(inst, after, inst.participants, inst.slot_ids)
    if not problems and remaining:
        problems = [_("The event changed after this timetable was made, and it breaks these "
                      "rules whatever you move: %(problems)s Re-plan or re-generate it to follow "
                      "the event.", problems=joined(sentences(inst, list(remaining.values()),
                                                              names)))]
    if problems:
        db().rollback()
        return problems
    details = {"how": how, "meetings": [{"startup": s, "investor": i, "slot": slot,
                                         "table": table} for (s, i), (slot, table) in places.items()]}
    add_version(db(), row.id, after, event, "edited", details=details)
    return []


def keep_pin(row: EventRow, pair: PairKey, slot: str, table: str, pin: bool) -> None:
    """After a move, a pinned meeting's pin follows it; `pin` pins it at its new place."""
    if pin or pair in pinned_pairs(row):
        row.pinned = [p for p in row.pinned if (p["startup"], p["investor"]) != pair] + [
            {"startup": pair[0], "investor": pair[1], "slot": slot, "table": table}]


@bp.route("/versions/<int:number>/schedule.<ext>")
@requires("read")
def export(event_id: int, number: int, ext: str) -> Response:
    """A version as the schedule file (JSON, format 1), a CSV table, or one calendar file with
    every meeting."""
    row = current_event(event_id)
    version = get_version(row, number)
    if version is None:
        abort(404)
    filename = f"schedule-{event_id}-v{number}.{ext}"
    if ext == "ics":  # streamed, a meeting at a time
        return ics_response(event_calendar(row, version, links=can("edit")), filename)
    schedule = schedule_of(version)
    if ext == "json":
        body, mimetype = schedule.model_dump_json(indent=2), "application/json"
    elif ext == "csv":
        body, mimetype = schedule_csv(snapshot_of(version), schedule), "text/csv"
    else:
        abort(404)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


AGENDAS_PER_PAGE = 100  # investors' agendas on one page of a large event


@bp.route("/agendas")
@requires("read")
def agendas(event_id: int) -> str:
    """Agendas of a version (the latest unless ?version=N), for reading and printing: one
    participant's (?participant=id, or ?find= part of a name), else, day by day (?day=), every
    participant's of a small event, or the startups seated in one hall (?hall=) or a page of
    investors (?investors=N)."""
    row = current_event(event_id)
    version = get_version(row, request.args.get("version", type=int))
    if version is None:
        abort(404)
    laid = layout(version)
    event = laid.event
    people = [(p.id, p.name, "startup") for p in event.startups] + [
        (p.id, p.name, "investor") for p in event.investors]
    context: dict[str, Any] = {"row": row, "version": version, "event": event, "laid": laid,
                               "day": None, "hall": None, "page": None, "matches": []}
    find = request.args.get("find", "").strip().casefold()
    only = request.args.get("participant")
    if find:
        context["matches"] = [p for p in people if find in p[1].casefold() or find == p[0]]
        if len(context["matches"]) == 1:
            only = context["matches"][0][0]
    if only:
        shown = [p for p in people if p[0] == only]
        if not shown:
            abort(404)
    elif find:
        shown = []
    else:
        context["day"] = chosen(laid.days, request.args.get("day"))
        page = request.args.get("investors", type=int)
        if page is not None:
            investors = [p for p in people if p[2] == "investor"]
            context["page"] = max(1, page)
            first = (context["page"] - 1) * AGENDAS_PER_PAGE
            shown = investors[first:first + AGENDAS_PER_PAGE]
        elif len(people) <= AGENDAS_PER_PAGE and "hall" not in request.args:
            shown = people  # a small event's agendas, all on one page
        else:
            hall = context["hall"] = chosen(laid.halls, request.args.get("hall"))
            seated = {s.id for s in laid.seated(hall)} if len(laid.halls) > 1 else None
            shown = [p for p in people if p[2] == "startup" and (seated is None or p[0] in seated)]
    pages = -(-len(event.investors) // AGENDAS_PER_PAGE)
    slots = context["day"].slots if context["day"] is not None and len(laid.days) > 1 else None
    why = laid.explainer
    # On screen the organiser reads every reason; printed agendas go to the participants, so
    # they carry each one's own explanation instead.
    return render_template("schedules/agendas.html", **context, pages=pages,
                           agendas=[(p, laid.agenda(p[0], slots),
                                     unmet_wishes(event, laid.schedule, p[0], why,
                                                  language=str(get_locale())),
                                     unmet_wishes(event, laid.schedule, p[0], why, "participant",
                                                  str(get_locale())))
                                    for p in shown])
