"""Solves in a child process: answers as in this process, and a dead child answers None."""

import random
import time

import pytest
from ortools.sat.python import cp_model

from matcher.solve.timing.sandbox import Sandbox, Solution


def two_of_three() -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(3)]
    model.add(sum(x) == 2)
    return model, x


def never() -> bool:
    return False


def test_solves_under_fixed_values_and_keeps_the_model():
    model, x = two_of_three()
    with Sandbox(model) as sandbox:
        code, values = sandbox.solve([(x[0].index, 0)], 5, never)
        assert code == cp_model.OPTIMAL
        solution = Solution(values)
        assert [solution.boolean_value(v) for v in x] == [False, True, True]
        code, values = sandbox.solve([(x[0].index, 0), (x[1].index, 0)], 5, never)
        assert (code, values) == (cp_model.INFEASIBLE, None)
        code, _ = sandbox.solve([], 5, never)  # the fixed values of a task do not stay
        assert code == cp_model.OPTIMAL
    assert [list(model.proto.variables[v.index].domain) for v in x] == [[0, 1]] * 3


def test_a_child_that_dies_answers_none_for_good():
    model, x = two_of_three()
    with Sandbox(model) as sandbox:
        assert sandbox.solve([(99, 1)], 5, never) is None  # no variable 99: the child fails
        assert not sandbox.alive
        assert sandbox.solve([(x[0].index, 1)], 5, never) is None


def test_a_child_killed_from_outside_answers_none():
    model, x = two_of_three()
    with Sandbox(model) as sandbox:
        sandbox.child.process.kill()
        assert sandbox.solve([(x[0].index, 1)], 5, never) is None


def test_a_hung_child_is_killed_after_its_time_and_grace(monkeypatch):
    import signal

    from matcher.solve.timing import sandbox as sandboxes

    monkeypatch.setattr(sandboxes, "GRACE", 0.5)
    model, x = two_of_three()
    with Sandbox(model) as sandbox:
        process = sandbox.child.process
        process.send_signal(signal.SIGSTOP)  # alive, but it never answers
        assert sandbox.solve([(x[0].index, 1)], 0.1, never) is None
        assert process.poll() is not None and not sandbox.alive


def test_stop_kills_the_child_at_once():
    rng = random.Random(0)  # random 3-SAT at the hardest ratio: minutes for a SAT search
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(600)]
    for _ in range(round(4.26 * len(x))):
        model.add_bool_or([v if rng.random() < 0.5 else ~v for v in rng.sample(x, 3)])
    sandbox = Sandbox(model)
    process = sandbox.child.process
    started = time.monotonic()
    try:
        assert sandbox.solve([], 600, lambda: time.monotonic() > started + 1) is None
        assert process.poll() is not None  # killed, not left to finish its search
        assert time.monotonic() - started < 600 / 4  # stopped, far from its time limit
    finally:
        sandbox.close()


@pytest.fixture
def no_idle(monkeypatch):
    """No idle children to start with; those left idle are killed after the test."""
    from matcher.solve.timing import sandbox

    idle = []
    monkeypatch.setattr(sandbox, "_idle", idle)
    yield idle
    for child in idle:
        child.kill()


def test_no_child_when_none_can_start(monkeypatch, no_idle):
    from matcher.solve.timing import sandbox

    monkeypatch.setattr(sandbox.sys, "executable", "/nonexistent/python")
    model, x = two_of_three()
    box = Sandbox(model)
    assert not box.alive
    assert box.solve([(x[0].index, 1)], 5, never) is None
    box.close()


def test_an_idle_child_that_died_is_replaced(no_idle):
    model, x = two_of_three()
    with Sandbox(model) as first:
        child = first.child
    assert no_idle == [child]
    child.process.kill()
    child.process.wait()
    with Sandbox(model) as second:
        assert second.child is not child
        code, _ = second.solve([(x[0].index, 1)], 5, never)
        assert code == cp_model.OPTIMAL
