"""Hand edits of a draft timetable: move a meeting, pin or unpin one. Every edit is checked by the
same rule checker as `matcher check` before it is saved."""

from __future__ import annotations

from matcher.model.check import violations
from matcher.model.instance import Instance
from matcher.model.objectives import Proofs, claims
from matcher.model.schedule import Meeting, Schedule


class NotInSchedule(ValueError):
    """The pair has no meeting in the schedule."""


def rescored(inst: Instance, schedule: Schedule, meetings: list[Meeting]) -> Schedule:
    """A schedule with these meetings, its scores and objectives recomputed for the current
    event; it keeps the bounds the solver proved, as far as they still hold."""
    meetings = [m.model_copy(update={"score": inst.scores.get((m.startup, m.investor), m.score)})
                for m in meetings]
    order = {k: n for n, k in enumerate(inst.tables)}
    meetings.sort(key=lambda m: (inst.slot_index.get(m.slot, -1), order.get(m.table, -1)))
    known = [m for m in meetings if m.slot in inst.slot_index and m.table in order
             and (m.startup, m.investor) in inst.scores]
    fair = schedule.fairness
    proofs = Proofs(schedule.bound) if fair is None else Proofs(
        schedule.bound, fair.startup_floor_bound, fair.investor_floor_bound, fair.score_given_up)
    return Schedule(meetings=tuple(meetings), seconds=schedule.seconds,
                    **claims(inst, known, proofs))


def moved(inst: Instance, schedule: Schedule, startup: str, investor: str, slot: str,
          table: str) -> Schedule:
    """The schedule with one meeting moved; its calendar sequence goes up by one."""
    found = False
    meetings = []
    for m in schedule.meetings:
        if (m.startup, m.investor) == (startup, investor):
            found = True
            if (m.slot, m.table) != (slot, table):
                m = m.model_copy(update={"slot": slot, "table": table, "sequence": m.sequence + 1})
        meetings.append(m)
    if not found:
        raise NotInSchedule(f"{startup} and {investor} have no meeting in this timetable")
    return rescored(inst, schedule, meetings)


def new_problems(inst: Instance, before: Schedule, after: Schedule) -> list[str]:
    """Rules the edited schedule breaks that the schedule before the edit did not."""
    old = set(violations(inst, rescored(inst, before, list(before.meetings))))
    return [p for p in violations(inst, after) if p not in old]
