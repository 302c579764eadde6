"""The timing engine: place given meetings in slots with as few breaks as possible.

This is the B2B meeting scheduling problem (Bofill et al., JAIR 74, 2022): participants, meetings
between pairs of them, slots 0..T-1, at most `capacity` meetings per slot, allowed slots per
meeting (sessions, forbidden and fixed slots already applied), precedences, and fairness: the
break counts of any two participants differ by at most `fairness`. A break is a group of idle
slots between two consecutive meetings of a participant. `matcher solve` times its chosen pairs
with this engine and `matcher b2b` solves the benchmark with it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from ortools.sat.python import cp_model
from pydantic import BaseModel, ConfigDict, Field, model_validator

from matcher.cpsat import ProgressCallback, Reporter, new_solver


class TimingMeeting(BaseModel):
    """A meeting to place: its two participants and the slots it may take."""

    model_config = ConfigDict(frozen=True)

    a: int = Field(ge=0, description="Index of one participant.")
    b: int = Field(ge=0, description="Index of the other participant.")
    slots: tuple[int, ...] = Field(description="Allowed 0-based slots, ascending.")


class TimingProblem(BaseModel):
    """Meetings to place in slots; see the module docstring."""

    model_config = ConfigDict(frozen=True)

    participants: tuple[str, ...] = Field(description="Participant names, for readable models.")
    slots: int = Field(ge=1)
    capacity: int = Field(ge=0, description="At most this many meetings per slot.")
    meetings: tuple[TimingMeeting, ...]
    precedences: tuple[tuple[int, int], ...] = Field(
        default=(), description="(earlier, later) meeting indices: earlier ends before later.")
    fairness: int | None = Field(default=None, ge=0)
    hint: tuple[int, ...] | None = Field(default=None, description="A slot per meeting to try.")

    @model_validator(mode="after")
    def _consistent(self) -> TimingProblem:
        n = len(self.participants)
        for k, m in enumerate(self.meetings):
            if m.a >= n or m.b >= n or m.a == m.b:
                raise ValueError(f"meeting {k} joins participants {m.a} and {m.b}: out of range "
                                 "or the same")
            if any(not 0 <= t < self.slots for t in m.slots):
                raise ValueError(f"meeting {k} allows a slot outside 0..{self.slots - 1}")
        return self


class TimingResult(BaseModel):
    """The placement found: a slot per meeting, the breaks and a proven lower bound on them."""

    status: Literal["optimal", "feasible", "infeasible", "unknown"]
    slots: tuple[int, ...] = ()
    breaks: int = 0
    bound: int = 0
    seconds: float = 0.0


def count_breaks(model: cp_model.CpModel, busy: dict[int, object], name: str,
                 slots: int, active: object = 1) -> cp_model.IntVar:
    """Soft: breaks = busy blocks - 1, exactly, from a participant's busy literal per slot.

    `active` is 1 when the participant surely meets someone, else a literal saying it does.
    """
    if not busy:
        return model.new_constant(0)
    starts = []
    for t, lit in sorted(busy.items()):
        before = busy.get(t - 1)
        if before is None:
            starts.append(lit)
            continue
        start = model.new_bool_var(f"starts[{name},{t}]")
        model.add_bool_and([lit, before.Not()]).only_enforce_if(start)
        model.add_bool_or([lit.Not(), before, start])
        starts.append(start)
    breaks = model.new_int_var(0, slots, f"breaks[{name}]")
    model.add(breaks == sum(starts) - active)
    return breaks


class TimingModel:
    """The CP-SAT model of a timing problem; `place[k][t]` is true when meeting k is in slot t."""

    def __init__(self, problem: TimingProblem) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.place: list[dict[int, cp_model.IntVar]] = []
        self.busy: list[dict[int, object]] = [{} for _ in problem.participants]
        self.breaks: list[cp_model.IntVar] = []
        self._place_each_meeting_once()
        self._one_meeting_per_participant_per_slot()
        self._capacity_per_slot()
        self._precedences()
        self._busy_slots_equal_meeting_count()
        self._count_breaks()
        self._fairness()
        self.model.minimize(sum(self.breaks))
        self._hint()

    def _name(self, k: int) -> str:
        m = self.problem.meetings[k]
        return f"{self.problem.participants[m.a]}/{self.problem.participants[m.b]}"

    def _place_each_meeting_once(self) -> None:
        """Hard: every meeting takes exactly one of its allowed slots."""
        for k, m in enumerate(self.problem.meetings):
            lits = {t: self.model.new_bool_var(f"place[{self._name(k)},{t}]") for t in m.slots}
            self.model.add_exactly_one(lits.values())
            self.place.append(lits)

    def _one_meeting_per_participant_per_slot(self) -> None:
        """Hard: a participant has at most one meeting per slot; busy[p][t] says it has one."""
        terms: list[dict[int, list]] = [{} for _ in self.problem.participants]
        for k, m in enumerate(self.problem.meetings):
            for t, lit in self.place[k].items():
                terms[m.a].setdefault(t, []).append(lit)
                terms[m.b].setdefault(t, []).append(lit)
        for p, by_slot in enumerate(terms):
            for t, lits in by_slot.items():
                if len(lits) == 1:
                    self.busy[p][t] = lits[0]
                    continue
                busy = self.model.new_bool_var(f"busy[{self.problem.participants[p]},{t}]")
                self.model.add(sum(lits) == busy)
                self.busy[p][t] = busy

    def _capacity_per_slot(self) -> None:
        """Hard: a slot holds at most `capacity` meetings (the tables)."""
        for t in range(self.problem.slots):
            lits = [self.place[k][t] for k in range(len(self.place)) if t in self.place[k]]
            if len(lits) > self.problem.capacity:
                self.model.add(sum(lits) <= self.problem.capacity)

    def _precedences(self) -> None:
        """Hard: a meeting that must come earlier takes a strictly earlier slot."""
        for before, after in self.problem.precedences:
            start = {k: sum(t * lit for t, lit in self.place[k].items()) for k in (before, after)}
            self.model.add(start[before] + 1 <= start[after])

    def _busy_slots_equal_meeting_count(self) -> None:
        """Implied: a participant is busy in as many slots as it has meetings; at most 2L busy."""
        count = [0] * len(self.problem.participants)
        for m in self.problem.meetings:
            count[m.a] += 1
            count[m.b] += 1
        for p, by_slot in enumerate(self.busy):
            if by_slot:
                self.model.add(sum(by_slot.values()) == count[p])
        for t in range(self.problem.slots):
            lits = [b[t] for b in self.busy if t in b]
            if len(lits) > 2 * self.problem.capacity:
                self.model.add(sum(lits) <= 2 * self.problem.capacity)

    def _count_breaks(self) -> None:
        """Soft: a participant's breaks are its busy blocks minus one."""
        for p, by_slot in enumerate(self.busy):
            self.breaks.append(count_breaks(self.model, by_slot, self.problem.participants[p],
                                            self.problem.slots))

    def _fairness(self) -> None:
        """Hard: the break counts of any two participants differ by at most `fairness`."""
        if self.problem.fairness is None:
            return
        active = [b for p, b in enumerate(self.breaks) if self.busy[p]]
        if not active:
            return
        low = self.model.new_int_var(0, self.problem.slots, "fewest_breaks")
        self.model.add_min_equality(low, active)
        for b in active:
            self.model.add(b <= low + self.problem.fairness)

    def _hint(self) -> None:
        if self.problem.hint is None:
            return
        for k, t in enumerate(self.problem.hint):
            for slot, lit in self.place[k].items():
                self.model.add_hint(lit, slot == t)

    def extract(self, solver: cp_model.CpSolver) -> tuple[int, ...]:
        """The slot of each meeting in the solver's solution."""
        return tuple(next(t for t, lit in lits.items() if solver.boolean_value(lit))
                     for lits in self.place)


def solve_timing(problem: TimingProblem, time_limit: float, workers: int = 2,
                 on_progress: ProgressCallback | None = None,
                 should_stop: Callable[[], bool] | None = None) -> TimingResult:
    """Place the meetings with fewest breaks within the time limit."""
    start = time.monotonic()
    if not problem.meetings:
        return TimingResult(status="optimal", seconds=time.monotonic() - start)
    if any(not m.slots for m in problem.meetings):
        return TimingResult(status="infeasible", seconds=time.monotonic() - start)
    timing = TimingModel(problem)
    solver = new_solver(time_limit - (time.monotonic() - start), workers)
    code = solver.solve(timing.model, Reporter("timing", on_progress, should_stop))
    seconds = time.monotonic() - start
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        status = "optimal" if code == cp_model.OPTIMAL else "feasible"
        return TimingResult(status=status, slots=timing.extract(solver),
                            breaks=round(solver.objective_value),
                            bound=round(solver.best_objective_bound), seconds=seconds)
    return TimingResult(status="infeasible" if code == cp_model.INFEASIBLE else "unknown",
                        seconds=seconds)
