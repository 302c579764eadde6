"""Meeting slots from an event's day, sessions, meeting length and changeover, and back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Session = tuple[time, time]


def make_slots(day: date, sessions: list[Session], minutes: int, changeover: int,
               ) -> list[dict[str, str]]:
    """Consecutive slots of `minutes` with `changeover` between them, inside each session;
    the gaps between sessions are the breaks. Ids run s01, s02, ... through the day."""
    slots: list[dict[str, str]] = []
    for first, last in sessions:
        start, end = datetime.combine(day, first), datetime.combine(day, last)
        while start + timedelta(minutes=minutes) <= end:
            finish = start + timedelta(minutes=minutes)
            slots.append({"id": f"s{len(slots) + 1:02d}",
                          "start": start.isoformat(timespec="minutes"),
                          "end": finish.isoformat(timespec="minutes")})
            start = finish + timedelta(minutes=changeover)
    return slots


def settings_of(slots: list[dict[str, Any]]) -> dict[str, Any]:
    """Day, meeting length, changeover and sessions that describe given slots (an imported event's):
    a new session starts wherever the gap is longer than the first changeover."""
    times = [(datetime.fromisoformat(str(s["start"])), datetime.fromisoformat(str(s["end"])))
             for s in slots]
    minutes = int((times[0][1] - times[0][0]).total_seconds() // 60)
    gaps = [int((b[0] - a[1]).total_seconds() // 60) for a, b in zip(times, times[1:], strict=False)]
    changeover = gaps[0] if gaps else 5
    sessions = [[times[0][0], times[0][1]]]
    for (start, end), gap in zip(times[1:], gaps, strict=True):
        if gap > changeover:
            sessions.append([start, end])
        else:
            sessions[-1][1] = end
    return {"day": times[0][0].date(), "meeting_minutes": minutes, "changeover_minutes": changeover,
            "sessions": [[f"{a:%H:%M}", f"{b:%H:%M}"] for a, b in sessions]}


def sessions_text(sessions: list[list[str]]) -> str:
    """Sessions as the form shows them: `14:00-16:00, 16:30-18:00`."""
    return ", ".join(f"{a}-{b}" for a, b in sessions)


def renamed(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, str]:
    """Old slot id -> new slot id of the slot starting at the same time of day; slots that are
    gone are left out. Answers and pins follow their time when the organiser changes the day."""
    by_time = {datetime.fromisoformat(str(s["start"])).time(): s["id"] for s in new}
    return {s["id"]: by_time[t] for s in old
            if (t := datetime.fromisoformat(str(s["start"])).time()) in by_time}


def current_slot(slots: list[dict[str, Any]], timezone: str, at: datetime | None = None) -> str:
    """The slot in progress or next to start at `at` (now), where re-planning starts; the first
    slot once the day is over (re-planning a finished day only makes sense as a whole)."""
    local = (at or datetime.now(UTC)).astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    upcoming = [s["id"] for s in slots if datetime.fromisoformat(str(s["end"])) > local]
    return upcoming[0] if upcoming else slots[0]["id"]
