"""CP-SAT solves in a child process, for a setting that can abort the process running it.

CP-SAT's pseudo-Boolean conflict analysis (`use_pb_resolution`) reasons on the capacity sums
(at most so many meetings per slot) instead of on clauses alone. On the cases of a tight budget
it settles in under a second what the clause search leaves open for a minute (the tables of
forum-13crafc.forb0007, all taken in the 1-break schedule). But it is experimental: on some
models CP-SAT fails an internal check and aborts the whole process. So those solves run in a
child process, a fresh interpreter running this module (not a fork: the caller runs solver
threads), which holds a copy of the model; if the child dies, the caller goes on without it.
A child outlives its sandbox, idle, for the next one: starting one takes most of a second.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ortools.sat.python import cp_model

from matcher.solve.cpsat import fixed_values, sat_solver

Values = list[int]
Fixes = list[tuple[int, int]]  # (variable index, value), see `cpsat.fixed_values`
# Seconds a child may take beyond a solve's time limit to answer (CP-SAT overruns its limit a
# little on a busy machine); past that it is taken for hung, killed, and the caller goes on.
GRACE = 10.0


def pb_solver(seconds: float) -> cp_model.CpSolver:
    """CP-SAT's SAT search, one worker, no LP, with pseudo-Boolean conflict analysis."""
    solver = sat_solver(seconds)
    solver.parameters.use_pb_resolution = True
    return solver


def serve(tasks: IO[bytes], answers: IO[bytes]) -> None:
    """The child: each task is a model (its text) to hold from now on, or fixed values and
    seconds to solve the model held under them, answered with the status and, when a solution
    was found, its values. Ends when the tasks do."""
    model = cp_model.CpModel()
    while True:
        try:
            task = pickle.load(tasks)
        except EOFError:
            return
        if isinstance(task, str):
            model = cp_model.CpModel()
            model.proto.parse_text_format(task)
            continue
        fixes, seconds = task
        solver = pb_solver(seconds)
        with fixed_values(model, fixes):
            code = solver.solve(model)
        found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        pickle.dump((int(code), list(solver.response_proto.solution) if found else None),
                    answers)
        answers.flush()


class Child:
    """A running child process and its pipes."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[2])  # where the matcher package is
        path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "matcher.solve.timing.sandbox"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path})
        assert self.process.stdin is not None and self.process.stdout is not None
        self.tasks, self.answers = self.process.stdin, self.process.stdout

    def send(self, task: object) -> None:
        pickle.dump(task, self.tasks)
        self.tasks.flush()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.tasks, self.answers):
            with contextlib.suppress(OSError):  # a task still buffered for a dead child
                pipe.close()


_idle: list[Child] = []
_idle_lock = threading.Lock()


@atexit.register
def stop_idle_children() -> None:
    """End the idle children (and wait for them), at exit or when a caller wants their memory
    accounted for: `matcher bench` reads the peak of every process it ran."""
    with _idle_lock:
        while _idle:
            _idle.pop().kill()


class Sandbox:
    """A child process holding a copy of a model, solving it under fixed values on request.
    `alive` turns false for good once the child has died or was stopped (which kills it)."""

    def __init__(self, model: cp_model.CpModel) -> None:
        text = str(model.proto)
        with _idle_lock:
            idle = _idle.pop() if _idle else None
        self.child = (idle and self._hand(text, idle)) or self._hand(text, None)
        self.alive = self.child is not None

    @staticmethod
    def _hand(text: str, child: Child | None) -> Child | None:
        """The child (a new one when None) holding the model, or None when an idle child has
        died meanwhile or no child can start."""
        try:
            child = child or Child()
            child.send(text)
            return child
        except OSError:
            if child is not None:
                child.kill()
            return None

    def solve(self, fixes: Fixes, seconds: float, stop: Callable[[], bool]
              ) -> tuple[cp_model.CpSolverStatus, Values | None] | None:
        """The status of the model with these values fixed (and the solution's values when one
        was found), or None when the child is gone, `stop` turned true meanwhile, or no answer
        came within the time limit and a grace period (the child is then killed)."""
        if not self.alive or self.child is None:
            return None
        try:
            self.child.send((fixes, seconds))
            deadline = time.monotonic() + seconds + GRACE
            while not select.select([self.child.answers], [], [], 0.05)[0]:
                if stop() or time.monotonic() > deadline:
                    self._kill()
                    return None
            code, values = pickle.load(self.child.answers)
        except (EOFError, OSError, pickle.UnpicklingError):  # the child died: CP-SAT aborted it
            self._kill()
            return None
        return cp_model.CpSolverStatus(code), values

    def _kill(self) -> None:
        self.alive = False
        if self.child is not None:
            self.child.kill()

    def close(self) -> None:
        """Done with it: a live child drops the model and waits, idle, for the next sandbox."""
        if not self.alive or self.child is None:
            return
        self.alive = False
        try:
            self.child.send("")
        except OSError:
            self.child.kill()
            return
        with _idle_lock:
            _idle.append(self.child)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Solution:
    """A solution's values, read like a solver's: `boolean_value(literal)`."""

    def __init__(self, values: Values) -> None:
        self.values = values

    def boolean_value(self, lit: cp_model.IntVar) -> bool:
        return bool(self.values[lit.index])


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
