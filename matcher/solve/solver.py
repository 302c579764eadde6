"""`matcher solve`: the staged solver. Pairs for the score and fair shares, then slots for the
breaks, then tables.

Stage 1 (`pairing`) proves the best score, and `fairness` raises the startups' floor, then the
investors', at that score (or within the share of it the event allows to give up); stage 2
(`timing`, the B2B engine) places those pairs with fewest breaks, stage 3 (`tables`) seats them
with fewest table changes. If the timing engine cannot place the chosen pairs, the time-indexed
model (`naive`) chooses pairs that it can (with no floors).

Two engines run these stages. `cpsat` proves what it can with CP-SAT models in each stage. Its
models grow with meetings x slots, so events past `LARGE` of those (trade shows of thousands of
participants over several days) take `flow`: the best score by the pairing's min-cost flow
alone (`flow.best_pairs`), the same floors, then a matching per slot improved by Kempe chain
moves (`timing.kempe`) instead of the timing model; the naive fallback is out of reach at that
size, so meetings the timing leaves out (its time ran out, or no slot was found) are dropped
when the rules allow.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Literal

from matcher.model.event import Event
from matcher.model.feasibility import impossible_setups
from matcher.model.instance import Instance, PairKey
from matcher.model.objectives import Proofs, claims
from matcher.model.schedule import Meeting, Schedule, meeting_uid
from matcher.solve.cpsat import Deadline, Progress, ProgressCallback
from matcher.solve.fairness import FairChoice, raise_floors
from matcher.solve.flow import Candidates, best_pairs
from matcher.solve.naive import solve_naive
from matcher.solve.pairing import Infeasible, PairChoice, choose_pairs
from matcher.solve.tables import seat
from matcher.solve.timing import TimingMeeting, TimingProblem, solve_timing
from matcher.solve.timing.finish import Finish, clock
from matcher.solve.timing.greedy import first_placement
from matcher.solve.timing.search import LARGE

Engine = Literal["auto", "cpsat", "flow"]
# What follows the flow engine's timing takes about this many times the processor time of
# building its timing problem: on a trade show of 79,000 meetings, on an idle machine, building
# took 0.77 s; seating 0.62 s, the schedule file 1.57 s, checking it 3.8 s, the summary 0.6 s
# (8.6 times in all). The checker has since become faster (2.5 s: 5.9 times in all); the time
# limit was measured with 9 (docs/benchmarks.md), which leaves the Kempe moves ~2 s less.
AFTER_TIMING = 9.0
# The greedy placement, which every schedule needs, ends this many times the building's
# wall-clock time before the limit: less than all that follows, since a placement a little
# late beats none (12 times left it no time at load 17, docs/tried.md).
GREEDY_ROOM = 6.0


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
    # Built without validation (80,000 meetings took seconds): consistent by construction.
    return TimingProblem.model_construct(
        participants=inst.participants,
        slots=len(inst.slot_ids),
        capacity=len(inst.tables),
        meetings=tuple(TimingMeeting.model_construct(
            a=index[s], b=index[i], slots=tuple(sorted(inst.common_slots((s, i)))))
            for s, i in pairs),
        hint=None if hint is None else tuple(hint[p] for p in pairs),
        days=inst.days,
    )


def place(inst: Instance, pairs: tuple[PairKey, ...], time_limit: float, workers: int,
          on_progress: ProgressCallback | None, should_stop: Callable[[], bool] | None,
          hint: dict[PairKey, int] | None = None, engine: Engine = "cpsat",
          ) -> dict[PairKey, int] | None:
    """Time the pairs with the timing engine (with its CP-SAT model for the `cpsat` engine,
    without for `flow`); None when it cannot place them all. The `flow` engine's timing may
    leave meetings out (`TimingResult.left_out`): they are dropped when the rules allow, else
    TimeoutError.

    The `flow` engine's search goes on as long as it is given, so it ends early enough for
    what comes after it (seating, the schedule file, the caller's check and writing), which
    takes time in proportion to the meetings, as building the timing problem did: the greedy
    placement keeps `GREEDY_ROOM` times its wall-clock time, and the moves that only improve
    the placement stop when `AFTER_TIMING` times its processor time, stretched by the share of
    a processor the solve has had lately (the load may grow meanwhile), would not fit
    (`Finish`)."""
    began = clock()
    problem = timing_problem(inst, pairs, hint)
    finish = None
    if engine == "flow":
        finish = Finish(began[0] + time_limit, AFTER_TIMING * (time.process_time() - began[1]),
                        since=began)
        time_limit -= GREEDY_ROOM * (time.monotonic() - began[0])
    result = solve_timing(problem, time_limit, workers, on_progress, should_stop,
                          large=engine == "flow", finish=finish)
    if result.status not in ("optimal", "feasible"):
        return None
    placed = {p: t for p, t in zip(pairs, result.slots, strict=True) if t >= 0}
    if pairs and not placed:  # an empty timetable is no schedule
        raise TimeoutError("no timetable found within the time limit")
    if result.left_out:
        dropped = [pairs[k] for k in result.left_out]
        held = Counter(s for s, _ in placed)
        if any(p in inst.required or p in inst.pins for p in dropped) or any(
                held[s] < inst.min_meetings[s] for s, _ in dropped):
            raise TimeoutError("no timetable found within the time limit for all the meetings "
                               "that must take place")
    return placed


def solve(event: Event, time_limit: float = 30.0, workers: int = 2,
          on_progress: ProgressCallback | None = None,
          should_stop: Callable[[], bool] | None = None, engine: Engine = "auto") -> Schedule:
    """Solve an event within the time limit; raise Infeasible when its hard rules cannot hold."""
    return solve_instance(Instance(event), time_limit, workers, on_progress, should_stop,
                          engine)


def engine_for(inst: Instance) -> Engine:
    """The engine `auto` picks: `flow` when the timing model could pass `LARGE` (meeting, slot)
    pairs, the most meetings the caps and the tables allow times the slots."""
    meetings = min(sum(inst.max_meetings[s] for s in inst.startups),
                   sum(inst.max_meetings[i] for i in inst.investors),
                   len(inst.tables) * len(inst.slot_ids))
    return "flow" if meetings * len(inst.slot_ids) > LARGE else "cpsat"


def solve_instance(inst: Instance, time_limit: float = 30.0, workers: int = 2,
                   on_progress: ProgressCallback | None = None,
                   should_stop: Callable[[], bool] | None = None,
                   engine: Engine = "auto") -> Schedule:
    """Solve a prepared event (see `solve`)."""
    problems = impossible_setups(inst)
    if problems:
        raise Infeasible("; ".join(problems))
    # Keep a little time for seating and writing, so the whole solve ends within the limit.
    deadline = Deadline(time_limit * 0.97 - 0.1)
    if engine == "auto":
        engine = engine_for(inst)
    cands = Candidates(inst, inst.candidates) if engine == "flow" else None
    tell(on_progress, "pairs", deadline)
    if cands is not None:
        choice = best_pairs(cands)
    else:
        choice = choose_pairs(inst, deadline.left() * 0.4, workers, on_progress=on_progress,
                              should_stop=should_stop)
    tell(on_progress, "pairs", deadline, choice.score, choice.bound)  # also when the LP answered
    tell(on_progress, "floors", deadline)
    fair = raise_floors(inst, choice, deadline.left() * 0.3, workers, on_progress, should_stop,
                        cands)
    proofs = proofs_of(inst, choice, fair, deadline, workers, should_stop, engine)
    tell(on_progress, "pairs", deadline, fair.score, choice.bound)
    if deadline.left() <= 0:
        raise TimeoutError("no timetable found within the time limit")
    tell(on_progress, "timing", deadline)
    placed = place(inst, fair.pairs, deadline.left() * (1 if engine == "flow" else 0.7),
                   workers, on_progress, should_stop, engine=engine)
    if placed is not None and len(placed) < len(fair.pairs):
        # Meetings dropped: the floors are measured, but proven no more.
        proofs = Proofs(choice.bound)
    if placed is None and engine == "flow":  # the time-indexed model is out of reach
        raise TimeoutError("no timetable found within the time limit")
    if placed is None:
        tell(on_progress, "naive", deadline)
        fallback = solve_naive(inst, deadline.left() * 0.7, workers, with_breaks=False)
        if fallback.status == "infeasible":
            raise Infeasible("no timetable fits the meetings into everyone's free slots and "
                             "the tables")
        if fallback.status == "unknown":
            raise TimeoutError("no timetable found within the time limit")
        # Its pairs are not the fair ones: the floors are measured, but proven no more.
        proofs = Proofs(min(choice.bound, fallback.bound))
        tell(on_progress, "naive", deadline, fallback.score, min(choice.bound, fallback.bound))
        tell(on_progress, "timing", deadline)
        retimed = place(inst, tuple(fallback.placed), deadline.left() * 0.8, workers,
                        on_progress, should_stop, hint=fallback.placed)
        placed = retimed or fallback.placed
    stopped = should_stop is not None and should_stop()
    tell(on_progress, "tables", deadline)
    seated = seat(inst, placed, 0 if stopped else deadline.left(), workers)
    return schedule_of(inst, placed, seated, proofs, deadline.elapsed())


def proofs_of(inst: Instance, choice: PairChoice, fair: FairChoice, deadline: Deadline,
              workers: int, should_stop: Callable[[], bool] | None, engine: Engine) -> Proofs:
    """What the pairing and the floors proved. When the floors gave up score, the best score
    (the choice's) and the floor bounds proven at a share of it hold for timetables only if
    some timetable places the choice's pairs: tried within a sixth of the time left, else the
    floors are left to their reach and the best score is not claimed reached."""
    given_up = max(0, choice.score - fair.score)
    if given_up and not timeable(inst, choice.pairs, deadline.left() / 6, workers,
                                 should_stop, engine):
        return Proofs(choice.bound, score_given_up=given_up, best_timed=False)
    return Proofs(choice.bound, fair.startup_floor_bound, fair.investor_floor_bound,
                  score_given_up=given_up)


def timeable(inst: Instance, pairs: tuple[PairKey, ...], time_limit: float, workers: int,
             should_stop: Callable[[], bool] | None, engine: Engine) -> bool:
    """Whether some timetable is found for all these pairs within the time limit: the greedy
    placement, then (for the `cpsat` engine) the timing model."""
    until = time.monotonic() + time_limit
    problem = timing_problem(inst, pairs)
    if all(t is not None for t in first_placement(problem, until=until)):
        return True
    if engine == "flow" or time.monotonic() >= until:
        return False
    result = solve_timing(problem, until - time.monotonic(), workers, None, should_stop,
                          large=False)
    return result.status in ("optimal", "feasible") and all(t >= 0 for t in result.slots)


def tell(on_progress: ProgressCallback | None, stage: str, deadline: Deadline,
         objective: float | None = None, bound: float | None = None) -> None:
    """Report a stage's start (no figures yet) or its outcome."""
    if on_progress is not None:
        on_progress(Progress(stage, objective, bound, deadline.elapsed()))


def schedule_of(inst: Instance, placed: dict[PairKey, int], seated: dict[PairKey, int],
                proofs: Proofs, seconds: float) -> Schedule:
    """The schedule file of a solved event, meetings in slot then table order, with its
    objectives measured and what `proofs` proved about them."""
    table_index = {k: n for n, k in enumerate(inst.tables)}
    # Built without validation: ids come from the event, and callers check the schedule.
    meetings = tuple(sorted(
        (Meeting.model_construct(startup=s, investor=i, slot=inst.slot_ids[placed[s, i]],
                                 table=inst.tables[seated[s, i]], score=inst.scores[s, i],
                                 uid=meeting_uid(inst.event.name, s, i), sequence=0)
         for s, i in placed),
        key=lambda m: (inst.slot_index[m.slot], table_index[m.table])))
    return Schedule(meetings=meetings, seconds=round(seconds, 3),
                    **claims(inst, meetings, proofs))
