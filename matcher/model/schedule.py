"""The schedule file, format 1: who meets whom, when and where, and how good that is."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.model.event import Id

# A fixed namespace so that the same event and pair always give the same uid.
UID_NAMESPACE = uuid.UUID("6f1c2a4e-9b7d-4c3e-8a51-2d0f7e9b4c11")

NonNegative = Annotated[int, Field(ge=0)]


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


class Schedule(BaseModel):
    """A solved timetable and its quality."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal[1] = 1
    status: Literal["optimal", "feasible"]
    score: int
    bound: int = Field(description="A proven upper bound on the score.")
    breaks: NonNegative
    table_changes: NonNegative
    meetings: tuple[Meeting, ...]
    seconds: float = Field(ge=0)

    @property
    def gap(self) -> float:
        """Relative distance between score and bound (0 when optimal)."""
        return 0.0 if self.bound <= 0 else max(0.0, (self.bound - self.score) / self.bound)


def meeting_uid(event_name: str, startup: str, investor: str) -> str:
    """The uid of a pair's meeting: the same pair of the same event always gets the same one."""
    return f"{uuid.uuid5(UID_NAMESPACE, chr(10).join((event_name, startup, investor)))}@matcher"
