"""Random but realistic events by seed, for the benchmark and the property tests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from matcher.model.event import MICHK_FIELDS, Event


@dataclass(frozen=True)
class Size:
    """How big a generated event is."""

    name: str
    startups: int
    investors: int
    slots: int
    tables: int


SIZES = {
    "michk": Size("michk", 10, 40, 14, 10),
    "brokerage": Size("brokerage", 120, 80, 16, 50),
    "large": Size("large", 400, 250, 24, 160),
}


def slot_times(count: int, start: datetime, minutes: int = 20, changeover: int = 5,
               ) -> list[dict]:
    """Consecutive slots of `minutes` with `changeover` minutes between them."""
    step = timedelta(minutes=minutes + changeover)
    return [{"id": f"s{n + 1:02d}", "start": (start + n * step).isoformat(timespec="minutes"),
             "end": (start + n * step + timedelta(minutes=minutes)).isoformat(timespec="minutes")}
            for n in range(count)]


def generate(size: Size, seed: int = 0, late_or_early: float = 0.2, min_meetings: int = 3,
             ) -> Event:
    """An event of the given size: investors like 2 to 4 fields, wish for a few startups, some
    avoid one, some arrive late or leave early, some cap their meetings."""
    rng = random.Random(seed)
    slots = slot_times(size.slots, datetime(2023, 9, 13, 14, 0))
    startups = []
    for n in range(size.startups):
        startups.append({"id": f"st-{n + 1:03d}", "name": f"Startup {n + 1}",
                         "field": rng.choice(MICHK_FIELDS), "min_meetings": min_meetings,
                         "wishes": {}})
    investors = []
    for n in range(size.investors):
        liked = rng.sample(MICHK_FIELDS, rng.randint(2, 4))
        interests = {f: rng.randint(1, 3) for f in liked}
        matching = [s for s in startups if s["field"] in liked] or startups
        wishes = {s["id"]: rng.randint(1, 3)
                  for s in rng.sample(matching, min(len(matching), rng.randint(0, 4)))}
        others = [s["id"] for s in startups if s["id"] not in wishes]
        avoid = rng.sample(others, 1) if others and rng.random() < 0.15 else []
        unavailable: list[str] = []
        if rng.random() < late_or_early:
            cut = rng.randint(2, max(2, size.slots // 3))
            ids = [s["id"] for s in slots]
            unavailable = ids[:cut] if rng.random() < 0.5 else ids[-cut:]
        investor = {"id": f"inv-{n + 1:03d}", "name": f"Investor {n + 1}",
                    "interests": interests, "wishes": wishes, "avoid": avoid,
                    "unavailable": unavailable}
        if rng.random() < 0.3:
            investor["max_meetings"] = rng.randint(3, max(3, size.slots // 2))
        investors.append(investor)
    investor_ids = [i["id"] for i in investors]
    for s in startups:
        avoided_by = {i["id"] for i in investors if s["id"] in i["avoid"]}
        pool = [i for i in investor_ids if i not in avoided_by]
        s["wishes"] = {i: rng.randint(1, 3) for i in rng.sample(pool, min(len(pool), 3))}
    return Event.model_validate({
        "format": 1,
        "name": f"Generated {size.name} event, seed {seed}",
        "timezone": "Asia/Hong_Kong",
        "slots": slots,
        "tables": [f"T{k + 1:03d}" for k in range(size.tables)],
        "startups": startups,
        "investors": investors,
    })
