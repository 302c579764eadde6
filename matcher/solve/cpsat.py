"""Glue between the rules and CP-SAT: posting labelled constraints, solver settings, progress."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from ortools.sat.python import cp_model

from matcher.model.instance import Instance
from matcher.model.rules import Linear, Rule, Vars


class RuleCannotHold(Exception):
    """A hard rule cannot hold whatever the solver does; the message names the rule's culprits."""


def post(model: cp_model.CpModel, constraint: Linear) -> None:
    """Add a labelled linear constraint; constants are evaluated now and skipped when they hold."""
    variables = [t for t in constraint.terms if not isinstance(t, int)]
    constant = sum(t for t in constraint.terms if isinstance(t, int))
    lb = None if constraint.lb is None else constraint.lb - constant
    ub = None if constraint.ub is None else constraint.ub - constant
    if not variables:
        if (lb is not None and lb > 0) or (ub is not None and ub < 0):
            raise RuleCannotHold(constraint.label)
        return
    if lb is not None and lb <= 0:
        lb = None
    if ub is not None and ub >= len(variables):
        ub = None  # 0/1 terms: the bound cannot bind
    if lb is None and ub is None:
        return
    if lb is None and ub == 1:
        model.add_at_most_one(variables).with_name(constraint.label)
    elif lb is None:
        model.add(sum(variables) <= ub).with_name(constraint.label)
    elif ub is None:
        model.add(sum(variables) >= lb).with_name(constraint.label)
    else:
        model.add_linear_constraint(sum(variables), lb, ub).with_name(constraint.label)


def post_rules(model: cp_model.CpModel, rules: Iterable[Rule], inst: Instance, v: Vars) -> None:
    """Post every constraint of the given rules on a model through a variable container."""
    for r in rules:
        for constraint in r.constraints(inst, v):
            post(model, constraint)


@dataclass
class Progress:
    """What a long solve reports: the stage, its objective so far and proven bound (None when
    the stage has just started), and the time."""

    stage: str
    objective: float | None
    bound: float | None
    seconds: float


ProgressCallback = Callable[[Progress], None]


class Reporter(cp_model.CpSolverSolutionCallback):
    """Calls back on each improving solution; stops the search when `should_stop()` says so."""

    def __init__(self, stage: str, on_progress: ProgressCallback | None,
                 should_stop: Callable[[], bool] | None) -> None:
        super().__init__()
        self._stage, self._on_progress, self._should_stop = stage, on_progress, should_stop
        self._start = time.monotonic()

    def on_solution_callback(self) -> None:
        if self._on_progress:
            self._on_progress(Progress(self._stage, self.objective_value, self.best_objective_bound,
                                       time.monotonic() - self._start))
        if self._should_stop and self._should_stop():
            self.stop_search()


def run(solver: cp_model.CpSolver, model: cp_model.CpModel, stage: str,
        on_progress: ProgressCallback | None = None,
        should_stop: Callable[[], bool] | None = None) -> cp_model.CpSolverStatus:
    """Solve with progress reports; stop within a fifth of a second once `should_stop()` says so,
    even between solutions."""
    if should_stop is None:
        return solver.solve(model, Reporter(stage, on_progress, None))
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.2):
            if should_stop():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, name=f"stop-{stage}", daemon=True)
    watcher.start()
    try:
        return solver.solve(model, Reporter(stage, on_progress, should_stop))
    finally:
        finished.set()
        watcher.join()


def new_solver(time_limit: float, workers: int = 2, seed: int = 0) -> cp_model.CpSolver:
    """A CP-SAT solver with our settings: a time limit, the machine's cores, repeatable seed."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver


def sat_solver(time_limit: float, workers: int = 1) -> cp_model.CpSolver:
    """CP-SAT's SAT search without the LP relaxation (the timing models' search of choice)."""
    solver = new_solver(time_limit, workers)
    solver.parameters.linearization_level = 0
    return solver


@contextmanager
def fixed_values(model: cp_model.CpModel, fixes: Sequence[tuple[int, int]]
                 ) -> Iterator[cp_model.CpModel]:
    """The model with these (variable index, value) pairs fixed, changed in place (a copy of a
    large model costs hundreds of MB) and restored on exit."""
    domains = [model.proto.variables[index].domain for index, _ in fixes]
    saved = [list(domain) for domain in domains]
    try:
        for domain, (_, value) in zip(domains, fixes, strict=True):
            domain.clear()
            domain.extend([value, value])
        yield model
    finally:
        for domain, values in zip(domains, saved, strict=True):
            domain.clear()
            domain.extend(values)


class Deadline:
    """The time left of a whole solve, shared by its stages."""

    def __init__(self, seconds: float) -> None:
        self.start = time.monotonic()
        self.end = self.start + seconds

    def left(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.end - time.monotonic())

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.monotonic() - self.start
