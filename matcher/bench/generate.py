"""Random but realistic events by seed, for the benchmark and the property tests.

Two families: `generate` makes contest finals and brokerage events (startups and investors, one
afternoon); `generate_trade` makes trade shows of several days (exhibitors and buyers).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

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
        investor: dict[str, Any] = {"id": f"inv-{n + 1:03d}", "name": f"Investor {n + 1}",
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


@dataclass(frozen=True)
class TradeSize:
    """How big a generated trade show is: buyers walk, exhibitors stay at their tables."""

    name: str
    buyers: int
    exhibitors: int
    days: int
    slots_per_day: int
    diary: float  # a buyer's appointments, as a share of its free slots


# Shaped after two published shows: ILTM North America (475 luxury-travel buyers and as many
# exhibitors, 3 days, about 21,000 appointments) and the Australian Tourism Exchange (about 2,300
# buyers, 1,500 exhibitors, 15-minute appointments over 3 days, 40,000 to 80,000 appointments).
TRADE_SIZES = {
    "trade-iltm": TradeSize("trade-iltm", 475, 475, 3, 20, 0.85),
    "trade-ate": TradeSize("trade-ate", 2300, 1500, 3, 24, 0.55),
}

# What a travel trade show's exhibitors sell: the event's fields.
TRADE_FIELDS = (
    "hotels-resorts", "villas", "cruises", "river-cruises", "tour-operators", "destinations",
    "wellness-spa", "adventure", "rail", "airlines", "dmc", "yachting", "safari", "ski",
    "culinary", "culture-heritage", "events-venues", "islands", "private-aviation", "eco-lodges",
)


def _popularity(rng: random.Random, count: int, skew: float) -> list[float]:
    """Uneven weights, a few large and many small (a Zipf law with this exponent), shuffled."""
    weights = [1 / (rank + 1) ** skew for rank in range(count)]
    rng.shuffle(weights)
    return weights


def _pick(rng: random.Random, items: list, weights: list[float], count: int) -> list:
    """`count` distinct items, each drawn with its weight (fewer if there are not enough)."""
    keys = sorted(range(len(items)), key=lambda k: rng.random() ** (1 / weights[k]), reverse=True)
    return [items[k] for k in keys[:count]]


def trade_slots(size: TradeSize, first_day: date, minutes: int = 15, changeover: int = 5,
                ) -> list[dict]:
    """The slots of each day from 9:00, with a lunch hour after the first half."""
    slots = []
    for day in range(size.days):
        morning = size.slots_per_day // 2
        start = datetime.combine(first_day + timedelta(days=day), time(9, 0))
        times = slot_times(morning, start, minutes, changeover)
        after_lunch = start + (minutes + changeover) * timedelta(minutes=morning) + \
            timedelta(hours=1)
        times += slot_times(size.slots_per_day - morning, after_lunch, minutes, changeover)
        slots += [{"id": f"d{day + 1}-{n + 1:02d}", "start": s["start"], "end": s["end"]}
                  for n, s in enumerate(times)]
    return slots


def generate_trade(size: TradeSize, seed: int = 0) -> Event:
    """A trade show of several days: exhibitors (the event's startups: they stay at a table)
    each sell one kind of product, with uneven popularity; buyers (its investors: they walk)
    are interested in two to four kinds, request the exhibitors they want most (the popular
    ones most often) and cap their diary at a share of their free slots; exhibitors request a
    few big buyers. A quarter of the buyers come for only some days, and a few exhibitors
    miss a day or half of one."""
    rng = random.Random(seed)
    slots = trade_slots(size, date(2024, 6, 17))
    ids = [s["id"] for s in slots]
    days = [ids[d * size.slots_per_day:(d + 1) * size.slots_per_day] for d in range(size.days)]
    field_weight = _popularity(rng, len(TRADE_FIELDS), 0.8)
    fields = list(TRADE_FIELDS)
    exhibitor_weight = _popularity(rng, size.exhibitors, 0.7)
    buyer_weight = _popularity(rng, size.buyers, 0.7)
    exhibitors: list[dict[str, Any]] = []
    for n in range(size.exhibitors):
        unavailable: list[str] = []
        if rng.random() < 0.05:
            day = rng.choice(days)
            unavailable = day if rng.random() < 0.5 else day[:len(day) // 2]
        exhibitors.append({"id": f"ex-{n + 1:04d}", "name": f"Exhibitor {n + 1}",
                           "field": rng.choices(fields, field_weight)[0],
                           "unavailable": unavailable, "wishes": {}})
    by_field: dict[str, list[int]] = {f: [] for f in fields}
    for k, e in enumerate(exhibitors):
        by_field[e["field"]].append(k)
    buyers = []
    for n in range(size.buyers):
        liked = _pick(rng, fields, field_weight, rng.randint(2, 4))
        interests = {f: rng.randint(1, 3) for f in liked}
        pool = [k for f in liked for k in by_field[f]] or list(range(size.exhibitors))
        requests = _pick(rng, pool, [exhibitor_weight[k] for k in pool], rng.randint(5, 20))
        wishes = {exhibitors[k]["id"]: rng.choices((1, 2, 3), (3, 2, 1))[0] for k in requests}
        away: list[str] = []
        if size.days > 1 and rng.random() < 0.25:
            away = [t for day in rng.sample(days, rng.randint(1, size.days - 1)) for t in day]
        diary = round((len(ids) - len(away)) * size.diary * rng.uniform(0.8, 1.2))
        buyers.append({"id": f"by-{n + 1:04d}", "name": f"Buyer {n + 1}", "interests": interests,
                       "wishes": wishes, "unavailable": away,
                       "max_meetings": max(1, min(len(ids) - len(away), diary))})
    buyer_ids = [b["id"] for b in buyers]
    for e in exhibitors:
        e["wishes"] = {b: rng.randint(1, 3)
                       for b in _pick(rng, buyer_ids, buyer_weight, rng.randint(0, 6))}
    return Event.model_validate({
        "format": 1,
        "name": f"Generated {size.name} trade show, seed {seed}",
        "timezone": "Australia/Sydney",
        "fields": fields,
        "slots": slots,
        "tables": [f"T{k + 1:04d}" for k in range(size.exhibitors)],
        "startups": exhibitors,
        "investors": buyers,
    })
