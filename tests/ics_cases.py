"""Small hand-made events and schedules for the calendar tests, and ical.js to read .ics files."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from matcher.model.event import Event
from matcher.model.schedule import Meeting, Schedule, meeting_uid

ROOT = Path(__file__).resolve().parent.parent
READER = ROOT / "tests" / "icaljs_read.mjs"


def event(timezone: str, slots: list[tuple[str, str]], name: str = "Finals") -> Event:
    """An event with these local slots and three startups and three investors (some without email)."""
    return Event.model_validate(event_data(timezone, slots, name))


def event_data(timezone: str, slots: list[tuple[str, str]], name: str = "Finals") -> dict:
    """The event file's content, as `event` validates it."""
    return {
        "format": 1,
        "name": name,
        "venue": "Science Park, Hall 2",
        "timezone": timezone,
        "slots": [{"id": f"s{n}", "start": start, "end": end}
                  for n, (start, end) in enumerate(slots, 1)],
        "tables": ["T1", "T2"],
        "startups": [
            {"id": "alpha", "name": "Alpha Robotics", "field": "iot", "email": "ceo@alpha.example",
             "description": "Warehouse robots"},
            {"id": "beta", "name": "Beta Bio", "field": "biotech", "email": "hi@beta.example"},
            {"id": "gamma", "name": "Gamma Grid", "field": "new-energy"},
        ],
        "investors": [
            {"id": "vc1", "name": "Vera Chan", "organisation": "Harbour Ventures",
             "email": "vera@harbour.example"},
            {"id": "vc2", "name": "Omar Patel", "email": "omar@fund.example"},
            {"id": "vc3", "name": "Lee Wong"},
        ],
    }


def meeting(ev: Event, startup: str, investor: str, slot: str, table: str = "T1",
            sequence: int = 0) -> Meeting:
    """A meeting of the event with its real uid."""
    return Meeting(startup=startup, investor=investor, slot=slot, table=table, score=1,
                   uid=meeting_uid(ev.name, startup, investor), sequence=sequence)


def schedule(*meetings: Meeting) -> Schedule:
    """A schedule of these meetings; its totals are not what these tests look at."""
    return Schedule(status="feasible", score=len(meetings), bound=len(meetings), breaks=0,
                    table_changes=0, meetings=meetings, seconds=0.0)


def icaljs(*paths: Path) -> list[dict]:
    """What ical.js reads in each file (see icaljs_read.mjs); `make test` installs it with npm."""
    if not (ROOT / "node_modules" / "ical.js").is_dir():
        raise RuntimeError("ical.js is not installed: run `make test` (or `npm ci`) first")
    # A far-off zone for the process, so that a time read as floating cannot pass for UTC.
    env = {**os.environ, "TZ": "Pacific/Chatham"}
    out = subprocess.run(["node", str(READER), *map(str, paths)], capture_output=True, text=True,
                         env=env, cwd=ROOT, check=True, timeout=60)
    return json.loads(out.stdout)
