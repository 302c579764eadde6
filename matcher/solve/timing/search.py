"""The solve strategy of the timing engine: two searches in parallel, one core each.

- `improve`: CP-SAT minimising the breaks with its core-based search (the MaxSAT approach that
  the paper found best), starting from the greedy placement as a hint; when that placement is
  unfair, a plain SAT search first finds any placement (`first_fair`).
- `climb`: the same model with the breaks capped at the best proven lower bound, as a pure
  satisfaction problem; when CP-SAT proves it infeasible the bound rises by one and it tries
  again. Capped low, every break literal is fixed false, which propagates far more than an
  objective does: it finds zero-break timetables at once and proves small bounds fast.

Both mostly run CP-SAT's SAT search without LP (measured much faster here); climb's tries
alternate with CP-SAT's interleaved search with the LP, and a step with at most one break to
spare is split into cases by its first unsteady participant (`settle`), solved with CP-SAT's
pseudo-Boolean conflict analysis in a child process (`sandbox`). They share the best
placement and the best bound; the first to close the gap stops the other, and a search that
fails stops the other too.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ortools.sat.python import cp_model

from matcher.solve.cpsat import Progress, ProgressCallback, fixed_values, new_solver, sat_solver
from matcher.solve.timing.bounds import participant_lower_bounds
from matcher.solve.timing.finish import Finish
from matcher.solve.timing.greedy import first_placement
from matcher.solve.timing.kempe import KempeSearch
from matcher.solve.timing.model import TimingModel
from matcher.solve.timing.problem import TimingProblem, TimingResult, breaks_of
from matcher.solve.timing.sandbox import Fixes, Sandbox, Solution

# Seconds of a climb step's first try, and of each case's first try when a step is split.
FIRST_TRY = 0.5
# A problem with more (meeting, allowed slot) pairs than this is timed without the CP-SAT model:
# on a trade show of 20,793 meetings (1.2 million pairs) the model took 7 GB, and CP-SAT found
# nothing better than the greedy placement in 400 s.
LARGE = 250_000


class Race:
    """What the two searches share: the best placement, the best bound, and when to stop."""

    def __init__(self, problem: TimingProblem, time_limit: float,
                 on_progress: ProgressCallback | None,
                 should_stop: Callable[[], bool] | None) -> None:
        self.problem = problem
        self.start = time.monotonic()
        self.end = self.start + time_limit
        self.on_progress, self.should_stop = on_progress, should_stop
        self.lock = threading.Lock()
        self.best: tuple[int, ...] | None = None
        self.breaks = 0
        self.bound = 0
        self.infeasible = False
        self.failed = False
        self.solvers: set[cp_model.CpSolver] = set()
        self.climbing: tuple[cp_model.CpSolver, int] | None = None  # climb's solver and budget

    def left(self) -> float:
        """Seconds left."""
        return self.end - time.monotonic()

    def closed(self) -> bool:
        """Whether the best placement is proven optimal (or none exists), or we are asked to
        stop, or a search failed."""
        return (self.infeasible or self.failed
                or (self.best is not None and self.breaks <= self.bound)
                or (self.should_stop is not None and self.should_stop()))

    def offer(self, slots: tuple[int, ...]) -> None:
        """A placement found: keep it if it is fair and has fewer breaks."""
        each = [b for b, mine in zip(breaks_of(self.problem, slots), self.problem.meetings_of(),
                                     strict=True) if mine]
        if self.problem.fairness is not None and max(each) - min(each) > self.problem.fairness:
            return
        breaks = sum(each)
        with self.lock:
            if self.best is not None and breaks >= self.breaks:
                return
            self.best, self.breaks = slots, breaks
        self.report()

    def raise_bound(self, bound: int) -> None:
        """A proven lower bound on the breaks."""
        with self.lock:
            if bound <= self.bound:
                return
            self.bound = bound
            if self.climbing and self.climbing[1] < bound:
                self.climbing[0].stop_search()  # climb proves what is known: start it higher
        self.report()

    def report(self) -> None:
        """Tell the caller; stop both searches once the race is over."""
        if self.on_progress and self.best is not None:
            self.on_progress(Progress("timing", self.breaks, self.bound,
                                      time.monotonic() - self.start))
        if self.closed():
            self.stop_all()

    def stop_all(self) -> None:
        """Stop every search running now."""
        with self.lock:
            running = list(self.solvers)
        for solver in running:
            solver.stop_search()

    def run(self, model: cp_model.CpModel, solver: cp_model.CpSolver,
            callback: cp_model.CpSolverSolutionCallback | None = None) -> cp_model.CpSolverStatus:
        """Solve, stoppable by the other search."""
        with self.lock:
            if self.closed():
                return cp_model.UNKNOWN
            self.solvers.add(solver)
        try:
            return solver.solve(model, callback)
        finally:
            with self.lock:
                self.solvers.discard(solver)

    def watch(self, done: threading.Event) -> None:
        """Poll `should_stop` five times a second until `done`: a search can run long between
        two solutions, and a stop must not wait for the next one."""
        while self.should_stop is not None and not done.wait(0.2):
            if self.should_stop():
                self.report()
                return

    def result(self) -> TimingResult:
        """The outcome as the engine reports it."""
        seconds = time.monotonic() - self.start
        if self.infeasible:
            return TimingResult(status="infeasible", seconds=seconds)
        if self.best is None:
            return TimingResult(status="unknown", bound=self.bound, seconds=seconds)
        return TimingResult(status="optimal" if self.breaks <= self.bound else "feasible",
                            slots=self.best, breaks=self.breaks,
                            bound=min(self.bound, self.breaks), seconds=seconds)


class Improver(cp_model.CpSolverSolutionCallback):
    """Passes each improving placement of `improve` to the race."""

    def __init__(self, race: Race, timing: TimingModel) -> None:
        super().__init__()
        self.race, self.timing = race, timing

    def on_solution_callback(self) -> None:
        self.race.offer(self.timing.extract(self))


def improve(race: Race, timing: TimingModel, workers: int) -> None:
    """Minimise the breaks with the core-based search, from the greedy hint; when the race has
    no placement yet (the greedy one broke the fairness rule), find any placement first."""
    if race.best is None:
        first_fair(race, timing, workers)
    if race.closed():
        return
    solver = sat_solver(race.left(), workers)
    solver.parameters.optimize_with_core = True
    solver.best_bound_callback = lambda bound: race.raise_bound(round(bound))
    code = race.run(timing.model, solver, Improver(race, timing))
    if code == cp_model.INFEASIBLE:
        race.infeasible = True
    elif code == cp_model.OPTIMAL:
        race.raise_bound(round(solver.objective_value))
    race.report()


def first_fair(race: Race, timing: TimingModel, workers: int) -> None:
    """Any placement that keeps every rule, fairness included, with CP-SAT's SAT search stopping
    at the first, in at most a third of the time. The greedy placement can give some participants
    more breaks than the fairness allows, and the core-based search may then find no placement
    for a long time. The hint stays the greedy one (with this placement as the hint instead,
    forum-13crafb, forum-14 and ticf-13crafb took the same time)."""
    solver = sat_solver(race.left() / 3, workers)
    solver.parameters.stop_after_first_solution = True
    code = race.run(timing.model, solver)
    if code == cp_model.INFEASIBLE:
        race.infeasible = True
        race.report()
    elif code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        race.offer(timing.extract(solver))


def polish(race: Race, timing: TimingModel) -> None:
    """Improve the best placement from above: CP-SAT's large neighbourhood search, its SAT
    search and its core-based search, interleaved in one thread. The searches with the LP are
    left out: on the tightest instance (forum-13crafc.forb0007) the one with the most LP took
    6 s in a single task, and the best placement in the last 7.5 s went from 44 breaks to
    43-44 with them and to 6-11 without."""
    if race.best is not None:
        timing.hint(race.best)
    solver = new_solver(race.left(), 1)
    solver.parameters.interleave_search = True
    solver.parameters.subsolvers.extend(["core", "no_lp"])
    code = race.run(timing.model, solver, Improver(race, timing))
    if code == cp_model.OPTIMAL:
        race.raise_bound(round(solver.objective_value))


def climb(race: Race, problem: TimingProblem, lower: list[int],
          hint: list[int | None] | None, step: float) -> None:
    """Look for a placement within the best bound; each proof that none exists raises it.
    A budget still undecided after `step` seconds hands the rest of the time to `polish`."""
    while not race.closed() and race.left() > 0:
        budget = race.bound
        timing = TimingModel(problem, lower, hint, budget=budget)
        code = decide(race, timing, budget, step)
        if code == cp_model.INFEASIBLE and budget >= len(timing.gaps):
            race.infeasible = True  # even with every break allowed
            race.report()
        elif code == cp_model.INFEASIBLE:
            race.raise_bound(budget + 1)
        elif code != cp_model.OPTIMAL and race.bound == budget:
            break  # out of time, or stopped because the race is over
    if not race.closed() and race.left() > 0:
        polish(race, TimingModel(problem, lower, hint))


def decide(race: Race, timing: TimingModel, budget: int, step: float) -> cp_model.CpSolverStatus:
    """One climb step: whether a placement within the budget exists (OPTIMAL when one was found
    and offered). Tries alternate CP-SAT's SAT search and its interleaved searches with the LP
    (which settle other budgets), each try twice as long as the SAT try before it, for at most
    `step` seconds; with at most one break to spare, the budget is split into cases after one
    try."""
    limit, spent = FIRST_TRY, 0.0
    for attempt in itertools.count():
        solver = sat_solver(min(limit, step - spent, race.left()))
        if attempt % 2:
            solver.parameters.interleave_search = True
            solver.parameters.linearization_level = 1
        else:
            limit *= 2
        race.climbing = (solver, budget)
        started = time.monotonic()
        code = race.run(timing.model, solver)  # UNKNOWN without solving once the race is over
        race.climbing = None
        spent += time.monotonic() - started
        if code == cp_model.OPTIMAL:
            race.offer(timing.extract(solver))
        if code != cp_model.UNKNOWN or race.bound != budget or race.closed():
            return code
        if timing.spare(budget) <= 1:
            return settle(race, timing, reserve=step)
        if spent >= step or race.left() <= 0:
            return code
    raise AssertionError("unreachable")


def case(timing: TimingModel, order: list[int], i: int) -> Fixes:
    """Case i of the budgeted model split by its first unsteady participant in `order`: those
    before the i-th are steady and the i-th is not; case len(order) has all steady. Every
    placement falls in exactly one case. As (variable index, value) pairs to fix."""
    return [(timing.steady[p].index, int(j < i)) for j, p in enumerate(order[:i + 1])]


def settle(race: Race, timing: TimingModel, reserve: float = 0.0) -> cp_model.CpSolverStatus:
    """Decide the budgeted model case by case (most meetings first), each case's time doubling
    per round, while more than `reserve` seconds are left: with a participant's steadiness fixed,
    presolve settles most cases at once, and the pseudo-Boolean conflict analysis most of the
    rest (in a `Sandbox`; if its child dies, here without it). OPTIMAL when a placement was found
    (and offered), INFEASIBLE when no case has one."""
    order = sorted(timing.steady, key=lambda p: -len(timing.mine[p]))
    undecided = list(range(len(order) + 1))
    limit = FIRST_TRY
    with Sandbox(timing.model) as sandbox:
        while undecided:
            left = []
            for i in undecided:
                if race.closed() or race.left() <= reserve:
                    return cp_model.UNKNOWN
                seconds = min(limit, race.left() - reserve)
                code, solution = settle_case(race, timing, sandbox, order, i, seconds)
                if code == cp_model.OPTIMAL:
                    race.offer(timing.extract(solution))
                    return code
                if code != cp_model.INFEASIBLE:
                    left.append(i)
            undecided, limit = left, 2 * limit
    return cp_model.INFEASIBLE


def settle_case(race: Race, timing: TimingModel, sandbox: Sandbox, order: list[int], i: int,
                seconds: float) -> tuple[cp_model.CpSolverStatus, Solution | cp_model.CpSolver]:
    """One case, in the sandbox while its child lives, else here with the clause search only.
    OPTIMAL comes with the solution."""
    fixes = case(timing, order, i)
    answer = sandbox.solve(fixes, seconds, race.closed)
    if answer is not None:
        code, values = answer
        return (cp_model.OPTIMAL if values is not None else code), Solution(values or [])
    if race.closed():
        return cp_model.UNKNOWN, Solution([])
    solver = sat_solver(seconds)
    with fixed_values(timing.model, fixes) as model:
        code = race.run(model, solver)
    return code, solver


def complete(race: Race, problem: TimingProblem, hint: list[int | None],
             workers: int) -> list[int | None]:
    """Any placement of every meeting, near the partial one given, in at most a third of the
    time: the greedy sometimes leaves a few meetings out when the tables are all taken."""
    timing = TimingModel(problem, hint=hint, breaks=False)
    solver = new_solver(race.left() / 3, workers)
    code = race.run(timing.model, solver)
    if code == cp_model.INFEASIBLE:
        race.infeasible = True
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return list(timing.extract(solver))
    return hint


def solve_timing(problem: TimingProblem, time_limit: float, workers: int = 2,
                 on_progress: ProgressCallback | None = None,
                 should_stop: Callable[[], bool] | None = None,
                 large: bool | None = None, finish: Finish | None = None) -> TimingResult:
    """Place the meetings with fewest breaks within the time limit. `large` problems skip the
    CP-SAT model (see `solve_large`, which stops by `finish` when given); by default those with
    more than `LARGE` (meeting, allowed slot) pairs."""
    race = Race(problem, time_limit, on_progress, should_stop)
    if not problem.meetings:
        race.best = ()
        return race.result()
    if any(not m.slots for m in problem.meetings):
        race.infeasible = True
        return race.result()
    if large is None:
        large = sum(len(m.slots) for m in problem.meetings) > LARGE
    if large:
        return solve_large(problem, time_limit, on_progress, should_stop, finish)
    done = threading.Event()
    threading.Thread(target=race.watch, args=(done,), daemon=True).start()
    try:
        run_race(race, problem, time_limit, workers)
    finally:
        done.set()
    return race.result()


def solve_large(problem: TimingProblem, time_limit: float,
                on_progress: ProgressCallback | None,
                should_stop: Callable[[], bool] | None,
                finish: Finish | None = None) -> TimingResult:
    """The greedy placement, then Kempe chain moves (`kempe`, which keep neither precedences
    nor the fairness rule) until the time is up, or until `finish` says to leave the work after
    them its time (the moves only improve a placement); no bound is proven at this size.
    Meetings the greedy placement leaves out (its time ran out, or it found them no slot) are
    `left_out`, and the others are placed as well as the time allows."""
    race = Race(problem, time_limit, on_progress, should_stop)
    finish = finish or Finish(race.end)
    # A complete placement counts as soon as the greedy placement finds one, in case the time
    # runs out during its later rounds.
    hint = list(problem.hint) if problem.hint else first_placement(
        problem, until=race.end, on_complete=lambda slots: race.offer(tuple(slots)))
    kept = [k for k, t in enumerate(hint) if t is not None]
    if len(kept) < len(hint):
        problem = problem.model_copy(update={
            "meetings": tuple(problem.meetings[k] for k in kept), "hint": None})
        race = Race(problem, race.left(), on_progress, should_stop)
    search = KempeSearch(problem, [t for t in hint if t is not None], problem.days)
    race.offer(tuple(search.slots))
    if not problem.precedences and problem.fairness is None:
        search.run(lambda: time.monotonic() >= race.end or finish.reached(), race.closed,
                   lambda: race.offer(tuple(search.slots)))
    result = race.result()
    if len(kept) == len(hint) or result.status not in ("optimal", "feasible"):
        return result
    slots = [-1] * len(hint)
    for k, t in zip(kept, result.slots, strict=True):
        slots[k] = t
    return result.model_copy(update={"status": "feasible", "slots": tuple(slots),
                                     "left_out": tuple(k for k, t in enumerate(hint)
                                                       if t is None)})


def run_race(race: Race, problem: TimingProblem, time_limit: float, workers: int) -> None:
    """Bounds and a first placement, then `improve` and `climb` side by side."""
    lower = participant_lower_bounds(problem)
    race.raise_bound(sum(lower))
    hint: list[int | None] = list(problem.hint) if problem.hint else first_placement(problem)
    if None in hint:
        hint = complete(race, problem, hint, workers)
        if race.infeasible:
            return
    if None not in hint:
        race.offer(tuple(t for t in hint if t is not None))
    timing = TimingModel(problem, lower, hint)
    with ThreadPoolExecutor(max_workers=2) as pool:
        searches = [pool.submit(guarded, race, improve, race, timing, max(1, workers - 1))]
        if workers > 1:
            # a climb step that takes a quarter of the time is unlikely to end soon
            step = time_limit / 4
            searches.append(pool.submit(guarded, race, climb, race, problem, lower, hint, step))
        for search in searches:
            search.result()  # a search's error is raised here, in the caller's thread


def guarded(race: Race, search: Callable[..., None], *args: object) -> None:
    """Run one search; if it fails, stop the other at once, and let the error through."""
    try:
        search(*args)
    except BaseException:
        race.failed = True
        race.stop_all()
        raise
