"""Kempe chain moves: fewer breaks, never more, and every rule of the placement kept."""

from __future__ import annotations

import random

import pytest

from matcher.solve.timing import TimingMeeting, TimingProblem
from matcher.solve.timing.kempe import KempeSearch
from matcher.solve.timing.problem import breaks_of
from tests.test_timing import assert_valid, full_event


def problem_of(meetings: list[tuple[int, int]], slots: int, capacity: int) -> TimingProblem:
    return TimingProblem(participants=tuple(f"p{n}" for n in range(6)), slots=slots,
                         capacity=capacity,
                         meetings=tuple(TimingMeeting(a=a, b=b, slots=tuple(range(slots)))
                                        for a, b in meetings))


def test_a_break_closes_along_a_chain() -> None:
    # p0 meets p1 in slot 0 and p2 in slot 2, and p2 meets p3 in slot 1: p0/p2 cannot move to
    # slot 1 alone, but along the chain p0 - p2 - p3 it swaps with p3/p2.
    problem = problem_of([(0, 1), (0, 2), (3, 2)], slots=3, capacity=2)
    search = KempeSearch(problem, [0, 2, 1])
    assert search.total() == 1
    assert search.chain(0, 2, 1) == ([1, 2], 3)
    assert search.run(until=float("inf")) == 0 == sum(breaks_of(problem, tuple(search.slots)))
    assert_valid(problem, search.slots)


def test_a_full_slot_takes_no_meeting() -> None:
    # The same break, but slot 1 already holds its one table's meeting, p4/p5.
    problem = problem_of([(0, 1), (0, 2), (4, 5)], slots=3, capacity=1)
    search = KempeSearch(problem, [0, 2, 1])
    search.run(until=float("inf"))
    assert_valid(problem, search.slots)
    assert search.slots[2] == 1 or sum(breaks_of(problem, tuple(search.slots))) < 1


def test_the_night_is_no_break() -> None:
    # p0 meets in the last slot of day 0 and the second of day 1: no break to remove.
    problem = problem_of([(0, 1), (0, 2)], slots=4, capacity=2)
    search = KempeSearch(problem, [1, 3], days=[0, 0, 1, 1])
    assert search.total() == 0
    assert KempeSearch(problem, [1, 3]).total() == 1


@pytest.mark.parametrize("seed", range(4))
def test_moves_keep_the_rules_and_never_add_breaks(seed: int) -> None:
    problem = full_event(seed)
    start = problem.model_copy(update={"meetings": tuple(
        m.model_copy(update={"slots": tuple(sorted(random.Random(seed + k).sample(
            range(problem.slots), 4)))}) for k, m in enumerate(problem.meetings))})
    from matcher.solve.timing.greedy import first_placement

    placed = first_placement(start)
    if None in placed:
        pytest.skip("the greedy placement left a meeting out")
    search = KempeSearch(start, placed)
    search.run(until=float("inf"))
    assert_valid(start, search.slots)
    assert sum(breaks_of(start, tuple(search.slots))) <= sum(breaks_of(start, tuple(placed)))


@pytest.mark.parametrize("rule", [{"precedences": ((0, 1),)}, {"fairness": 1}])
def test_large_problems_with_precedences_or_fairness_keep_the_greedy_placement(rule) -> None:
    from matcher.solve.timing import solve_timing

    problem = problem_of([(0, 1), (0, 2), (3, 2)], slots=3, capacity=2).model_copy(
        update=rule | {"hint": (0, 2, 1)})
    result = solve_timing(problem, time_limit=5, large=True)
    assert result.slots == (0, 2, 1)  # the hint, a greedy placement's stand-in, as it was


def test_a_large_problem_out_of_time_or_room_leaves_meetings_out() -> None:
    from matcher.solve.timing import solve_timing

    # Three meetings that may only take slot 0, which has one table.
    problem = TimingProblem(participants=tuple(f"p{n}" for n in range(6)), slots=2, capacity=1,
                            meetings=tuple(TimingMeeting(a=a, b=b, slots=(0,))
                                           for a, b in [(0, 1), (2, 3), (4, 5)]))
    result = solve_timing(problem, time_limit=5, large=True)
    assert result.status == "feasible" and len(result.left_out) == 2
    assert sorted(result.slots) == [-1, -1, 0]
    out_of_time = solve_timing(problem, time_limit=0, large=True)
    assert out_of_time.left_out == (0, 1, 2) and out_of_time.slots == (-1, -1, -1)


@pytest.mark.parametrize("seed", range(5))
def test_the_search_counts_breaks_as_breaks_in_does(seed: int) -> None:
    """The search counts a participant's breaks on its own table (it does for every move),
    and counts what `matcher.model.objectives.breaks_in` counts, the one definition."""
    from matcher.model.objectives import breaks_in

    rng = random.Random(seed)
    for _ in range(20):
        slots = rng.randint(1, 9)
        days = sorted(rng.randrange(3) for _ in range(slots))
        placed: list[tuple[int, int, int]] = []  # (a, b, slot): each one meeting per slot
        for t in range(slots):
            people = rng.sample(range(6), 6)
            placed += [(a, b, t) for a, b in zip(people[::2], people[1::2], strict=True)
                       if rng.random() < 0.6]
        problem = problem_of([(a, b) for a, b, _ in placed], slots, capacity=3).model_copy(
            update={"days": tuple(days)})
        search = KempeSearch(problem, [t for _, _, t in placed], days)
        for p in range(6):
            busy = [t for a, b, t in placed if p in (a, b)]
            for day in set(days):
                assert search.breaks(p, day) == breaks_in(t for t in busy if days[t] == day)
        assert search.total() == sum(breaks_of(problem, tuple(t for _, _, t in placed)))
