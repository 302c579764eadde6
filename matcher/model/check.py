"""`matcher check`: validate a schedule against its event without any solver.

Every hard rule of `matcher.model.rules` is evaluated on the schedule's values, and every claim of the
schedule file (scores, totals, status) is recomputed. Each problem is a sentence naming its culprits.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import cached_property

from matcher.model.instance import Instance, PairKey
from matcher.model.objectives import Measures, measure
from matcher.model.rules import RULES, Linear, Rule
from matcher.model.schedule import OBJECTIVES, Fairness, Meeting, Schedule


class ScheduleValues:
    """The rules' container filled with a finished schedule: each term is a count of meetings.

    By default it holds every participant's and slot's constraints; `participants` and `slots`
    narrow it to those (a question about one meeting needs only the constraints it touches)."""

    def __init__(self, inst: Instance, meetings: Iterable[Meeting],
                 participants: Iterable[str] | None = None,
                 slots: Iterable[int] | None = None) -> None:
        table_index = {k: n for n, k in enumerate(inst.tables)}
        self._cells = [((m.startup, m.investor), inst.slot_index[m.slot], table_index[m.table])
                       for m in meetings]
        # Counted in one pass each (a trade show has 80,000 meetings); what only the table
        # rules read is gathered when they first ask.
        self._at: Counter[tuple[PairKey, int]] = Counter((pair, t) for pair, t, _ in self._cells)
        self._meets = Counter(pair for pair, _, _ in self._cells)
        # Read in order once, so that every list is sorted (every rule reads them in a stable
        # order) and holds each pair once.
        self._of: dict[str, list[PairKey]] = defaultdict(list)
        self._in: dict[int, list[PairKey]] = defaultdict(list)
        slots_of: dict[PairKey, list[int]] = defaultdict(list)
        self._pairs: list[PairKey] = []
        for pair, t in sorted(self._at):
            if not self._pairs or self._pairs[-1] != pair:
                self._pairs.append(pair)
                self._of[pair[0]].append(pair)
                self._of[pair[1]].append(pair)
            self._in[t].append(pair)
            slots_of[pair].append(t)
        # Tuples of numbers, which the garbage collector stops following (80,000 of them).
        self._slots_of = {pair: tuple(ts) for pair, ts in slots_of.items()}
        self._participants = inst.participants if participants is None else tuple(participants)
        self._slots = range(len(inst.slot_ids)) if slots is None else sorted(slots)

    @cached_property
    def _at_table(self) -> Counter[tuple[PairKey, int, int]]:
        return Counter(self._cells)

    @cached_property
    def _tables_of(self) -> dict[tuple[PairKey, int], list[int]]:
        tables_of: dict[tuple[PairKey, int], set[int]] = defaultdict(set)
        for pair, t, k in self._cells:
            tables_of[pair, t].add(k)
        return {key: sorted(ks) for key, ks in tables_of.items()}

    def participants(self) -> Iterable[str]:
        return self._participants

    def slots(self) -> Iterable[int]:
        return self._slots

    def pairs(self) -> Iterable[PairKey]:
        return self._pairs

    def pairs_of(self, participant: str) -> Iterable[PairKey]:
        return self._of.get(participant, ())

    def pairs_in(self, slot: int) -> Iterable[PairKey]:
        return self._in.get(slot, ())

    def slots_of(self, pair: PairKey) -> Iterable[int]:
        return self._slots_of.get(pair, ())

    def tables_of(self, pair: PairKey, slot: int) -> Iterable[int]:
        return self._tables_of.get((pair, slot), ())

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


def broken_rules(inst: Instance, values: ScheduleValues, rules: Iterable[Rule] = RULES,
                 ) -> Iterator[tuple[Rule, Linear]]:
    """Each constraint of the hard rules (all, or those given) that a finished schedule breaks,
    with its rule."""
    for r in rules:
        for constraint in r.constraints(inst, values):
            if broken(constraint):
                yield r, constraint


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
    got = measure(inst, meetings)
    for what, claimed, real in (("score", schedule.score, got.score),
                                ("breaks", schedule.breaks, got.breaks),
                                ("table_changes", schedule.table_changes, got.table_changes)):
        if claimed != real:
            problems.append(f"the schedule claims {what} {claimed}, but its meetings give {real}")
    if schedule.bound < schedule.score:
        problems.append(f"the bound {schedule.bound} is below the score {schedule.score}")
    if schedule.fairness is not None:
        problems += wrong_fairness(inst, schedule, schedule.fairness, got)
    return problems + wrong_status(schedule)


def wrong_fairness(inst: Instance, schedule: Schedule, fair: Fairness, got: Measures,
                   ) -> list[str]:
    """Claims about the floors and their cost that the meetings or the event contradict."""
    problems = []
    for side, ids, claimed, bound, real in (
            ("startup", inst.startups, fair.startup_floor, fair.startup_floor_bound,
             got.startup_floor),
            ("investor", inst.investors, fair.investor_floor, fair.investor_floor_bound,
             got.investor_floor)):
        if claimed > real:
            who = min((p for p in ids if got.count[p] < min(claimed, inst.reach[p])),
                      key=lambda p: got.count[p])
            problems.append(f"the schedule claims every {side} has at least min({claimed}, its "
                            f"reach) meetings, but {who} has {got.count[who]} of its reach "
                            f"{inst.reach[who]}")
        elif claimed < real:
            problems.append(f"the schedule claims {side} floor {claimed}, but its meetings give "
                            f"{real}")
        if bound < claimed:
            problems.append(f"the {side} floor bound {bound} is below the floor {claimed}")
    best = schedule.score + fair.score_given_up
    loss = inst.event.fairness.max_score_loss
    allowed = math.floor(best * loss + 1e-9)
    if fair.score_given_up > allowed:
        problems.append(f"the schedule gives up {fair.score_given_up} of the best score {best} "
                        f"for the floors, but the event allows {allowed} "
                        f"(fairness.max_score_loss {loss:g})")
    if schedule.bound < best:
        problems.append(f"the bound {schedule.bound} is below the best score {best} found")
    return problems


def wrong_status(schedule: Schedule) -> list[str]:
    """A status or proofs the schedule's own figures contradict."""
    if schedule.proven is None:  # a file from before `proven`: optimal meant the score only
        if schedule.status == "optimal" and schedule.bound != schedule.score:
            return [f"status is optimal, but the score {schedule.score} is below the bound "
                    f"{schedule.bound}"]
        return []
    problems = []
    missing = [o for o in OBJECTIVES if o not in schedule.proven]
    if schedule.status == "optimal" and missing:
        problems.append(f"status is optimal, but {', '.join(missing)} "
                        f"{'is' if len(missing) == 1 else 'are'} not proven optimal")
    fair = schedule.fairness
    best = schedule.score + (fair.score_given_up if fair else 0)
    if "score" in schedule.proven and best != schedule.bound:
        problems.append(f"the score is claimed proven, but the best score {best} is below the "
                        f"bound {schedule.bound}")
    for side in ("startup", "investor"):
        if f"{side}_floor" not in schedule.proven:
            continue
        if fair is None:
            problems.append(f"the {side} floor is claimed proven, but the schedule gives none")
        elif getattr(fair, f"{side}_floor") != getattr(fair, f"{side}_floor_bound"):
            problems.append(f"the {side} floor is claimed proven, but its bound is "
                            f"{getattr(fair, f'{side}_floor_bound')}")
    return problems


def checkable(inst: Instance, meetings: Iterable[Meeting]) -> list[Meeting]:
    """The meetings whose pair, slot and table the event knows (the rules can weigh only those;
    `unknown_references` names the others)."""
    tables = set(inst.tables)  # a trade show's 1,500, looked up for each of 80,000 meetings
    return [m for m in meetings
            if (m.startup, m.investor) in inst.scores and m.slot in inst.slot_index
            and m.table in tables]


def violations(inst: Instance, schedule: Schedule) -> list[str]:
    """Every broken rule and every false claim of a schedule, as sentences."""
    problems = unknown_references(inst, schedule)
    meetings = checkable(inst, schedule.meetings)
    problems += [c.label for _, c in broken_rules(inst, ScheduleValues(inst, meetings))]
    return problems + wrong_claims(inst, schedule, meetings)


class BrokenSchedule(Exception):
    """A schedule that breaks a hard rule or makes a false claim: never written nor stored."""


def verified(inst: Instance, schedule: Schedule) -> Schedule:
    """The schedule itself once `violations` finds nothing in it; else BrokenSchedule, whose
    message gives the problems in the rules' words."""
    problems = violations(inst, schedule)
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise BrokenSchedule("; ".join(problems[:3]) + more)
    return schedule
