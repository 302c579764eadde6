"""Meetings per participant at a glance: for the startups and for the investors, how many have
each number of meetings (a small bar chart), who has the fewest, and the fairness floors that
the schedule file reports (every startup, or investor, has at least min(floor, its reach))."""

from __future__ import annotations

from dataclasses import dataclass

from web.schedules.layout import Layout

FEWEST_SHOWN = 5


@dataclass(frozen=True)
class Bar:
    """The participants of one side with this many meetings."""

    meetings: int
    names: tuple[str, ...]


@dataclass(frozen=True)
class Side:
    """One side's spread: its bars (from no meeting to the most), the fewest and most meetings,
    who has the fewest, and the floor reached and the best floor possible (when reported)."""

    kind: str
    bars: tuple[Bar, ...]
    least: int
    most: int
    fewest: tuple[str, ...]
    floor: int | None
    floor_bound: int | None

    @property
    def tallest(self) -> int:
        """The most participants in one bar (the chart's scale)."""
        return max((len(b.names) for b in self.bars), default=0)


def side(layout: Layout, kind: str) -> Side | None:
    """The spread of the startups or of the investors; None for a side with nobody."""
    people = layout.event.startups if kind == "startup" else layout.event.investors
    if not people:
        return None
    counts = {p.id: layout.counts.get(p.id, 0) for p in people}
    names = {p.id: p.name for p in people}
    least, most = min(counts.values()), max(counts.values())
    bars = tuple(Bar(n, tuple(sorted(names[p] for p, c in counts.items() if c == n)))
                 for n in range(0, most + 1))
    fewest = tuple(sorted(names[p] for p, c in counts.items() if c == least))
    fair = layout.schedule.fairness
    return Side(kind, bars, least, most, fewest,
                None if fair is None else getattr(fair, f"{kind}_floor"),
                None if fair is None else getattr(fair, f"{kind}_floor_bound"))


def spread(layout: Layout) -> list[Side]:
    """Both sides' spreads, startups first."""
    return [s for s in (side(layout, "startup"), side(layout, "investor")) if s is not None]
