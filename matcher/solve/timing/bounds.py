"""Lower bounds on each participant's breaks, from its own meetings alone.

A participant whose meetings cannot fill any run of consecutive slots (sessions, forbidden and
fixed slots) needs a break whatever the others do; how many, a tiny CP-SAT model tells.
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
        lits = [lits[t] for lits in place if t in lits]
        if lits:
            busy[t] = model.new_bool_var(f"busy[{t}]")
            model.add(sum(lits) == busy[t])
    model.minimize(count_breaks(model, busy, "alone", slots))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5.0
    if solver.solve(model) != cp_model.OPTIMAL:
        return 1  # no contiguous run fits, and that is all we proved
    return round(solver.objective_value)


def participant_lower_bounds(problem: TimingProblem) -> list[int]:
    """Per participant, the fewest breaks it needs on its own."""
    return [fewest_breaks_alone([problem.meetings[k].slots for k in mine], problem.slots)
            for mine in problem.meetings_of()]
