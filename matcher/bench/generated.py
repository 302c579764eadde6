"""`matcher bench`: the solver against a baseline on generated events, in one run.

Two families of sizes. Contest finals and brokerage events (`michk`, `brokerage`, `large`) are
solved by the staged solver (its `cpsat` engine, which `matcher solve` picks at these sizes) and
by the naive time-indexed model. Trade shows (`trade-iltm`, `trade-ate`, see
`generate.generate_trade`) are solved by the `flow` engine, which `matcher solve` picks there,
and by the `cpsat` engine as the baseline: the naive model cannot even be built at that size.

The comparison is fair by construction: each solve runs in a fresh process, with the same event,
time limit and workers; every solver's timed meetings are seated by the same stage with the time
it has left (`tables.seat`); every schedule states what it proved by the same rule
(`objectives.claims`: `optimal` when every objective is proven, and which are), and the gap is
measured against the best bound any solver proved on that event in the run; the peak memory
adds the largest child process's peak (the timing engine's sandbox) to the solving process's,
and so does the processor time; and every result is checked by `matcher check`. Besides the
seconds of the whole solve (the time limit, when the search for fewer breaks goes on to its
end), a row gives the seconds until the first complete timetable existed: with the peak memory,
that is the cost that should grow with the meetings, and the table is followed by those ratios
between the sizes of a family.
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
from matcher.solve.cpsat import Deadline, Progress, ProgressCallback
from matcher.solve.naive import solve_naive
from matcher.solve.pairing import Infeasible
from matcher.solve.solver import schedule_of, solve_instance
from matcher.solve.tables import seat
from matcher.solve.timing.sandbox import stop_idle_children

TIME_LIMITS = {"michk": 2.0, "brokerage": 30.0, "large": 60.0, "trade-iltm": 30.0,
               "trade-ate": 120.0}
# The baseline of the trade shows, the `cpsat` engine, gets the time it needs to give a
# timetable at all: what it gives is what the `flow` engine must match.
BASELINE_LIMITS = {"trade-iltm": 600.0, "trade-ate": 1800.0}
FAMILIES = {"trade": tuple(TRADE_SIZES)}
COLUMNS = ("size", "seed", "solver", "status", "proven", "score", "bound", "gap", "breaks",
           "changes",
           "startups' floor", "startup spread", "investors' floor", "investor spread",
           "meetings", "first s", "limit s", "seconds", "cpu s", "peak MB", "valid")
# Short names of the objectives proven, for the table.
PROVEN = {"startup_floor": "floor-s", "investor_floor": "floor-i", "table_changes": "changes"}
# The naive model seats its meetings in the time left after this share of the limit; the staged
# solver keeps at least as much for its seating (see `solver.solve_instance`).
NAIVE_SHARE = 0.8


def event_of(size: str, seed: int) -> Event:
    """The generated event of a size and seed."""
    if size in TRADE_SIZES:
        return generate_trade(TRADE_SIZES[size], seed)
    return generate(SIZES[size], seed)


def limit_of(size: str, solver: str) -> float:
    """The time limit of a solver on a size."""
    return BASELINE_LIMITS[size] if size in TRADE_SIZES and solver == "cpsat" else \
        TIME_LIMITS[size]


def solvers_for(size: str) -> tuple[str, ...]:
    """The solver and its baseline for a size."""
    return ("flow", "cpsat") if size in TRADE_SIZES else ("cpsat", "naive")


def naive_schedule(inst: Instance, time_limit: float, on_progress: ProgressCallback,
                   workers: int = 2) -> Schedule | None:
    """The naive time-indexed model's schedule, seated like the staged solver's (None if it
    found no timetable)."""
    deadline = Deadline(time_limit * 0.97 - 0.1)
    found = solve_naive(inst, deadline.left() * NAIVE_SHARE, workers)
    if not found.placed:
        return None
    on_progress(Progress("timing", found.breaks, 0, deadline.elapsed()))
    seated = seat(inst, found.placed, deadline.left(), workers)
    return schedule_of(inst, found.placed, seated, Proofs(found.bound), deadline.elapsed())


SOLVERS: dict[str, Callable[[Instance, float, ProgressCallback], Schedule | None]] = {
    "cpsat": lambda inst, limit, report: solve_instance(inst, limit, on_progress=report,
                                                        engine="cpsat"),
    "flow": lambda inst, limit, report: solve_instance(inst, limit, on_progress=report,
                                                       engine="flow"),
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
    event = event_of(size, seed)
    start = time.monotonic()
    first: list[float] = []

    def timed(progress: Progress) -> None:
        if progress.stage == "timing" and not first:
            first.append(time.monotonic() - start)

    inst = Instance(event)
    try:
        schedule = SOLVERS[solver](inst, time_limit, timed)
    except (TimeoutError, Infeasible):
        schedule = None
    seconds = time.monotonic() - start
    row: dict[str, object] = {"size": size, "seed": seed, "solver": solver,
                              "seconds": round(seconds, 2)}
    if schedule is not None:
        row |= {"status": schedule.status, "proven": " ".join(PROVEN.get(o, o) for o in
                                                              schedule.proven or ()),
                "score": schedule.score, "bound": schedule.bound, "breaks": schedule.breaks,
                "changes": schedule.table_changes, **fairness(inst, schedule),
                "meetings": len(schedule.meetings),
                "first s": round(first[0], 2) if first else "",
                "valid": "yes" if not violations(inst, schedule) else "NO"}
    else:
        row["status"] = "unknown"
    return row | {"peak MB": peak_mb(), "cpu s": round(cpu_seconds(), 1)}


def cpu_seconds() -> float:
    """The processor time of this process and its ended children."""
    return sum(r.ru_utime + r.ru_stime for r in map(resource.getrusage, (
        resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


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


def growth(rows: list[dict]) -> list[str]:
    """Per solver and family, how the meetings, the seconds to the first timetable and the
    peak memory grow from one size to the next (first seed of each)."""
    lines = []
    for family in FAMILIES.values():
        for solver in ("flow", "cpsat"):
            found = [next((r for r in rows if r["size"] == size and r["solver"] == solver
                           and r.get("meetings") and r.get("first s")), None) for size in family]
            for small, large in zip(found, found[1:], strict=False):
                if small is None or large is None:
                    continue
                ratio = {c: large[c] / small[c] for c in ("meetings", "first s", "peak MB")}
                lines.append(f"{solver}, {small['size']} -> {large['size']}: meetings x"
                             f"{ratio['meetings']:.2f}, seconds to the first timetable x"
                             f"{ratio['first s']:.2f}, peak memory x{ratio['peak MB']:.2f}")
    return lines


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
            print(describe(size), flush=True)
            for seed in range(args.seeds):
                for solver in solvers_for(size):
                    limit = limit_of(size, solver)
                    row = pool.submit(run_one, size, seed, solver, limit).result()
                    row["limit s"] = limit
                    rows.append(row)
                    print("  " + ", ".join(f"{c} {row.get(c, '')}" for c in COLUMNS[1:]
                                           if c != "gap"), flush=True)
    print()
    print(table(with_gaps(rows)))
    for line in growth(rows):
        print(line)
    return 0
