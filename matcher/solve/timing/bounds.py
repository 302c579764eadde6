"""Lower bounds on each participant's breaks, from its own meetings alone.

A participant whose meetings cannot fill any run of consecutive slots (sessions, forbidden and
fixed slots) needs a break whatever the others do; how many, a tiny CP-SAT model tells. Over
several days a participant may fill one run a day instead; telling would take that model for
nearly every participant of a trade show, so the bound is then left at 0 (always true).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from matcher.solve.timing.matching import fills
from matcher.solve.timing.model import count_breaks
from matcher.solve.timing.problem import TimingProblem


def fewest_breaks_alone(options: list[tuple[int, ...]], slots: int) -> int:
    """The fewest breaks of one participant whose meetings take distinct allowed slots."""
    n = len(options)
    if n < 2 or any(fills(options, range(s, s + n)) for s in range(slots - n + 1)):
        return 0
    model = cp_model.CpModel()
    place = [{t: model.new_bool_var(f"place[{k},{t}]") for t in ts} for k, ts in enumerate(options)]
    for lits in place:
        model.add_exactly_one(lits.values())
    busy = {}
    for t in range(slots):
        here = [lits[t] for lits in place if t in lits]
        if here:
            busy[t] = model.new_bool_var(f"busy[{t}]")
            model.add(sum(here) == busy[t])
    model.minimize(count_breaks(model, busy, "alone", slots))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5.0
    if solver.solve(model) != cp_model.OPTIMAL:
        return 1  # no contiguous run fits, and that is all we proved
    return round(solver.objective_value)


def participant_lower_bounds(problem: TimingProblem) -> list[int]:
    """Per participant, a lower bound on its breaks: the fewest it needs on its own, or 0 when
    its meetings may fall on several days."""
    bounds = []
    for mine in problem.meetings_of():
        options = [problem.meetings[k].slots for k in mine]
        one_day = problem.one_day(t for slots in options for t in slots)
        bounds.append(fewest_breaks_alone(options, problem.slots) if one_day else 0)
    return bounds
