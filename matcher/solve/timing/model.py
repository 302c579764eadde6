"""The CP-SAT model of a timing problem: one boolean per meeting and allowed slot.

Breaks are counted by literals `gap[p,t]`, "a break of p starts at slot t": p is busy at t-1,
idle at t and busy again later the same day (`matcher.model.objectives.breaks_in` is the
definition; a test checks both agree). Their sum is the objective, so that CP-SAT's core-based search
reasons on them directly (a core says "one of these participants must break somewhere").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from ortools.sat.python import cp_model

from matcher.solve.timing.matching import fills
from matcher.solve.timing.problem import TimingProblem

Literal = cp_model.IntVar | cp_model.BoolVarT


class Solved(Protocol):
    """Where a solution's values are read: a solver, its callback, or a sandbox's answer."""

    def boolean_value(self, lit: cp_model.IntVar, /) -> bool: ...


def gap_literals(model: cp_model.CpModel, busy: Mapping[int, Literal], name: str,
                 days: Sequence[int] | None = None) -> list[Literal]:
    """Per slot t, a literal true exactly when a break of the participant starts at t; with
    `days` (each slot's day), breaks are counted within each day."""
    if days is None:
        return _gaps_in_one_day(model, busy, name)
    by_day: dict[int, dict[int, Literal]] = {}
    for t, lit in busy.items():
        by_day.setdefault(days[t], {})[t] = lit
    return [gap for day in sorted(by_day) for gap in _gaps_in_one_day(model, by_day[day], name)]


def _gaps_in_one_day(model: cp_model.CpModel, busy: Mapping[int, Literal], name: str,
                     ) -> list[Literal]:
    if len(busy) < 2:
        return []
    first, last = min(busy), max(busy)
    # later[t]: busy at some slot >= t
    later: dict[int, Literal] = {last: busy[last]}
    for t in range(last - 1, first, -1):
        if t not in busy:
            later[t] = later[t + 1]
            continue
        lit = model.new_bool_var(f"later[{name},{t}]")
        model.add_bool_or([busy[t], later[t + 1]]).only_enforce_if(lit)
        model.add_implication(busy[t], lit)
        model.add_implication(later[t + 1], lit)
        later[t] = lit
    gaps: list[Literal] = []
    for t in range(first + 1, last):
        if t - 1 not in busy:
            continue
        cause = [busy[t - 1], later[t + 1]] + ([~busy[t]] if t in busy else [])
        gap = model.new_bool_var(f"gap[{name},{t}]")
        model.add_bool_and(cause).only_enforce_if(gap)
        model.add_bool_or([~c for c in cause] + [gap])
        gaps.append(gap)
    return gaps


def count_breaks(model: cp_model.CpModel, busy: Mapping[int, Literal], name: str,
                 slots: int, days: Sequence[int] | None = None) -> cp_model.IntVar:
    """Soft: a participant's breaks, exactly, from its busy literal per slot."""
    breaks = model.new_int_var(0, max(0, (slots - 1) // 2), f"breaks[{name}]")
    model.add(breaks == sum(gap_literals(model, busy, name, days)))
    return breaks


class TimingModel:
    """The CP-SAT model of a timing problem; `place[k][t]` is true when meeting k is in slot t.

    `lower` gives a proven lower bound on each participant's breaks and `floor` on the total;
    `hint` a slot per meeting (or None) to try first; `budget`, when set, caps the total breaks
    and the search then looks for any placement within it. Without `breaks` the model has the
    hard rules only (and neither objective nor fairness): a placement, any.
    """

    def __init__(self, problem: TimingProblem, lower: list[int] | None = None,
                 hint: Sequence[int | None] | None = None, budget: int | None = None,
                 floor: int = 0, breaks: bool = True) -> None:
        self.problem = problem
        self.mine = problem.meetings_of()
        self.model = cp_model.CpModel()
        self.place: list[dict[int, cp_model.IntVar]] = []
        self.busy: list[dict[int, Literal]] = [{} for _ in problem.participants]
        self.breaks: list[cp_model.IntVar] = []
        self.gaps: list[Literal] = []
        self.steady: dict[int, cp_model.IntVar] = {}
        self._place_each_meeting_once()
        self._one_meeting_per_participant_per_slot()
        self._capacity_per_slot()
        self._precedences()
        self.hint(hint)
        if not breaks:
            return
        self._busy_slots_equal_meeting_count()
        self._at_most_two_per_table_busy()
        self._count_breaks()
        self.lower = lower or [0] * len(problem.participants)
        self._participant_lower_bounds(self.lower)
        self._steady_runs(self.lower)
        self._fairness()
        if floor > 0:
            self.model.add(sum(self.gaps) >= floor)
        if budget is None:
            self.model.minimize(sum(self.gaps))
        else:
            self.model.add(sum(self.gaps) <= budget)
            self._unsteady_within_budget(budget)

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
        for p, mine in enumerate(self.mine):
            by_slot: dict[int, list] = {}
            for k in mine:
                for t, lit in self.place[k].items():
                    by_slot.setdefault(t, []).append(lit)
            for t, lits in sorted(by_slot.items()):
                if len(lits) == 1:
                    self.busy[p][t] = lits[0]
                    continue
                busy = self.model.new_bool_var(f"busy[{self.problem.participants[p]},{t}]")
                self.model.add(sum(lits) == busy)
                self.busy[p][t] = busy

    def _capacity_per_slot(self) -> None:
        """Hard: a slot holds at most `capacity` meetings (the tables)."""
        for t in range(self.problem.slots):
            lits = [lits[t] for lits in self.place if t in lits]
            if len(lits) > self.problem.capacity:
                self.model.add(sum(lits) <= self.problem.capacity)

    def _precedences(self) -> None:
        """Hard: a meeting that must come earlier takes a strictly earlier slot."""
        for before, after in self.problem.precedences:
            start = {k: sum(t * lit for t, lit in self.place[k].items()) for k in (before, after)}
            self.model.add(start[before] + 1 <= start[after])

    def _busy_slots_equal_meeting_count(self) -> None:
        """Implied: a participant is busy in exactly as many slots as it has meetings."""
        for p, by_slot in enumerate(self.busy):
            if by_slot:
                self.model.add(sum(by_slot.values()) == len(self.mine[p]))

    def _at_most_two_per_table_busy(self) -> None:
        """Implied: at most twice the tables' count of participants are busy in a slot."""
        for t in range(self.problem.slots):
            lits = [b[t] for b in self.busy if t in b]
            if len(lits) > 2 * self.problem.capacity:
                self.model.add(sum(lits) <= 2 * self.problem.capacity)

    def _count_breaks(self) -> None:
        """Soft: a participant's breaks are the slots where an idle run between meetings starts."""
        for p, by_slot in enumerate(self.busy):
            name = self.problem.participants[p]
            gaps = gap_literals(self.model, by_slot, name, self.problem.days)
            breaks = self.model.new_int_var(0, max(0, len(self.mine[p]) - 1), f"breaks[{name}]")
            self.model.add(breaks == sum(gaps))
            self.breaks.append(breaks)
            self.gaps.extend(gaps)

    def _participant_lower_bounds(self, lower: list[int]) -> None:
        """Implied: a participant has at least the breaks it needs on its own."""
        for breaks, low in zip(self.breaks, lower, strict=True):
            if low > 0:
                self.model.add(breaks >= low)

    def _steady_runs(self, lower: list[int]) -> None:
        """Implied: a participant without breaks (`steady`) is busy in one run of consecutive
        slots, starting where its meetings can fill such a run; each unsteady one adds a break.
        (Over several days a steady participant has one run a day: only those whose meetings
        all fall on one day get the run literals.)"""
        for p, mine in enumerate(self.mine):
            n = len(mine)
            options = [self.problem.meetings[k].slots for k in mine]
            if n < 2 or lower[p] > 0 or not self.problem.one_day(t for o in options for t in o):
                continue
            name = self.problem.participants[p]
            starts = {s: self.model.new_bool_var(f"run[{name},{s}]")
                      for s in range(self.problem.slots - n + 1)
                      if fills(options, range(s, s + n))}
            steady = self.model.new_bool_var(f"steady[{name}]")
            self.model.add(self.breaks[p] == 0).only_enforce_if(steady)
            self.model.add(self.breaks[p] >= 1).only_enforce_if(~steady)
            self.model.add_bool_or([*starts.values(), ~steady])
            self.model.add_at_most_one(starts.values())
            for start in starts.values():
                self.model.add_implication(start, steady)
            for t, busy in self.busy[p].items():
                cover = [lit for s, lit in starts.items() if s <= t < s + n]
                self.model.add_bool_or([*cover, ~busy, ~steady])
                for lit in cover:
                    self.model.add_implication(lit, busy)
            self.steady[p] = steady

    def spare(self, budget: int) -> int:
        """The breaks of a budget left once each participant has its lower bound."""
        return budget - sum(low for p, low in enumerate(self.lower) if p not in self.steady)

    def _unsteady_within_budget(self, budget: int) -> None:
        """Implied: each participant with breaks takes at least one (or its lower bound) of the
        budget."""
        self.model.add(sum(~s for s in self.steady.values()) <= self.spare(budget))

    def _fairness(self) -> None:
        """Hard: the break counts of any two participants with meetings differ by at most
        `fairness`."""
        if self.problem.fairness is None:
            return
        active = [b for p, b in enumerate(self.breaks) if self.mine[p]]
        if len(active) < 2:
            return
        if any(len(mine) == 1 for mine in self.mine):
            # someone has no break for sure: the fewest breaks is 0
            for b in active:
                self.model.add(b <= self.problem.fairness)
            return
        fewest = self.model.new_int_var(0, self.problem.slots, "fewest_breaks")
        self.model.add_min_equality(fewest, active)
        for b in active:
            self.model.add(b <= fewest + self.problem.fairness)

    def hint(self, hint: Sequence[int | None] | None) -> None:
        """Try these slots first (None: no hint for that meeting), in place of any hint given
        before."""
        self.model.clear_hints()
        for k, t in enumerate(hint or ()):
            if t is None:
                continue
            for slot, lit in self.place[k].items():
                self.model.add_hint(lit, slot == t)

    def extract(self, solver: Solved) -> tuple[int, ...]:
        """The slot of each meeting in the solution a solver (or its callback) holds."""
        return tuple(next(t for t, lit in lits.items() if solver.boolean_value(lit))
                     for lits in self.place)
