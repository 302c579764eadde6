"""`matcher bench` and what it runs: the trade-show generator, one solve per solver, the fairness
columns, gaps against the run's best bound, and peak memory counted over child processes."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from matcher.bench.generate import Size, TradeSize, generate, generate_trade
from matcher.bench.generated import fairness, peak_mb, run_one, sizes_of, with_gaps
from matcher.cli import main
from matcher.model.check import violations
from matcher.model.event import Event
from matcher.model.instance import Instance
from matcher.model.schedule import OBJECTIVES, Meeting, Schedule
from matcher.solve.solver import solve

SMALL_TRADE = TradeSize("t", buyers=30, exhibitors=20, days=3, slots_per_day=6, diary=0.6)
SMALL = Size("small", startups=4, investors=8, slots=6, tables=4)


def test_trade_show_is_shaped_like_the_published_ones() -> None:
    event = generate_trade(SMALL_TRADE, seed=1)
    inst = Instance(event)
    assert len(event.startups) == 20 and len(event.investors) == 30
    assert len(event.tables) == len(event.startups)  # every exhibitor has its own table
    days = Counter(s.start.date() for s in event.slots)
    assert list(days.values()) == [6, 6, 6]
    # Buyers who stay away miss whole days; every buyer's diary fits its free slots.
    day_of = {s.id: s.start.date() for s in event.slots}
    for buyer in event.investors:
        away = Counter(day_of[t] for t in buyer.unavailable)
        assert all(n == 6 for n in away.values())
        assert 1 <= buyer.max_meetings <= len(inst.free[buyer.id])
    # Popularity is uneven: some exhibitors are wished for far more often than others.
    wished = Counter(s for b in event.investors for s in b.wishes)
    assert max(wished.values()) >= 3 * min(wished.get(s.id, 0) for s in event.startups) + 2
    assert generate_trade(SMALL_TRADE, seed=1) == event
    assert generate_trade(SMALL_TRADE, seed=2) != event


def test_small_trade_show_solves_to_a_valid_schedule() -> None:
    event = generate_trade(SMALL_TRADE, seed=0)
    schedule = solve(event, time_limit=10)
    assert violations(Instance(event), schedule) == []
    assert schedule.table_changes == 0  # exhibitors stay at their tables


@pytest.fixture
def small_events(monkeypatch) -> None:
    """The bench's sizes stand for a small event, which every solver decides in a fraction of
    the time limits below: what a test checks then holds however busy the machine is."""
    from matcher.bench import generated

    monkeypatch.setattr(generated, "event_of", lambda size, seed: generate(SMALL, seed))


@pytest.mark.parametrize("solver", ["cpsat", "flow", "naive"])
def test_one_bench_row_is_checked_and_complete(solver: str, small_events) -> None:
    row = run_one("michk", 0, solver, 60.0)
    assert row["valid"] == "yes"
    assert row["score"] <= row["bound"]
    # the same rule for every solver: optimal when every objective is proven, the score
    # proven when it reaches the bound
    proven = row["proven"].split()
    assert ("score" in proven) == (row["score"] == row["bound"])
    assert row["status"] == ("optimal" if len(proven) == len(OBJECTIVES) else "feasible")
    assert row["peak MB"] > 0
    assert row["startups' floor"] >= 0 and row["investor spread"] >= 0


def test_naive_meetings_are_seated_with_the_same_stage_as_the_staged_solvers(monkeypatch,
                                                                            small_events) -> None:
    from matcher.bench import generated

    seen = []
    real = generated.seat

    def spy(inst, placed, time_limit, workers=2):
        seen.append(time_limit)
        return real(inst, placed, time_limit, workers)

    monkeypatch.setattr(generated, "seat", spy)
    run_one("michk", 1, "naive", 60.0)
    # with time for its CP-SAT seating, as the staged solver gets: a share of the limit that
    # the naive model leaves whatever time it takes
    assert seen and seen[0] > 0


def test_gap_is_against_the_best_bound_of_the_run() -> None:
    rows = with_gaps([
        {"size": "m", "seed": 0, "solver": "cpsat", "score": 95, "bound": 100},
        {"size": "m", "seed": 0, "solver": "naive", "score": 90, "bound": 120},
        {"size": "m", "seed": 1, "solver": "naive", "status": "unknown"},
    ])
    assert [row.get("gap") for row in rows] == ["5.00%", "10.00%", None]


def test_fairness_columns(tiny: dict) -> None:
    inst = Instance(Event.model_validate(tiny))

    def meeting(s: str, i: str, slot: str) -> Meeting:
        return Meeting(startup=s, investor=i, slot=slot, table="T1", score=1, uid=f"{s}{i}")

    # a may meet x and z (reach 2), b may meet x and y (reach 2); a has 2, b has none.
    schedule = Schedule(status="feasible", score=3, bound=9, breaks=0, table_changes=0,
                        meetings=(meeting("a", "x", "s1"), meeting("a", "z", "s2")), seconds=0)
    columns = fairness(inst, schedule)
    assert columns["startups' floor"] == 0 and columns["startup spread"] == 2
    # y could have met b and has nothing; x and z each have one meeting.
    assert columns["investors' floor"] == 0 and columns["investor spread"] == 1


def test_peak_memory_counts_child_processes() -> None:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    subprocess.run([sys.executable, "-c", "b = bytearray(300 * 2**20); b[::4096] = b'x' * "
                    "len(b[::4096])"], check=True)
    assert peak_mb() >= own + 250


def test_families_and_unknown_sizes(capsys) -> None:
    assert sizes_of("michk, trade") == ["michk", "trade-iltm", "trade-ate"]
    assert main(["bench", "--sizes", "michk,huge"]) == 2
    assert "unknown size huge" in capsys.readouterr().out
