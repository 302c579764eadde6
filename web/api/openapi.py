"""The OpenAPI document of /api/: the operations listed here, their bodies and responses taken
from the same pydantic models that the endpoints validate with (a test checks it against the
routes)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from pydantic import TypeAdapter
from pydantic.json_schema import models_json_schema

from matcher.model.event import Event
from web.api.schemas import (
    Error,
    EventSummary,
    JobOut,
    JobRequest,
    ParticipantIn,
    ParticipantOut,
    ScheduleOut,
)

REF = "#/components/schemas/{model}"
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
EVENT_ID = {"name": "event_id", "in": "path", "required": True, "schema": ID}
LOCAL_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"
JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": ID}


def ref(name: str) -> dict[str, str]:
    """A reference to a component schema."""
    return {"$ref": REF.format(model=name)}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON body of this schema."""
    return {"application/json": {"schema": schema}}


def responses(ok: int, schema: dict[str, Any], *errors: int) -> dict[str, Any]:
    """A success response and error responses (401 always: every operation needs a token)."""
    described = {str(ok): {"description": "Success", "content": json_content(schema)}}
    texts = {400: "Not JSON (or nested too deeply)", 401: "No valid API token",
             403: "Your role does not allow it",
             404: "Not found (or not an event of your account)",
             409: "Conflict", 413: "Body too large", 422: "Not valid"}
    for code in sorted({401, *errors}):
        described[str(code)] = {"description": texts[code], "content": json_content(ref("Error"))}
    return described


def operation(op_id: str, summary: str, ok: int, schema: dict[str, Any], *errors: int,
              parameters: tuple[dict[str, Any], ...] = (), request: dict[str, Any] | None = None,
              ) -> dict[str, Any]:
    """One operation."""
    op: dict[str, Any] = {"operationId": op_id, "summary": summary,
                          "responses": responses(ok, schema, *errors)}
    if parameters:
        op["parameters"] = list(parameters)
    if request is not None:
        op["requestBody"] = {"required": True, "content": json_content(request)}
    return op


def schemas() -> dict[str, Any]:
    """Component schemas of every model, in validation mode for bodies, serialization for
    responses."""
    inputs = [(Event, "validation"), (JobRequest, "validation")]
    outputs = [(Error, "serialization"), (EventSummary, "serialization"),
               (ParticipantOut, "serialization"), (JobOut, "serialization"),
               (ScheduleOut, "serialization")]
    _keys, top = models_json_schema(inputs + outputs, ref_template=REF)  # type: ignore[arg-type]
    found = dict(top.get("$defs", {}))
    participant = TypeAdapter(ParticipantIn).json_schema(ref_template=REF)
    found.update(participant.pop("$defs", {}))
    found["ParticipantIn"] = participant
    for end in ("start", "end"):  # local times: JSON Schema's date-time would need an offset
        slot_time = found["Slot"]["properties"][end]
        slot_time.pop("format")
        slot_time["pattern"] = LOCAL_TIME
    return found


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document served at /api/openapi.json."""
    array = {"type": "array"}
    paths = {
        "/api/events": {
            "get": operation("listEvents", "The events of your account", 200,
                             array | {"items": ref("EventSummary")}),
            "post": operation("createEvent", "Create an event from an event file (format 1)", 201,
                              ref("EventSummary"), 400, 413, 422, request=ref("Event")),
        },
        "/api/events/{event_id}": {
            "get": operation("getEvent", "The event file (format 1)", 200, ref("Event"), 404,
                             parameters=(EVENT_ID,)),
        },
        "/api/events/{event_id}/participants": {
            "get": operation("listParticipants", "Participants with their personal links", 200,
                             array | {"items": ref("ParticipantOut")}, 404,
                             parameters=(EVENT_ID,)),
            "post": operation("putParticipant", "Add a participant, or update one by id", 201,
                              ref("ParticipantOut"), 400, 403, 404, 409, 413, 422,
                              parameters=(EVENT_ID,),
                              request=ref("ParticipantIn")),
        },
        "/api/events/{event_id}/solve-jobs": {
            "post": operation("startJob", "Start generating the timetable (pins are kept)", 202,
                              ref("JobOut"), 400, 403, 404, 409, 413, 422,
                              parameters=(EVENT_ID,),
                              request=ref("JobRequest")),
        },
        "/api/events/{event_id}/solve-jobs/{job_id}": {
            "get": operation("getJob", "A generation's progress", 200, ref("JobOut"), 404,
                             parameters=(EVENT_ID, JOB_ID)),
        },
        "/api/events/{event_id}/solve-jobs/{job_id}/stop": {
            "post": operation("stopJob", "Stop a generation, keeping the best found", 200,
                              ref("JobOut"), 403, 404, parameters=(EVENT_ID, JOB_ID)),
        },
        "/api/events/{event_id}/schedule": {
            "get": operation(
                "getSchedule", "The latest schedule version, the published one, or version N",
                200, ref("ScheduleOut"), 404, parameters=(
                    EVENT_ID,
                    {"name": "version", "in": "query", "required": False, "schema": ID},
                    {"name": "published", "in": "query", "required": False,
                     "schema": {"type": "boolean"}})),
        },
    }
    # Updating a participant answers 200 instead of 201.
    paths["/api/events/{event_id}/participants"]["post"]["responses"]["200"] = {
        "description": "Updated", "content": json_content(ref("ParticipantOut"))}
    limit = current_app.config["SOLVE_TIME_LIMIT_MAX"]
    return {
        "openapi": "3.1.0",
        "info": {"title": "matcher API", "version": "1",
                 "description": "Events, participants, generation jobs and schedules. Send "
                                "`Authorization: Bearer <token>` (from the organiser's account "
                                f"page). Generations may take at most {limit:g} seconds."},
        "paths": paths,
        "components": {"schemas": schemas(),
                       "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        "security": [{"token": []}],
    }
