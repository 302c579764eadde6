"""`matcher check`: validate a schedule against its event without any solver.

Every hard rule of `matcher.model.rules` is evaluated on the schedule's values, and every claim of the
schedule file (scores, totals, status) is recomputed. Each problem is a sentence naming its culprits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from matcher.model.instance import Instance, PairKey
from matcher.model.objectives import table_changes, total_breaks
from matcher.model.rules import RULES, Linear
from matcher.model.schedule import Meeting, Schedule


class ScheduleValues:
    """The rules' container filled with a finished schedule: each term is a count of meetings."""

    def __init__(self, inst: Instance, meetings: Iterable[Meeting]) -> None:
        self._at: Counter[tuple[PairKey, int]] = Counter()
        self._at_table: Counter[tuple[PairKey, int, int]] = Counter()
        self._of: dict[str, set[PairKey]] = defaultdict(set)
        self._in: dict[int, set[PairKey]] = defaultdict(set)
        table_index = {k: n for n, k in enumerate(inst.tables)}
        for m in meetings:
            pair, t = (m.startup, m.investor), inst.slot_index[m.slot]
            self._at[pair, t] += 1
            self._at_table[pair, t, table_index[m.table]] += 1
            self._of[m.startup].add(pair)
            self._of[m.investor].add(pair)
            self._in[t].add(pair)
        self._meets = Counter(pair for pair, _ in self._at.elements())

    def pairs(self) -> Iterable[PairKey]:
        return sorted(self._meets)

    def pairs_of(self, participant: str) -> Iterable[PairKey]:
        return sorted(self._of.get(participant, ()))

    def pairs_in(self, slot: int) -> Iterable[PairKey]:
        return sorted(self._in.get(slot, ()))

    def meets(self, pair: PairKey) -> int:
        return self._meets[pair]

    def at(self, pair: PairKey, slot: int) -> int:
        return self._at[pair, slot]

    def at_table(self, pair: PairKey, slot: int, table: int) -> int:
        return self._at_table[pair, slot, table]


def broken(constraint: Linear) -> bool:
    """Whether a constraint with constant terms does not hold."""
    total = sum(constraint.terms)
    return ((constraint.lb is not None and total < constraint.lb)
            or (constraint.ub is not None and total > constraint.ub))


def unknown_references(inst: Instance, schedule: Schedule) -> list[str]:
    """Meetings that name a startup, investor, slot or table the event does not have."""
    known = {"startup": set(inst.startups), "investor": set(inst.investors),
             "slot": set(inst.slot_ids), "table": set(inst.tables)}
    problems = []
    for n, m in enumerate(schedule.meetings, 1):
        for what, ids in known.items():
            value = getattr(m, what)
            if value not in ids:
                problems.append(f"meeting {n} ({m.startup}/{m.investor}) names unknown {what} "
                                f"{value}")
    return problems


def wrong_claims(inst: Instance, schedule: Schedule, meetings: list[Meeting]) -> list[str]:
    """Claims of the schedule file that do not match what its meetings give."""
    problems = []
    for m in meetings:
        real = inst.scores[m.startup, m.investor]
        if m.score != real:
            problems.append(f"meeting {m.startup}/{m.investor} claims score {m.score}, "
                            f"but the pair scores {real}")
    for uid, n in Counter(m.uid for m in schedule.meetings).items():
        if n > 1:
            problems.append(f"uid {uid} is used by {n} meetings")
    score = sum(inst.scores[m.startup, m.investor] for m in meetings)
    breaks = total_breaks((m.startup, m.investor, inst.slot_index[m.slot]) for m in meetings)
    changes = table_changes((m.startup, m.table) for m in meetings)
    for what, claimed, real in (("score", schedule.score, score), ("breaks", schedule.breaks,
                                breaks), ("table_changes", schedule.table_changes, changes)):
        if claimed != real:
            problems.append(f"the schedule claims {what} {claimed}, but its meetings give {real}")
    if schedule.bound < schedule.score:
        problems.append(f"the bound {schedule.bound} is below the score {schedule.score}")
    if schedule.status == "optimal" and schedule.bound != schedule.score:
        problems.append(f"status is optimal, but the score {schedule.score} is below the bound "
                        f"{schedule.bound}")
    return problems


def violations(inst: Instance, schedule: Schedule) -> list[str]:
    """Every broken rule and every false claim of a schedule, as sentences."""
    problems = unknown_references(inst, schedule)
    meetings = [m for m in schedule.meetings
                if (m.startup, m.investor) in inst.scores and m.slot in inst.slot_index
                and m.table in inst.tables]
    values = ScheduleValues(inst, meetings)
    for r in RULES:
        problems += [c.label for c in r.constraints(inst, values) if broken(c)]
    return problems + wrong_claims(inst, schedule, meetings)
