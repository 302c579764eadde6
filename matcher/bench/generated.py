"""`matcher bench`: the solver against a baseline on generated events, in one run.

Two families of sizes. Contest finals and brokerage events (`michk`, `brokerage`, `large`) are
solved by the staged solver and by the naive time-indexed model. Trade shows (`trade-iltm`,
`trade-ate`, see `generate.generate_trade`) are too large for the naive model even to be built,
so their baseline is the staged solver itself.

The comparison is fair by construction: each solve runs in a fresh process, with the same event,
time limit and workers; every solver's timed meetings are seated by the same stage with the time
it has left (`tables.seat`); a result is `optimal` for every solver alike when its score equals
the bound it proved on the score, and the gap is measured against the best bound any solver
proved on that event in the run; the peak memory adds the largest child process's peak (the
timing engine's sandbox) to the solving process's; and every result is checked by
`matcher check`.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from matcher.bench.generate import SIZES, TRADE_SIZES, generate, generate_trade
from matcher.model.check import violations
from matcher.model.event import Event
from matcher.model.instance import Instance
from matcher.model.objectives import Proofs
from matcher.model.schedule import Schedule
from matcher.report import side_shares
from matcher.solve.cpsat import Deadline
from matcher.solve.naive import solve_naive
from matcher.solve.solver import schedule_of, solve
from matcher.solve.tables import seat
from matcher.solve.timing.sandbox import stop_idle_children

TIME_LIMITS = {"michk": 2.0, "brokerage": 30.0, "large": 60.0, "trade-iltm": 30.0,
               "trade-ate": 120.0}
FAMILIES = {"trade": tuple(TRADE_SIZES)}
COLUMNS = ("size", "seed", "solver", "status", "score", "bound", "gap", "breaks", "changes",
           "startups' floor", "startup spread", "investors' floor", "investor spread",
           "seconds", "peak MB", "valid")
# The naive model seats its meetings in the time left after this share of the limit; the staged
# solver keeps at least as much for its seating (see `solver.solve_instance`).
NAIVE_SHARE = 0.8


def event_of(size: str, seed: int) -> Event:
    """The generated event of a size and seed."""
    if size in TRADE_SIZES:
        return generate_trade(TRADE_SIZES[size], seed)
    return generate(SIZES[size], seed)


def solvers_for(size: str) -> tuple[str, ...]:
    """The solver and its baseline for a size."""
    return ("staged",) if size in TRADE_SIZES else ("staged", "naive")


def naive_schedule(inst: Instance, time_limit: float, workers: int = 2) -> Schedule | None:
    """The naive time-indexed model's schedule, seated like the staged solver's (None if it
    found no timetable)."""
    deadline = Deadline(time_limit * 0.97 - 0.1)
    found = solve_naive(inst, deadline.left() * NAIVE_SHARE, workers)
    if not found.placed:
        return None
    seated = seat(inst, found.placed, deadline.left(), workers)
    return schedule_of(inst, found.placed, seated, Proofs(found.bound), deadline.elapsed())


SOLVERS: dict[str, Callable[[Instance, float], Schedule | None]] = {
    "staged": lambda inst, limit: solve(inst.event, time_limit=limit),
    "naive": naive_schedule,
}


def fairness(inst: Instance, schedule: Schedule) -> dict[str, object]:
    """The floors and spreads of a schedule (`matcher.report.side_shares`): a side's floor is
    the largest F such that each of its participants has at least min(F, its reach) meetings;
    its spread is most meetings minus fewest."""
    out: dict[str, object] = {}
    for share in side_shares(inst, schedule):
        out[f"{share.side}' floor"] = share.floor
        out[f"{share.side[:-1]} spread"] = share.most - share.least
    return out


def run_one(size: str, seed: int, solver: str, time_limit: float) -> dict:
    """Solve one generated event with one solver; runs in its own process."""
    inst = Instance(event_of(size, seed))
    start = time.monotonic()
    schedule = SOLVERS[solver](inst, time_limit)
    seconds = time.monotonic() - start
    row: dict[str, object] = {"size": size, "seed": seed, "solver": solver,
                              "seconds": round(seconds, 2)}
    if schedule is not None:
        row |= {"status": "optimal" if schedule.score >= schedule.bound else "feasible",
                "score": schedule.score, "bound": schedule.bound, "breaks": schedule.breaks,
                "changes": schedule.table_changes, **fairness(inst, schedule),
                "valid": "yes" if not violations(inst, schedule) else "NO"}
    else:
        row["status"] = "unknown"
    return row | {"peak MB": peak_mb()}


def peak_mb() -> int:
    """The peak memory of this process plus the largest peak of its children, in MB: at least
    the peak of the whole tree. Idle children are ended first so that theirs is counted."""
    stop_idle_children()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) // 1024  # Linux gives kilobytes


def with_gaps(rows: list[dict]) -> list[dict]:
    """Each row's gap against the best bound proven on its event by any solver of the run."""
    best: dict[tuple, int] = {}
    for row in rows:
        if "bound" in row:
            key = (row["size"], row["seed"])
            best[key] = min(best.get(key, row["bound"]), row["bound"])
    for row in rows:
        bound = best.get((row["size"], row["seed"]))
        if "score" in row and bound:
            row["gap"] = f"{100 * max(0, bound - row['score']) / bound:.2f}%"
    return rows


def table(rows: list[dict]) -> str:
    """A Markdown table of the results."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |" for row in rows]
    return "\n".join(lines)


def sizes_of(text: str) -> list[str]:
    """The sizes named (a family stands for its sizes)."""
    names = [s.strip() for s in text.split(",") if s.strip()]
    return [size for name in names for size in FAMILIES.get(name, (name,))]


def describe(size: str) -> str:
    """One line about a size."""
    if size in TRADE_SIZES:
        t = TRADE_SIZES[size]
        return (f"{size}: {t.exhibitors} exhibitors (startups), {t.buyers} buyers (investors), "
                f"{t.days} days of {t.slots_per_day} slots, {t.exhibitors} tables")
    s = SIZES[size]
    return (f"{size}: {s.startups} startups, {s.investors} investors, {s.slots} slots, "
            f"{s.tables} tables")


def run_bench(args: argparse.Namespace) -> int:
    """Run every size and seed with its solvers and print the table as results arrive."""
    sizes = sizes_of(args.sizes)
    unknown = [s for s in sizes if s not in TIME_LIMITS]
    if unknown:
        print(f"error: unknown size {', '.join(unknown)}; choose from "
              f"{', '.join([*TIME_LIMITS, *FAMILIES])}")
        return 2
    rows = []
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"),
                             max_tasks_per_child=1) as pool:
        for size in sizes:
            print(f"{describe(size)}, time limit {TIME_LIMITS[size]:g} s", flush=True)
            for seed in range(args.seeds):
                for solver in solvers_for(size):
                    row = pool.submit(run_one, size, seed, solver, TIME_LIMITS[size]).result()
                    rows.append(row)
                    print("  " + ", ".join(f"{c} {row.get(c, '')}" for c in COLUMNS[1:]
                                           if c != "gap"), flush=True)
    print()
    print(table(with_gaps(rows)))
    return 0
