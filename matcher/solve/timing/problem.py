"""The timing engine's input and output: meetings to place in slots, and the placement found."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matcher.model.objectives import breaks_in


class TimingMeeting(BaseModel):
    """A meeting to place: its two participants and the slots it may take."""

    model_config = ConfigDict(frozen=True)

    a: int = Field(ge=0, description="Index of one participant.")
    b: int = Field(ge=0, description="Index of the other participant.")
    slots: tuple[int, ...] = Field(description="Allowed 0-based slots, ascending.")


class TimingProblem(BaseModel):
    """Meetings to place in slots 0..slots-1, at most `capacity` per slot, a participant in at
    most one meeting per slot, precedences kept, with fewest breaks; the break counts of any two
    participants with meetings differ by at most `fairness` when it is set."""

    model_config = ConfigDict(frozen=True)

    participants: tuple[str, ...] = Field(description="Participant names, for readable models.")
    slots: int = Field(ge=1)
    capacity: int = Field(ge=0, description="At most this many meetings per slot.")
    meetings: tuple[TimingMeeting, ...]
    precedences: tuple[tuple[int, int], ...] = Field(
        default=(), description="(earlier, later) meeting indices: earlier ends before later.")
    fairness: int | None = Field(default=None, ge=0)
    hint: tuple[int, ...] | None = Field(default=None, description="A slot per meeting to try.")
    days: tuple[int, ...] | None = Field(default=None, description=(
        "Each slot's day, non-decreasing: breaks are counted within a day. None: one day."))

    @model_validator(mode="after")
    def _consistent(self) -> TimingProblem:
        n = len(self.participants)
        for k, m in enumerate(self.meetings):
            if m.a >= n or m.b >= n or m.a == m.b:
                raise ValueError(f"meeting {k} joins participants {m.a} and {m.b}: out of range "
                                 "or the same")
            if any(not 0 <= t < self.slots for t in m.slots):
                raise ValueError(f"meeting {k} allows a slot outside 0..{self.slots - 1}")
        for before, after in self.precedences:
            if not (0 <= before < len(self.meetings) and 0 <= after < len(self.meetings)):
                raise ValueError(f"precedence ({before}, {after}) names a meeting out of range")
        if self.hint is not None and len(self.hint) != len(self.meetings):
            raise ValueError(f"the hint has {len(self.hint)} slots for {len(self.meetings)} "
                             "meetings")
        if self.days is not None and (len(self.days) != self.slots or any(
                b < a for a, b in zip(self.days, self.days[1:], strict=False))):
            raise ValueError(f"days must give each of the {self.slots} slots a day, in order")
        return self

    def day_starts(self) -> set[int]:
        """The slots that begin a day after the first: no break runs across them."""
        days = self.days or ()
        return {t for t in range(1, len(days)) if days[t] != days[t - 1]}

    def one_day(self, slots: Iterable[int]) -> bool:
        """Whether these slots all lie on one day."""
        return self.days is None or len({self.days[t] for t in slots}) <= 1

    def meetings_of(self) -> list[list[int]]:
        """Per participant, the indices of its meetings."""
        mine: list[list[int]] = [[] for _ in self.participants]
        for k, m in enumerate(self.meetings):
            mine[m.a].append(k)
            mine[m.b].append(k)
        return mine

    def sides(self, k: int) -> Iterator[int]:
        """The two participants of meeting k."""
        yield self.meetings[k].a
        yield self.meetings[k].b


class TimingResult(BaseModel):
    """The placement found: a slot per meeting, the breaks and a proven lower bound on them."""

    status: Literal["optimal", "feasible", "infeasible", "unknown"]
    slots: tuple[int, ...] = ()
    breaks: int = 0
    bound: int = 0
    seconds: float = 0.0
    left_out: tuple[int, ...] = Field(default=(), description=(
        "Meetings without a slot (-1 in `slots`): only a large problem's placement leaves some "
        "out, when its time ran out or it found them no slot; the others keep every rule."))


def breaks_of(problem: TimingProblem, slots: tuple[int, ...]) -> list[int]:
    """Per participant, the breaks of a placement (`matcher.model.objectives.breaks_in`)."""
    return [breaks_in((slots[k] for k in mine), problem.days) for mine in problem.meetings_of()]
