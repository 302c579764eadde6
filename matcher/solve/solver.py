"""`matcher solve`: the staged solver. Pairs for the score and fair shares, then slots for the
breaks, then tables.

Stage 1 (`pairing`) proves the best score, and `fairness` raises the startups' floor, then the
investors', at that score (or within the share of it the event allows to give up); stage 2
(`timing`, the B2B engine) places those pairs with fewest breaks, stage 3 (`tables`) seats them
with fewest table changes. If the timing engine cannot place the chosen pairs, the time-indexed
model (`naive`) chooses pairs that it can (with no floors).
"""

from __future__ import annotations

from collections.abc import Callable

from matcher.model.event import Event
from matcher.model.feasibility import impossible_setups
from matcher.model.instance import Instance, PairKey
from matcher.model.objectives import Proofs, claims
from matcher.model.schedule import Meeting, Schedule, meeting_uid
from matcher.solve.cpsat import Deadline, ProgressCallback
from matcher.solve.fairness import raise_floors
from matcher.solve.naive import solve_naive
from matcher.solve.pairing import Infeasible, choose_pairs
from matcher.solve.tables import seat
from matcher.solve.timing import TimingMeeting, TimingProblem, solve_timing


def timing_problem(inst: Instance, pairs: tuple[PairKey, ...],
                   hint: dict[PairKey, int] | None = None) -> TimingProblem:
    """The chosen pairs as a timing problem: each may take the slots both sides are free.

    The timing engine states the slot rules of `matcher.model.rules` in its own terms, since it
    also solves the B2B benchmark (participants by index, no event) and its busy literals, which
    count the breaks, are the very sums that keep a participant to one meeting per slot:
    `available` and `pinned-slot` become each meeting's allowed slots (`common_slots`),
    `one-meeting-per-slot` the busy literals, `tables-per-slot` the capacity. Posting the rules
    again would only repeat those constraints. tests/test_timing_rules.py checks that the engine
    accepts exactly the placements the rules accept."""
    index = {p: n for n, p in enumerate(inst.participants)}
    return TimingProblem(
        participants=inst.participants,
        slots=len(inst.slot_ids),
        capacity=len(inst.tables),
        meetings=tuple(TimingMeeting(a=index[s], b=index[i],
                                     slots=tuple(sorted(inst.common_slots((s, i)))))
                       for s, i in pairs),
        hint=None if hint is None else tuple(hint[p] for p in pairs),
        days=inst.days,
    )


def place(inst: Instance, pairs: tuple[PairKey, ...], time_limit: float, workers: int,
          on_progress: ProgressCallback | None, should_stop: Callable[[], bool] | None,
          hint: dict[PairKey, int] | None = None) -> dict[PairKey, int] | None:
    """Time the pairs with the timing engine; None when it cannot place them all."""
    result = solve_timing(timing_problem(inst, pairs, hint), time_limit, workers, on_progress,
                          should_stop)
    if result.status not in ("optimal", "feasible"):
        return None
    return dict(zip(pairs, result.slots, strict=True))


def solve(event: Event, time_limit: float = 30.0, workers: int = 2,
          on_progress: ProgressCallback | None = None,
          should_stop: Callable[[], bool] | None = None) -> Schedule:
    """Solve an event within the time limit; raise Infeasible when its hard rules cannot hold."""
    return solve_instance(Instance(event), time_limit, workers, on_progress, should_stop)


def solve_instance(inst: Instance, time_limit: float = 30.0, workers: int = 2,
                   on_progress: ProgressCallback | None = None,
                   should_stop: Callable[[], bool] | None = None) -> Schedule:
    """Solve a prepared event (see `solve`)."""
    problems = impossible_setups(inst)
    if problems:
        raise Infeasible("; ".join(problems))
    # Keep a little time for seating and writing, so the whole solve ends within the limit.
    deadline = Deadline(time_limit * 0.97 - 0.1)
    choice = choose_pairs(inst, deadline.left() * 0.4, workers, on_progress=on_progress,
                          should_stop=should_stop)
    fair = raise_floors(inst, choice, deadline.left() * 0.3, workers, on_progress, should_stop)
    proofs = Proofs(choice.bound, fair.startup_floor_bound, fair.investor_floor_bound,
                    score_given_up=max(0, choice.score - fair.score))
    placed = place(inst, fair.pairs, deadline.left() * 0.7, workers, on_progress, should_stop)
    if placed is None:
        fallback = solve_naive(inst, deadline.left() * 0.7, workers, with_breaks=False)
        if fallback.status == "infeasible":
            raise Infeasible("no timetable fits the meetings into everyone's free slots and "
                             "the tables")
        if fallback.status == "unknown":
            raise TimeoutError("no timetable found within the time limit")
        # Its pairs are not the fair ones: the floors are measured, but proven no more.
        proofs = Proofs(min(choice.bound, fallback.bound))
        retimed = place(inst, tuple(fallback.placed), deadline.left() * 0.8, workers,
                        on_progress, should_stop, hint=fallback.placed)
        placed = retimed or fallback.placed
    stopped = should_stop is not None and should_stop()
    seated = seat(inst, placed, 0 if stopped else deadline.left(), workers)
    return schedule_of(inst, placed, seated, proofs, deadline.elapsed())


def schedule_of(inst: Instance, placed: dict[PairKey, int], seated: dict[PairKey, int],
                proofs: Proofs, seconds: float) -> Schedule:
    """The schedule file of a solved event, meetings in slot then table order, with its
    objectives measured and what `proofs` proved about them."""
    meetings = tuple(sorted(
        (Meeting(startup=s, investor=i, slot=inst.slot_ids[placed[s, i]],
                 table=inst.tables[seated[s, i]], score=inst.scores[s, i],
                 uid=meeting_uid(inst.event.name, s, i)) for s, i in placed),
        key=lambda m: (inst.slot_index[m.slot], inst.tables.index(m.table))))
    return Schedule(meetings=meetings, seconds=round(seconds, 3),
                    **claims(inst, meetings, proofs))
