"""Readable text of a schedule: the timetable grid and the summary."""

from __future__ import annotations

from collections import Counter

from matcher.model.instance import Instance
from matcher.model.schedule import Schedule

MAX_GRID_TABLES = 16


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
            m = cell.get((slot, k))
            text = "" if m is None else m.investor if home.get(k) else f"{m.startup}:{m.investor}"
            row.append(f"{text:<{width}}")
        lines.append(f"{slot:<4}{times[slot]:<12}" + " ".join(row).rstrip())
    return "\n".join(lines)


def summary(inst: Instance, schedule: Schedule) -> str:
    """Score, bound, gap, breaks, table changes and meetings per startup."""
    count = Counter(m.startup for m in schedule.meetings)
    per_startup = ", ".join(f"{s} {count[s]}" for s in inst.startups)
    return "\n".join([
        f"status {schedule.status}: score {schedule.score}, bound {schedule.bound}, "
        f"gap {100 * schedule.gap:.2f}%",
        f"{len(schedule.meetings)} meetings, {schedule.breaks} breaks, "
        f"{schedule.table_changes} table changes, {schedule.seconds:.2f} s",
        f"meetings per startup: {per_startup}",
    ])
