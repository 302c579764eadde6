"""The API's bodies and responses, as pydantic models: they validate requests and describe the
OpenAPI document."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from matcher.model.schedule import Schedule
from web.events.roster import columns_model

UtcTime = Annotated[datetime, AfterValidator(lambda t: t if t.tzinfo else t.replace(tzinfo=UTC)),
                    Field(description="A moment in UTC.")]


class Out(BaseModel):
    """A response body."""

    model_config = ConfigDict(extra="forbid")


class Error(Out):
    """What went wrong, and each problem as a sentence."""

    error: str
    problems: list[str] = []


class EventSummary(Out):
    """An event in the list of events."""

    id: int
    name: str
    venue: str | None
    timezone: str
    day: date
    slots: int
    tables: int
    startups: int
    investors: int
    answered: int = Field(description="Participants who have saved their form.")
    form_open: bool
    latest_version: int | None
    published_version: int | None
    role: Literal["owner", "organiser", "viewer"] = Field(
        description="The token's account in the event's team: owner, organiser (changes it) or "
                    "viewer (reads it).")


class ParticipantOut(Out):
    """A participant with the personal link to send them."""

    id: str
    kind: Literal["startup", "investor"]
    name: str
    organisation: str | None
    email: str | None
    answered_at: UtcTime | None
    link: str | None = Field(description="The personal link; null for a viewer of the event.")


StartupIn = columns_model("startup")
InvestorIn = columns_model("investor")
# Built at run time from the columns, so a type for pydantic (TypeAdapter) but not for mypy.
ParticipantIn: Any = Annotated[StartupIn | InvestorIn, Field(discriminator="kind")]


class JobRequest(BaseModel):
    """Start a generation; without a time limit the server's default applies."""

    model_config = ConfigDict(extra="forbid")
    time_limit: Annotated[float | None, Field(gt=0, description="Seconds.")] = None


class JobOut(Out):
    """A generation's progress: best score so far, proven bound, gap, elapsed seconds."""

    id: int
    event_id: int
    status: Literal["queued", "running", "done", "stopped", "failed"]
    stage: Literal["pairs", "floors", "timing", "naive", "tables"] | None = Field(
        description="What the solver does now: choosing the pairs (the score), sharing them "
                    "fairly, timing them (the breaks), choosing pairs and slots together when "
                    "the chosen pairs cannot be timed, seating them at tables.")
    score: float | None
    bound: float | None
    gap: float | None
    breaks: int | None = Field(description="While timing: the fewest breaks found so far.")
    breaks_bound: int | None = Field(description="While timing: breaks proven needed.")
    elapsed: float
    time_limit: float
    stop_requested: bool
    message: str | None
    version: int | None = Field(description="The schedule version it produced.")


class ScheduleOut(Out):
    """A schedule version."""

    event_id: int
    version: int
    origin: str
    created_at: UtcTime
    published_at: UtcTime | None
    schedule: Schedule
