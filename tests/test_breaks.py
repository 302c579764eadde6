"""One definition of a break (`matcher.model.objectives.breaks_in`), and the timing engine's
break literals agree with it."""

from __future__ import annotations

import random

import pytest
from ortools.sat.python import cp_model

from matcher.model.objectives import breaks_in, total_breaks
from matcher.solve.timing.model import gap_literals


def test_a_group_of_idle_slots_between_meetings_is_one_break() -> None:
    assert breaks_in([0, 1, 2]) == 0
    assert breaks_in([0, 3, 4]) == 1  # two idle slots, one break
    assert breaks_in([4, 0, 2, 6]) == 3
    assert breaks_in([1, 1]) == 0


def test_the_night_and_a_day_away_are_no_breaks() -> None:
    days = [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert breaks_in([1, 4], days) == 0  # the last of day 0, then day 1
    assert breaks_in([0, 2, 4], days) == 1  # s0..s2 on day 0 is a break; the night is not
    assert breaks_in([0, 8], days) == 0  # away on day 1
    assert breaks_in([0, 8]) == 1  # the same slots on one day


def test_total_breaks_counts_both_sides() -> None:
    assert total_breaks([("a", "x", 0), ("a", "y", 2), ("b", "x", 3)]) == 2  # a: 0..2, x: 0..3


def literal_count(busy_slots: set[int], slots: int, days: list[int] | None = None) -> int:
    """The breaks CP-SAT's break literals count for a participant busy in these slots."""
    model = cp_model.CpModel()
    busy = {t: model.new_bool_var(f"busy[{t}]") for t in range(slots)}
    for t, lit in busy.items():
        model.add(lit == int(t in busy_slots))
    gaps = gap_literals(model, busy, "p", days)
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    return sum(solver.value(g) for g in gaps)


@pytest.mark.parametrize("seed", range(5))
def test_break_literals_count_what_breaks_in_counts(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(30):
        slots = rng.randint(1, 9)
        busy = {t for t in range(slots) if rng.random() < 0.5}
        days = sorted(rng.randrange(3) for _ in range(slots))
        assert literal_count(busy, slots) == breaks_in(busy)
        assert literal_count(busy, slots, days) == breaks_in(busy, days)
