"""The schedule file, format 1: who meets whom, when and where, and how good that is."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from matcher.model.event import Id

# A fixed namespace so that the same event and pair always give the same uid.
UID_NAMESPACE = uuid.UUID("6f1c2a4e-9b7d-4c3e-8a51-2d0f7e9b4c11")

NonNegative = Annotated[int, Field(ge=0)]
# The objectives, in their order: each is optimised only among the best schedules for those before.
Objective = Literal["score", "startup_floor", "investor_floor", "breaks", "table_changes"]
OBJECTIVES: tuple[Objective, ...] = get_args(Objective)


class Meeting(BaseModel):
    """One meeting: a startup and an investor at a slot and a table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    startup: Id
    investor: Id
    slot: Id
    table: Id
    score: int = Field(description="The pair's score.")
    uid: str = Field(min_length=1, description="Stable id of the meeting across re-solves.")
    sequence: NonNegative = Field(default=0, description="Revision number, as in iCalendar.")


class Fairness(BaseModel):
    """How evenly the meetings are shared: the floors reached, how far they could go, and what
    they cost. A participant's reach is the most meetings it could have on its own: its
    max_meetings, its free slots and the partners it may meet."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    startup_floor: NonNegative = Field(
        description="Every startup has at least min(this, its reach) meetings.")
    investor_floor: NonNegative = Field(
        description="Every investor has at least min(this, its reach) meetings.")
    startup_floor_bound: NonNegative = Field(description=(
        "A proven upper bound on the startup floor of any schedule whose score is within the "
        "event's fairness.max_score_loss of the best score found; the largest reach of a "
        "startup when score was given up from a best that no timetable was found to reach."))
    investor_floor_bound: NonNegative = Field(description=(
        "A proven upper bound on the investor floor of any such schedule that also keeps the "
        "startup floor."))
    score_given_up: NonNegative = Field(default=0, description=(
        "The best score of the pairs found before raising the floors, minus this schedule's "
        "score: what the floors cost. That best counts pairs without their slots, so it is "
        "claimed reached (the score in `proven`) only when a timetable was found for them."))


class Schedule(BaseModel):
    """A solved timetable and its quality."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal[1] = 1
    status: Literal["optimal", "feasible"] = Field(description=(
        "optimal: every objective is proven optimal (see `proven`); else feasible."))
    score: int
    bound: int = Field(description="A proven upper bound on the score.")
    breaks: NonNegative
    table_changes: NonNegative
    meetings: tuple[Meeting, ...]
    seconds: float = Field(ge=0)
    fairness: Fairness | None = Field(default=None, description="The floors and their cost.")
    proven: tuple[Objective, ...] | None = Field(default=None, description=(
        "The objectives proven optimal, among schedules best on the objectives before them "
        "(score, startup_floor, investor_floor, breaks, table_changes). Absent in files "
        "written before it existed: there `optimal` means only that the score equals the "
        "bound."))

    @property
    def gap(self) -> float:
        """Relative distance between score and bound (0 when optimal)."""
        return 0.0 if self.bound <= 0 else max(0.0, (self.bound - self.score) / self.bound)


def meeting_uid(event_name: str, startup: str, investor: str) -> str:
    """The uid of a pair's meeting: the same pair of the same event always gets the same one."""
    return f"{uuid.uuid5(UID_NAMESPACE, chr(10).join((event_name, startup, investor)))}@matcher"
