"""The JSON API for organisers' scripts, under /api/, authenticated by a bearer token."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import BaseModel, TypeAdapter, ValidationError
from werkzeug.exceptions import HTTPException

from matcher.model.event import Event
from matcher.model.files import HALF_CHARACTER, describe, whole_characters
from web import errors
from web.accounts.access import add_owner, can, current_event, events_of, requires
from web.accounts.views import organiser_by_token
from web.api.schemas import (
    Error,
    EventSummary,
    JobOut,
    JobRequest,
    ParticipantIn,
    ParticipantOut,
    ScheduleOut,
)
from web.db import MAX_ID, db, get
from web.db.models import EventRow, Participant, ScheduleVersion, SolveJob
from web.events.roster import Entry, plan, store
from web.events.store import add_event, latest_version, problems_of, published_version
from web.events.views import participant_counts
from web.participants.links import link_for
from web.schedules import jobs
from web.schedules.views import job_json

bp = Blueprint("api", __name__, url_prefix="/api")
PUBLIC = {"api.openapi"}


class ApiError(Exception):
    """An error answered as JSON with a status code."""

    def __init__(self, status: int, error: str, problems: list[str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.problems = status, error, problems or []


@bp.errorhandler(ApiError)
def _api_error(e: ApiError) -> tuple[Response, int]:
    return jsonify(Error(error=e.error, problems=e.problems).model_dump()), e.status


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException) -> tuple[Response, int]:
    return jsonify(Error(error=e.description or e.name).model_dump()), e.code or 500


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def _not_routed(e: HTTPException) -> tuple[str, int] | tuple[Response, int]:
    """URLs under /api/ that match no endpoint answer in JSON too; other pages get their page."""
    if request.path.startswith(bp.url_prefix + "/"):  # type: ignore[operator]
        return _http_error(e)
    return errors.page(e)


@bp.before_request
def _authenticate() -> None:
    """Every endpoint but the OpenAPI document needs `Authorization: Bearer <token>`."""
    if request.endpoint in PUBLIC:
        return
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    organiser = organiser_by_token(db(), token.strip()) if scheme.lower() == "bearer" else None
    if organiser is None:
        raise ApiError(401, "send a valid API token: Authorization: Bearer <token>")
    g.organiser = organiser


def body(adapter: TypeAdapter[Any] | type[BaseModel]) -> Any:
    """The request's JSON body, validated; 400 when it is not JSON (or nested too deeply to
    read), 413 when it is too large, 422 lists every problem."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        raise ApiError(413, f"the body is larger than {limit // 2**20} MB")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # the JSON reader gives up on nesting deeper than Python recurses
        raise ApiError(400, "the body is nested too deeply to be an event or a participant"
                       ) from None
    if data is None and request.content_length:
        raise ApiError(400, "the body is not valid JSON")
    if not whole_characters(data):
        raise ApiError(400, f"the body {HALF_CHARACTER}")
    if isinstance(adapter, type):
        adapter = TypeAdapter(adapter)
    try:
        return adapter.validate_python(data if data is not None else {})
    except ValidationError as e:
        raise ApiError(422, "the body is not valid", describe(e, data).splitlines()) from None


def out(model: BaseModel, status: int = 200) -> tuple[Response, int]:
    """A response body as JSON."""
    return current_app.response_class(model.model_dump_json(), mimetype="application/json"), status


def summary(row: EventRow, role: str) -> EventSummary:
    """An event's summary, with the account's role in it."""
    latest, published = latest_version(db(), row.id), published_version(db(), row.id)
    startups, investors, answered = participant_counts(row)
    return EventSummary(
        id=row.id, name=row.name, venue=row.venue, timezone=row.timezone, day=row.day,
        slots=len(row.slots), tables=len(row.tables), startups=startups, investors=investors,
        answered=answered, form_open=row.form_open, role=role,
        latest_version=latest.number if latest else None,
        published_version=published.number if published else None)


def participant_out(p: Participant) -> ParticipantOut:
    """A participant with their link (only for those who may change the event: the link lets
    its holder change the participant's answers)."""
    return ParticipantOut(id=p.code, kind=p.kind, name=p.name,
                          organisation=p.organisation, email=p.email, answered_at=p.answered_at,
                          link=link_for(p) if can("edit") else None)


@bp.route("/events", methods=["GET"])
def list_events() -> Response:
    """The events whose team the token's account is in."""
    rows = sorted(events_of(db(), g.organiser), key=lambda found: found[0].id)
    return jsonify([summary(r, role).model_dump(mode="json") for r, role in rows])


@bp.route("/events", methods=["POST"])
def create_event() -> tuple[Response, int]:
    """Create an event from an event file (format 1)."""
    event: Event = body(Event)
    row = add_event(db(), event)
    row.organiser_email = g.organiser.email  # the event file has no organiser; as on the form
    add_owner(db(), row, g.organiser)
    db().commit()
    return out(summary(row, "owner"), 201)


@bp.route("/events/<int:event_id>", methods=["GET"])
@requires("read")
def get_event_file(event_id: int) -> Response:
    """The event file (format 1) of an event."""
    from web.events.store import event_data

    return jsonify(event_data(current_event(event_id)))


@bp.route("/events/<int:event_id>/participants", methods=["GET"])
@requires("read")
def list_participants(event_id: int) -> Response:
    """The participants with their personal links and whether they answered."""
    row = current_event(event_id)
    return jsonify([participant_out(p).model_dump(mode="json") for p in row.participants])


@bp.route("/events/<int:event_id>/participants", methods=["POST"])
@requires("edit")
def put_participant(event_id: int) -> tuple[Response, int]:
    """Add a participant, or update the one with the same id: only the keys given change, and
    the participant's answers are kept."""
    row = current_event(event_id)
    data = body(TypeAdapter(ParticipantIn))
    planned = plan(row, data.kind, [Entry(data.model_dump(exclude_unset=True, exclude={"kind"}))])
    if not planned.ok:
        taken = any(p.kind == "duplicate_participant" for p in planned.problems)
        raise ApiError(409 if taken else 422, "the participant does not fit the event",
                       [f"{p.where or p.key}: {p.message}" if p.where or p.key else p.message
                        for p in planned.problems])
    store(row, planned)
    db().commit()
    p = next(p for p in row.participants if p.code == data.id)
    return out(participant_out(p), 201 if planned.added else 200)


@bp.route("/events/<int:event_id>/solve-jobs", methods=["POST"])
@requires("edit")
def start_job(event_id: int) -> tuple[Response, int]:
    """Start generating a timetable (pins are kept); poll the job for progress."""
    row = current_event(event_id)
    request_body: JobRequest = body(JobRequest)
    most = current_app.config["SOLVE_TIME_LIMIT_MAX"]
    limit = request_body.time_limit or current_app.config["SOLVE_TIME_LIMIT"]
    if limit > most:
        raise ApiError(422, "the body is not valid", [f"time_limit: at most {most:g} seconds"])
    problems = problems_of(row)
    if problems:
        raise ApiError(422, "the event cannot be generated", problems)
    job, new = jobs.start(current_app, db(), row, limit,
                          base=published_version(db(), row.id))
    if not new:
        raise ApiError(409, f"job {job.id} is already generating this event")
    return out(JobOut(**job_json(job)), 202)


def get_job(event_id: int, job_id: int) -> SolveJob:
    """A job of the event, or 404."""
    current_event(event_id)
    job = get(SolveJob, job_id)
    if job is None or job.event_id != event_id:
        raise ApiError(404, f"no job {job_id} for event {event_id}")
    return job


@bp.route("/events/<int:event_id>/solve-jobs/<int:job_id>", methods=["GET"])
@requires("read")
def show_job(event_id: int, job_id: int) -> tuple[Response, int]:
    """A job's progress."""
    job = get_job(event_id, job_id)
    if jobs.reap_lost(db()):
        db().refresh(job)
    return out(JobOut(**job_json(job)))


@bp.route("/events/<int:event_id>/solve-jobs/<int:job_id>/stop", methods=["POST"])
@requires("edit")
def stop_job(event_id: int, job_id: int) -> tuple[Response, int]:
    """Stop a job early, keeping the best timetable found so far."""
    job = get_job(event_id, job_id)
    jobs.request_stop(current_app._get_current_object(), db(), job)  # type: ignore[attr-defined]
    return out(JobOut(**job_json(job)))


@bp.route("/events/<int:event_id>/schedule", methods=["GET"])
@requires("read")
def show_schedule(event_id: int) -> tuple[Response, int]:
    """The latest schedule version, or the published one (?published=true), or ?version=N."""
    row = current_event(event_id)
    number = request.args.get("version", type=int)
    if number is not None:
        version = db().query(ScheduleVersion).filter_by(event_id=row.id, number=number).first() \
            if 1 <= number <= MAX_ID else None
    elif request.args.get("published", "false").lower() in ("true", "1"):
        version = published_version(db(), row.id)
    else:
        version = latest_version(db(), row.id)
    if version is None:
        raise ApiError(404, "no such schedule version")
    return out(ScheduleOut(event_id=row.id, version=version.number, origin=version.origin,
                           created_at=version.created_at, published_at=version.published_at,
                           schedule=version.schedule))


@bp.route("/openapi.json", methods=["GET"])
def openapi() -> Response:
    """The OpenAPI document of this API."""
    from web.api.openapi import document

    return jsonify(document())
