"""The sample event: MiCHK 2023 at Cyberport, as the README and `make run` present it."""

from __future__ import annotations

from collections import Counter

from matcher.model.check import violations
from matcher.model.files import load_event
from matcher.model.instance import Instance
from matcher.solve.solver import solve
from tests.conftest import SAMPLE


def test_sample_event_describes_the_michk_2023_final() -> None:
    event = load_event(SAMPLE)
    assert event.timezone == "Asia/Hong_Kong" and "Cyberport" in (event.venue or "")
    assert {s.start.date().isoformat() for s in event.slots} == {"2023-09-13"}
    assert len(event.startups) == 10 and len(event.tables) == 10
    assert 30 <= len(event.investors) <= 40
    names = {s.name for s in event.startups}
    assert {"Dai3mimi Health-Tech Limited", "Datality Lab Limited",
            "Calandex Innovation and Technology (HK) Company Limited"} <= names
    assert all(s.min_meetings >= 3 and s.description for s in event.startups)
    assert sum(1 for i in event.investors if i.unavailable) >= 3
    assert all((s.end - s.start).seconds == 20 * 60 for s in event.slots)


def test_sample_event_solves_with_every_startup_at_three_meetings_or_more() -> None:
    event = load_event(SAMPLE)
    result = solve(event, time_limit=20)
    assert violations(Instance(event), result) == []  # its claims included
    assert result.table_changes == 0
    meetings = Counter(m.startup for m in result.meetings)
    assert all(meetings[s.id] >= 3 for s in event.startups)
