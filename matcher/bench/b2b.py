"""`matcher b2b` and `matcher bench b2b`: the B2B benchmark solved with the timing engine.

The instance's sessions, forbidden and fixed slots become each meeting's allowed slots; the
engine is the one `matcher solve` uses. `violations` checks a result without the solver.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from matcher.bench.dzn import B2BInstance, read_dzn
from matcher.model.files import write_json
from matcher.model.objectives import breaks_in
from matcher.solve.timing import TimingMeeting, TimingProblem, TimingResult, solve_timing

EXIT_INFEASIBLE = 3


class B2BResult(BaseModel):
    """The RESULT.json of `matcher b2b`."""

    status: Literal["optimal", "feasible", "infeasible"]
    breaks: int = Field(description="Total breaks of the schedule (0 when infeasible).")
    bound: int = Field(description="A proven lower bound on the breaks.")
    slots: tuple[int, ...] = Field(description="The 1-based slot of each meeting, in file order.")
    seconds: float


def allowed_slots(inst: B2BInstance, k: int) -> tuple[int, ...]:
    """The 0-based slots meeting k may take: its session, both sides free, its fixed slot."""
    m = inst.meetings[k]
    session = {1: range(inst.morning), 2: range(inst.morning, inst.slots),
               3: range(inst.slots)}[m.session]
    forbidden = {t - 1 for p in (m.a, m.b) if inst.forbidden for t in inst.forbidden[p - 1]}
    fixed = inst.fixed[k] if inst.fixed else 0
    return tuple(t for t in session if t not in forbidden and fixed in (0, t + 1))


def timing_problem(inst: B2BInstance, fairness: int | None = 2) -> TimingProblem:
    """The instance as the timing engine's problem, 0-based."""
    return TimingProblem(
        participants=tuple(f"p{n + 1}" for n in range(inst.participants)),
        slots=inst.slots,
        capacity=inst.tables,
        meetings=tuple(TimingMeeting(a=m.a - 1, b=m.b - 1, slots=allowed_slots(inst, k))
                       for k, m in enumerate(inst.meetings)),
        precedences=tuple((before - 1, k) for k, earlier in enumerate(inst.precedences)
                          for before in sorted(earlier)),
        fairness=fairness,
    )


def solve_b2b(inst: B2BInstance, fairness: int | None = 2, time_limit: float = 30.0,
              workers: int = 2) -> B2BResult | None:
    """Solve an instance; None when no schedule was found and none was proven impossible."""
    return result_of(solve_timing(timing_problem(inst, fairness), time_limit, workers))


def result_of(result: TimingResult) -> B2BResult | None:
    """The engine's answer as a RESULT, slots 1-based; None when it has no answer."""
    seconds = round(result.seconds, 3)
    if result.status == "infeasible":
        return B2BResult(status="infeasible", breaks=0, bound=0, slots=(), seconds=seconds)
    if result.status == "unknown":
        return None
    return B2BResult(status=result.status, breaks=result.breaks, bound=result.bound,
                     slots=tuple(t + 1 for t in result.slots), seconds=seconds)


def breaks_per_participant(inst: B2BInstance, slots: tuple[int, ...]) -> dict[int, int]:
    """Participant (1-based) -> its breaks, for those with meetings."""
    busy: dict[int, set[int]] = {}
    for m, t in zip(inst.meetings, slots, strict=True):
        busy.setdefault(m.a, set()).add(t)
        busy.setdefault(m.b, set()).add(t)
    return {p: breaks_in(ts) for p, ts in busy.items()}


def violations(inst: B2BInstance, slots: tuple[int, ...], fairness: int | None = 2) -> list[str]:
    """Every rule a schedule (1-based slot per meeting) breaks, one sentence each."""
    if len(slots) != len(inst.meetings):
        return [f"{len(slots)} slots for {len(inst.meetings)} meetings"]
    problems = []
    for k, t in enumerate(slots):
        if t - 1 not in allowed_slots(inst, k):
            problems.append(f"meeting {k + 1} is in slot {t}, outside its session, a forbidden "
                            "slot of a participant, or away from its fixed slot")
    seen: dict[tuple[int, int], int] = {}
    for k, (m, t) in enumerate(zip(inst.meetings, slots, strict=True)):
        for p in (m.a, m.b):
            if (p, t) in seen:
                problems.append(f"participant {p} has meetings {seen[p, t] + 1} and {k + 1} "
                                f"in slot {t}")
            seen[p, t] = k
    for t, count in sorted(Counter(slots).items()):
        if count > inst.tables:
            problems.append(f"slot {t} holds {count} meetings for {inst.tables} tables")
    for k, earlier in enumerate(inst.precedences):
        for before in sorted(earlier):
            if slots[before - 1] >= slots[k]:
                problems.append(f"meeting {before} must come before meeting {k + 1}")
    each = breaks_per_participant(inst, slots)
    if fairness is not None and each and max(each.values()) - min(each.values()) > fairness:
        problems.append(f"break counts range from {min(each.values())} to "
                        f"{max(each.values())}, more than {fairness} apart")
    return problems


def cmd_b2b(args: argparse.Namespace) -> int:
    """Solve one .dzn instance; print status, breaks, bound and seconds; write RESULT if asked."""
    inst = read_dzn(args.file)
    result = solve_b2b(inst, args.fairness, args.time_limit)
    if result is None:
        raise TimeoutError("no schedule found within the time limit")
    print(f"status {result.status}\nbreaks {result.breaks}\nbound {result.bound}\n"
          f"seconds {result.seconds:.2f}")
    if args.out:
        write_json(args.out, result)
        print(f"result written to {args.out}")
    return EXIT_INFEASIBLE if result.status == "infeasible" else 0


def published(directory: Path) -> dict[str, str]:
    """Instance name -> published optimum (or "infeasible"), from the README's tables."""
    readme = directory / "README.md"
    if not readme.is_file():
        return {}
    rows = re.findall(r"^\|\s*([\w.-]+)\s*\|\s*(\d+|infeasible)\s*\|\s*$",
                      readme.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return dict(rows)


def run_bench(args: argparse.Namespace) -> int:
    """Solve every .dzn of a folder; print a row per instance and a summary."""
    directory = Path(args.directory)
    files = sorted(directory.glob(args.pattern))
    if not files:
        print(f"no {args.pattern} files in {directory}")
        return 2
    known = published(directory)
    print("| instance | breaks | status | bound | published | seconds |\n|---|---|---|---|---|---|")
    proven, agree, differ = 0, 0, []
    start = time.monotonic()
    for path in files:
        name = path.name.removesuffix(".dzn").removesuffix(".original")
        inst = read_dzn(path)
        began = time.monotonic()
        answer = solve_timing(timing_problem(inst, args.fairness), args.time_limit)
        seconds, result = time.monotonic() - began, result_of(answer)
        breaks, status = "-", "unknown"
        if result is not None:
            broken = violations(inst, result.slots, args.fairness) if result.slots else []
            status = result.status + (" (CHECK FAILED)" if broken else "")
            breaks = "infeasible" if result.status == "infeasible" else str(result.breaks)
            if result.status in ("optimal", "infeasible") and not broken:
                proven += 1
                agree += known.get(name) == breaks
                if name in known and known[name] != breaks:
                    differ.append(name)
        bound = "-" if answer.status == "infeasible" else answer.bound
        print(f"| {name} | {breaks} | {status} | {bound} | {known.get(name, '?')} | "
              f"{seconds:.1f} |", flush=True)
    print(f"\n{proven} of {len(files)} proven (optimal or infeasible) in "
          f"{time.monotonic() - start:.0f} s; {agree} of them equal a published result, "
          f"{len(differ)} differ{': ' + ', '.join(differ) if differ else ''}")
    return 0
