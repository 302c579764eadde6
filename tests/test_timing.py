"""The timing engine on its own: the greedy first placement, the bounds, generated events.
Every claim is checked whatever the clock left for proofs: placements keep the rules, breaks
are counted truly, and a bound never exceeds the fewest breaks possible."""

import math
import random
import time
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

from matcher.bench.generate import SIZES, generate
from matcher.model.instance import Instance
from matcher.solve.pairing import choose_pairs
from matcher.solve.solver import timing_problem
from matcher.solve.timing import TimingMeeting, TimingProblem, solve_timing
from matcher.solve.timing.bounds import fewest_breaks_alone
from matcher.solve.timing.greedy import first_placement
from matcher.solve.timing.problem import breaks_of


def assert_valid(problem: TimingProblem, slots) -> None:
    """Every meeting in an allowed slot, nobody twice in a slot, no slot over capacity."""
    placed = [t for t in slots if t is not None]
    assert max(Counter(placed).values(), default=0) <= problem.capacity
    seen = set()
    for k, t in enumerate(slots):
        if t is None:
            continue
        assert t in problem.meetings[k].slots
        for p in problem.sides(k):
            assert (p, t) not in seen
            seen.add((p, t))


def full_event(seed: int) -> TimingProblem:
    """A bipartite event whose meetings fill every table of every slot."""
    rng = random.Random(seed)
    slots, capacity = 6, 5
    left, right = 8, 8
    meetings, load = [], Counter()
    for _ in range(100 * slots * capacity):  # a pick fails only near the end: far fewer tries
        a, b = rng.randrange(left), left + rng.randrange(right)
        if load[a] < slots and load[b] < slots:
            load.update((a, b))
            meetings.append(TimingMeeting(a=a, b=b, slots=tuple(range(slots))))
        if len(meetings) == slots * capacity:
            break
    else:
        raise AssertionError(f"seed {seed}: no full event after {100 * slots * capacity} picks")
    return TimingProblem(participants=tuple(f"p{n}" for n in range(left + right)), slots=slots,
                         capacity=capacity, meetings=tuple(meetings))


@pytest.mark.parametrize("seed", range(5))
def test_greedy_placement_keeps_the_rules(seed):
    problem = full_event(seed)
    assert_valid(problem, first_placement(problem))


@pytest.mark.parametrize("seed", range(5))
def test_complete_greedy_placements_are_given_as_soon_as_found(seed):
    problem = full_event(seed)
    given: list[list[int]] = []
    placed = first_placement(problem, on_complete=given.append)
    for slots in given:
        assert len(slots) == len(problem.meetings)
        assert_valid(problem, slots)
    breaks = [sum(breaks_of(problem, tuple(slots))) for slots in given]
    assert breaks == sorted(breaks, reverse=True)  # each one better than the last
    assert (None in placed) == (not given) and (not given or given[-1] == placed)


def test_a_large_problem_out_of_time_keeps_its_first_complete_placement(monkeypatch):
    from matcher.solve.timing import greedy

    problem = full_event(0)
    sweep = greedy.Sweep.run

    def out_of_time_after_the_first(self, first, until):
        # every pass leaves a meeting over, so there are further rounds; the second
        # round's pass makes the time run out
        if first.any():
            monkeypatch.setattr(greedy, "time", SimpleNamespace(monotonic=lambda: math.inf))
            return np.full(len(problem.meetings), -1)
        placed = sweep(self, first, until)
        placed[0] = -1
        return placed

    monkeypatch.setattr(greedy.Sweep, "run", out_of_time_after_the_first)
    result = solve_timing(problem, time_limit=30, large=True)
    assert result.status == "feasible" and not result.left_out
    assert_valid(problem, result.slots)


@pytest.mark.parametrize("seed", range(3))
def test_engine_places_a_full_event(seed):
    problem = full_event(seed)
    result = solve_timing(problem, time_limit=10)
    assert result.status in ("optimal", "feasible")
    assert_valid(problem, result.slots)
    assert result.breaks == sum(breaks_of(problem, result.slots)) >= result.bound


def test_one_participant_alone():
    assert fewest_breaks_alone([(0, 1, 2)] * 3, 3) == 0
    assert fewest_breaks_alone([(0, 2), (0, 2)], 3) == 1
    assert fewest_breaks_alone([(0,), (2,), (4,)], 5) == 2


def test_precedence_and_hint_are_kept():
    problem = TimingProblem(
        participants=("a", "b", "c"), slots=3, capacity=1,
        meetings=(TimingMeeting(a=0, b=1, slots=(0, 1, 2)), TimingMeeting(a=0, b=2, slots=(0, 1, 2))),
        precedences=((1, 0),), hint=(2, 1))
    result = solve_timing(problem, time_limit=5)
    assert result.slots[1] < result.slots[0]
    assert result.breaks == 0  # the hint has none, and the engine never returns worse
    assert result.status == "optimal"  # no break: nothing to prove


def test_generated_michk_event_is_timed_within_its_bounds():
    inst = Instance(generate(SIZES["michk"], 0))
    problem = timing_problem(inst, choose_pairs(inst, 10).pairs)
    result = solve_timing(problem, time_limit=10)
    assert_valid(problem, result.slots)
    assert result.breaks == sum(breaks_of(problem, result.slots)) >= result.bound
    assert (result.status == "optimal") == (result.breaks == result.bound)


def test_a_failing_search_stops_the_other_and_raises(monkeypatch):
    from matcher.solve.timing import search

    seen = []

    def waits(race, *args):  # stands in for `improve`: runs until the race is stopped
        deadline = time.monotonic() + 10
        while not race.failed and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(race.closed())

    def fails(*args):
        raise RuntimeError("climb broke")

    monkeypatch.setattr(search, "improve", waits)
    monkeypatch.setattr(search, "climb", fails)
    with pytest.raises(RuntimeError, match="climb broke"):
        solve_timing(full_event(0), time_limit=30)
    assert seen == [True]


def test_a_fair_placement_replaces_an_unfair_first_one():
    from matcher.solve.timing import TimingModel
    from matcher.solve.timing.search import Race, first_fair

    problem = TimingProblem(
        participants=("a", "b", "c"), slots=4, capacity=2, fairness=0,
        meetings=(TimingMeeting(a=0, b=1, slots=(0, 1, 2, 3)),
                  TimingMeeting(a=0, b=2, slots=(0, 1, 2, 3))),
        hint=(0, 2))  # a breaks, b and c do not: unfair for fairness 0
    race = Race(problem, 10, None, None)
    race.offer(problem.hint)
    assert race.best is None  # the race keeps fair placements only
    first_fair(race, TimingModel(problem, hint=problem.hint), 1)
    assert race.best is not None
    assert len(set(breaks_of(problem, race.best))) == 1


def test_polish_keeps_the_best_placement_or_better_and_proves_no_more_than_holds():
    from matcher.solve.timing import TimingModel
    from matcher.solve.timing.search import Race, polish

    # a meets b at 0 and d at 4; c between them: at 1 or 3 one break, at 2 two
    problem = TimingProblem(
        participants=("a", "b", "c", "d"), slots=5, capacity=1,
        meetings=(TimingMeeting(a=0, b=1, slots=(0,)), TimingMeeting(a=0, b=2, slots=(1, 2, 3)),
                  TimingMeeting(a=0, b=3, slots=(4,))))
    race = Race(problem, 10, None, None)
    race.offer((0, 2, 4))
    assert race.breaks == 2
    polish(race, TimingModel(problem))
    assert race.best is not None and race.breaks == sum(breaks_of(problem, race.best))
    assert 2 >= race.breaks >= 1 >= race.bound  # 1 is the fewest possible
    assert (race.result().status == "optimal") == (race.bound == race.breaks == 1)


def test_breaks_are_counted_within_days():
    # a meets b, c and d, who are free only at slot 0, 2 and 5: two breaks on one day; over two
    # days (slots 0-2, then 3-5) only the one between 0 and 2, the rest of day 0 and the
    # night before slot 5 being no break.
    meetings = (TimingMeeting(a=0, b=1, slots=(0,)), TimingMeeting(a=0, b=2, slots=(2,)),
                TimingMeeting(a=0, b=3, slots=(5,)))
    one_day = TimingProblem(participants=("a", "b", "c", "d"), slots=6, capacity=1,
                            meetings=meetings)
    two_days = one_day.model_copy(update={"days": (0, 0, 0, 1, 1, 1)})
    assert solve_timing(one_day, time_limit=5).breaks == 2  # each meeting has one slot
    result = solve_timing(two_days, time_limit=5)
    assert result.breaks == 1 >= result.bound
    assert (result.status == "optimal") == (result.bound == 1)


def test_days_must_follow_the_slots():
    with pytest.raises(ValueError, match="days must give each of the 3 slots a day, in order"):
        TimingProblem(participants=("a", "b"), slots=3, capacity=1,
                      meetings=(TimingMeeting(a=0, b=1, slots=(0,)),), days=(0, 1, 0))
