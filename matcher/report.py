"""Readable text of a schedule (the timetable grid, the summary, the shares of meetings) and of a
solve in progress."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import TextIO

from matcher.model.check import checkable
from matcher.model.instance import Instance
from matcher.model.objectives import measure
from matcher.model.schedule import Schedule
from matcher.solve.cpsat import Progress

MAX_GRID_TABLES = 16
MAX_LISTED = 40  # startups whose meetings the summary counts one by one


def timetable(inst: Instance, schedule: Schedule) -> str:
    """Slots down, tables across; each cell the investor, under the table's startup if it stays."""
    if len(inst.tables) > MAX_GRID_TABLES:
        return (f"({len(inst.tables)} tables: too wide to print; the full timetable is in the "
                "schedule file)")
    cell = {(m.slot, m.table): m for m in schedule.meetings}
    owners: dict[str, set[str]] = {}
    for m in schedule.meetings:
        owners.setdefault(m.table, set()).add(m.startup)
    home = {k: next(iter(s)) for k, s in owners.items() if len(s) == 1}
    used = [k for k in inst.tables if k in owners]
    width = max([len(k) for k in used] + [len(s) for s in home.values()] +
                [len(m.investor) + (0 if home.get(m.table) else len(m.startup) + 1)
                 for m in schedule.meetings] + [4])
    times = {s.id: f"{s.start:%H:%M}-{s.end:%H:%M}" for s in inst.event.slots}
    lines = [" " * 16 + " ".join(f"{k:<{width}}" for k in used),
             " " * 16 + " ".join(f"{home.get(k, '(shared)'):<{width}}" for k in used)]
    for slot in inst.slot_ids:
        row = []
        for k in used:
            here = cell.get((slot, k))
            text = "" if here is None else here.investor if home.get(k) else \
                f"{here.startup}:{here.investor}"
            row.append(f"{text:<{width}}")
        lines.append(f"{slot:<4}{times[slot]:<12}" + " ".join(row).rstrip())
    return "\n".join(lines)


def summary(inst: Instance, schedule: Schedule) -> str:
    """Score, bound, gap, what is proven, breaks, table changes, the shares of meetings and
    meetings per startup (up to `MAX_LISTED` startups: the schedule file has them all)."""
    count = Counter(m.startup for m in schedule.meetings)
    per_startup = ", ".join(f"{s} {count[s]}" for s in inst.startups[:MAX_LISTED])
    if len(inst.startups) > MAX_LISTED:
        per_startup += f" and {len(inst.startups) - MAX_LISTED} more (see the schedule file)"
    proven = ("; proven optimal: " + ", ".join(o.replace("_", " ") for o in schedule.proven)
              if schedule.proven else "")
    return "\n".join([
        f"status {schedule.status}: score {schedule.score}, bound {schedule.bound}, "
        f"gap {100 * schedule.gap:.2f}%{proven}",
        f"{len(schedule.meetings)} meetings, {schedule.breaks} breaks, "
        f"{schedule.table_changes} table changes, {schedule.seconds:.2f} s",
        *shares(inst, schedule),
        f"meetings per startup: {per_startup}",
    ])


@dataclass(frozen=True)
class Share:
    """How one side's meetings are shared: the spread, the floor, and how many participants
    have all their reach allows; `proven` tells whether the floor is proven at its best (None
    when the schedule does not say)."""

    side: str  # "startups" or "investors"
    least: int
    most: int
    floor: int
    full: int
    count: int
    proven: bool | None


def side_shares(inst: Instance, schedule: Schedule) -> list[Share]:
    """The shares of each side that has participants."""
    got = measure(inst, checkable(inst, schedule.meetings))
    shares = []
    for side, ids, floor in (("startups", inst.startups, got.startup_floor),
                             ("investors", inst.investors, got.investor_floor)):
        if ids:
            counts = [got.count[p] for p in ids]
            proven = None if schedule.proven is None or schedule.fairness is None else (
                f"{side[:-1]}_floor" in schedule.proven)
            shares.append(Share(side, min(counts), max(counts), floor,
                                sum(got.count[p] >= inst.reach[p] for p in ids), len(ids),
                                proven))
    return shares


def shares(inst: Instance, schedule: Schedule) -> list[str]:
    """Per side: the spread of meetings, the floor (and whether it is proven at its best, and
    what it cost), and how many participants have all their reach allows."""
    lines = []
    given_up = schedule.fairness.score_given_up if schedule.fairness else 0
    for s in side_shares(inst, schedule):
        note = {None: "", True: " (proven best", False: " (best not proven"}[s.proven]
        if note and s.side == "startups" and given_up:
            note += f", {given_up} score given up for the floors"
        lines.append(f"{s.side}: {s.least} to {s.most} meetings each; floor {s.floor}"
                     f"{note + ')' if note else ''}: each has at least min({s.floor}, its "
                     f"reach); {s.full} of {s.count} have their reach")
    return lines


def reach_report(inst: Instance, schedule: Schedule, every: bool = False, most: int = 10,
                 ) -> list[str]:
    """Each participant's meetings against its reach: those below it, fewest first (at most
    `most`), or with `every` all of them."""
    got = measure(inst, checkable(inst, schedule.meetings))
    rows = [(got.count[p], inst.reach[p], p) for p in inst.participants]
    if every:
        return [f"{p}: {n} meetings, reach {r}" for n, r, p in rows]
    below = sorted((n - r, n, r, p) for n, r, p in rows if n < r)
    lines = [f"{p}: {n} meetings, reach {r}" for _, n, r, p in below[:most]]
    if len(below) > most:
        lines.append(f"and {len(below) - most} more below their reach (--participants lists "
                     "everyone)")
    return lines


class ProgressLine:
    """A solve's progress on a terminal, one line rewritten in place: the stage, the score, its
    bound and gap, the breaks once the timing has begun, and the time since the start. At most
    ten updates a second; `close` clears the line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.shown = 0.0
        self.score: float | None = None
        self.bound: float | None = None
        self.breaks: float | None = None

    def __call__(self, progress: Progress) -> None:
        if progress.objective is None:  # a stage starts: the line waits for its figures
            return
        if progress.stage == "timing":
            self.breaks = progress.objective
        elif progress.stage == "pairs":
            self.score, self.bound = progress.objective, progress.bound
        now = time.monotonic()
        if now - self.shown < 0.1:
            return
        self.shown = now
        parts = [f"{now - self.start:6.1f} s", progress.stage]
        if self.score is not None and self.bound is not None:
            gap = 0.0 if not self.bound else max(0.0, (self.bound - self.score) / self.bound)
            parts.append(f"score {self.score:.0f}, bound {self.bound:.0f}, gap {100 * gap:.2f}%")
        if self.breaks is not None:
            parts.append(f"breaks {self.breaks:.0f}")
        self.stream.write("\r\x1b[K" + "  ".join(parts))
        self.stream.flush()

    def close(self) -> None:
        """Clear the line, so the output that follows starts clean."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
