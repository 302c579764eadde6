"""`matcher b2b`: each rule on a hand-written instance, brute force on tiny ones, the command.
What a result claims is checked against the fewest breaks possible, whatever the clock left for
proofs; how often the engine proves its answers in time is the bench's to measure."""

import itertools
import json
import random
from pathlib import Path

import pytest
from ortools.sat.python.cp_model import INFEASIBLE, OPTIMAL, CpSolverStatus

from matcher.bench.b2b import (
    B2BResult,
    breaks_per_participant,
    solve_b2b,
    timing_problem,
    violations,
)
from matcher.bench.dzn import B2BInstance, B2BMeeting, read_dzn
from matcher.cli import main
from matcher.solve.timing import TimingModel, search
from matcher.solve.timing.bounds import participant_lower_bounds
from matcher.solve.timing.search import Race, settle

HERE = Path(__file__).parent / "b2b"


def solve(name: str, fairness: int | None = 2):
    inst = read_dzn(HERE / f"{name}.dzn")
    result = solve_b2b(inst, fairness, time_limit=10)
    assert result is not None
    if result.status != "infeasible":
        assert violations(inst, result.slots, fairness) == []
    return result


def assert_claims_hold(result: B2BResult | None, fewest: int | None) -> None:
    """A result against the fewest breaks possible (None: no schedule keeps the rules): its
    bound at most that, its breaks at least that, optimal only at that, infeasible only when no
    schedule exists."""
    if fewest is None:
        assert result is None or result.status == "infeasible"
        return
    assert result is not None and result.status != "infeasible"
    assert result.bound <= fewest <= result.breaks
    if result.status == "optimal":
        assert result.breaks == fewest


def test_sessions_keep_morning_and_afternoon_meetings_apart():
    result = solve("sessions")
    assert result.slots[0] in (1, 2) and result.slots[1] in (3, 4)
    assert_claims_hold(result, 0)
    if result.status == "optimal":
        assert result.slots == (2, 3)  # the only placement without a break


def test_a_forbidden_slot_forces_a_break():
    result = solve("forbidden")
    assert sorted(result.slots) == [1, 3]
    assert_claims_hold(result, 1)


def test_fixed_meetings_stay_in_their_slots():
    result = solve("fixed")
    assert (result.slots[0], result.slots[2]) == (1, 4)
    assert_claims_hold(result, 2)


def test_precedences_order_meetings():
    assert solve("precedences").slots == (2, 1)


def test_capacity_spreads_meetings_over_slots():
    result = solve("capacity")
    assert sorted(result.slots) == [1, 2]
    assert_claims_hold(result, 0)


def test_too_few_tables_is_never_given_a_schedule():
    assert_claims_hold(solve_b2b(read_dzn(HERE / "crowded.dzn"), 2, time_limit=10), None)


def test_fairness_bound():
    assert_claims_hold(solve_b2b(read_dzn(HERE / "fairness.dzn"), 0, time_limit=10), None)
    assert_claims_hold(solve("fairness", fairness=1), 1)


def test_violations_name_the_broken_rule():
    assert violations(read_dzn(HERE / "sessions.dzn"), (2, 3)) == []
    assert "meeting 1 is in slot 3, outside its session" in violations(
        read_dzn(HERE / "sessions.dzn"), (3, 4))[0]
    assert "participant 1 has meetings 1 and 2 in slot 1" in violations(
        read_dzn(HERE / "forbidden.dzn"), (1, 1))
    assert "slot 1 holds 2 meetings for 1 tables" in violations(
        read_dzn(HERE / "capacity.dzn"), (1, 1))


def test_violations_of_precedence_and_fairness():
    assert "meeting 2 must come before meeting 1" in violations(
        read_dzn(HERE / "precedences.dzn"), (1, 2))
    unfair = violations(read_dzn(HERE / "fairness.dzn"), (1, 3, 1), fairness=0)
    assert "break counts range from 0 to 1, more than 0 apart" in unfair


def tiny(seed: int) -> tuple[B2BInstance, int]:
    """A random instance small enough to enumerate, with every kind of rule, and a fairness."""
    rng = random.Random(seed)
    participants, slots = rng.randint(3, 5), rng.randint(3, 5)
    every_pair = list(itertools.combinations(range(1, participants + 1), 2))
    pairs = rng.sample(every_pair, min(len(every_pair), rng.randint(3, 6)))
    meetings = [B2BMeeting(a=a, b=b, session=rng.choice((1, 2, 3, 3, 3))) for a, b in pairs]
    forbidden = [frozenset(t for t in range(1, slots + 1) if rng.random() < 0.05)
                 for _ in range(participants)]
    fixed = [rng.randint(1, slots) if rng.random() < 0.05 else 0 for _ in meetings]
    precedences = [frozenset(j + 1 for j in range(len(meetings)) if j != k and rng.random() < 0.03)
                   for k in range(len(meetings))]
    inst = B2BInstance(participants=participants, tables=rng.randint(2, 3), slots=slots,
                       morning=rng.randint(1, slots - 1), meetings=meetings, forbidden=forbidden,
                       fixed=fixed, precedences=precedences)
    return inst, rng.choice((0, 1, 2))


def fewest_breaks(inst: B2BInstance, fairness: int) -> int | None:
    """The optimum by enumerating every schedule; None when none keeps the rules."""
    every = itertools.product(range(1, inst.slots + 1), repeat=len(inst.meetings))
    return min((sum(breaks_per_participant(inst, slots).values()) for slots in every
                if not violations(inst, slots, fairness)), default=None)


@pytest.mark.parametrize("seed", range(40))
def test_engine_never_contradicts_brute_force(seed):
    inst, fairness = tiny(seed)
    best = fewest_breaks(inst, fairness)
    result = solve_b2b(inst, fairness, time_limit=10)
    assert_claims_hold(result, best)
    if result is not None and result.status != "infeasible":
        assert violations(inst, result.slots, fairness) == []


class DeadSandbox(search.Sandbox):
    """A sandbox whose child has died at once, as when CP-SAT aborts it."""

    def __init__(self, model) -> None:
        super().__init__(model)
        self._kill()


@pytest.mark.parametrize("child", ["alive", "dead"])
@pytest.mark.parametrize("seed", range(40))
def test_cases_by_first_unsteady_participant_never_contradict_brute_force(seed, child,
                                                                          monkeypatch):
    if child == "dead":
        monkeypatch.setattr(search, "Sandbox", DeadSandbox)
    inst, fairness = tiny(seed)
    best = fewest_breaks(inst, fairness)
    problem = timing_problem(inst, fairness)
    lower = participant_lower_bounds(problem)

    def settled(budget: int) -> tuple[CpSolverStatus, Race]:
        race = Race(problem, 10, None, None)
        return settle(race, TimingModel(problem, lower, budget=budget)), race

    # OPTIMAL: a placement within the budget was found; INFEASIBLE: proven that none exists;
    # UNKNOWN: undecided in the time given.
    if best is None:
        assert settled(len(problem.meetings) * problem.slots)[0] != OPTIMAL
        return
    code, race = settled(best)
    assert code != INFEASIBLE
    if code == OPTIMAL:
        assert race.best is not None and race.breaks == best
        assert violations(inst, tuple(t + 1 for t in race.best), fairness) == []
    if best > 0:
        assert settled(best - 1)[0] != OPTIMAL


def test_command_writes_the_result(tmp_path, capsys):
    out = tmp_path / "result.json"
    assert main(["b2b", str(HERE / "forbidden.dzn"), "--out", str(out)]) == 0
    assert "status optimal\nbreaks 1\nbound 1" in capsys.readouterr().out
    result = json.loads(out.read_text())
    assert (result["status"], result["breaks"], sorted(result["slots"])) == ("optimal", 1, [1, 3])


def test_command_exits_3_when_infeasible_and_still_writes(tmp_path):
    out = tmp_path / "result.json"
    assert main(["b2b", str(HERE / "fairness.dzn"), "--fairness", "0", "--out", str(out)]) == 3
    assert json.loads(out.read_text())["status"] == "infeasible"


def test_requested_must_be_a_table_of_rows(tmp_path, capsys):
    bad = tmp_path / "bad.dzn"
    bad.write_text("nBusiness = 2;\nnMeetings = 1;\nnTables = 1;\nnTotalSlots = 2;\n"
                   "nMorningSlots = 1;\nrequested = 3;\n")
    assert main(["b2b", str(bad)]) == 2
    assert "line 6: requested is a table of rows" in capsys.readouterr().err


def test_command_exits_2_on_a_malformed_file_and_writes_nothing(tmp_path, capsys):
    bad, out = tmp_path / "bad.dzn", tmp_path / "result.json"
    bad.write_text("nBusiness = 3;\nnMeetings = 1;\nnTables = 1;\nnTotalSlots = 2;\n"
                   "nMorningSlots = 1;\nrequested = [| 1, 4, 3 |];\n")
    assert main(["b2b", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "line 6: meeting 1 names participant 4, but nBusiness is 3" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_bench_prints_a_row_per_instance(capsys):
    assert main(["bench", "b2b", str(HERE), "--time-limit", "5"]) == 0
    out = capsys.readouterr().out
    rows = [line.split(" | ") for line in out.splitlines() if line.startswith("| ")][1:]
    assert sorted(row[0][2:] for row in rows) == sorted(p.stem for p in HERE.glob("*.dzn"))
    # Proven without search: participant 1's own fewest breaks bound them, and the greedy
    # placement reaches it.
    assert "| forbidden | 1 | optimal | 1 | ? |" in out
    assert "CHECK FAILED" not in out
    proven = sum(row[2] in ("optimal", "infeasible") for row in rows)
    assert f"\n{proven} of 7 proven (optimal or infeasible)" in out
