"""Re-planning keeps the old timetable in place where the rules allow and says who is affected."""

from __future__ import annotations

from collections import Counter

import pytest

from matcher.bench.generate import SIZES, generate
from matcher.model.check import violations
from matcher.model.event import Event
from matcher.model.instance import Instance
from matcher.solve.replan import changes, kept_share, replan
from matcher.solve.solver import solve


def without_investor_plus_newcomer(event: Event, gone: str) -> Event:
    data = event.model_dump()
    data["investors"] = [i for i in data["investors"] if i["id"] != gone]
    for s in data["startups"]:
        s["wishes"].pop(gone, None)
    data["investors"].append({"id": "inv-new", "name": "New Fund",
                              "interests": {"fintech": 3, "iot": 2, "biotech": 2},
                              "wishes": {data["startups"][0]["id"]: 3}})
    return Event.model_validate(data)


@pytest.mark.parametrize("seed", [0, 1])
def test_dropout_and_newcomer_keep_untouched_meetings_in_place(seed: int) -> None:
    event = generate(SIZES["michk"], seed)
    old = solve(event, time_limit=10)
    busiest = Counter(m.investor for m in old.meetings).most_common(1)[0][0]
    changed = without_investor_plus_newcomer(event, busiest)
    new = replan(changed, old, time_limit=10)
    fresh = solve(changed, time_limit=10)
    assert violations(Instance(changed), new) == []
    untouched = {(m.startup, m.investor) for m in old.meetings if m.investor != busiest}
    assert kept_share(old, new, untouched) >= 0.9
    # Bounds that hold whatever the clock: the meetings kept in place score at least what they
    # did, and no timetable of the changed event beats the bound of a fresh solve.
    here = {(m.startup, m.investor, m.slot, m.table) for m in new.meetings}
    kept = sum(m.score for m in old.meetings if (m.startup, m.investor, m.slot, m.table) in here)
    assert kept <= new.score <= fresh.bound
    diff = changes(old, new)
    assert {m.investor for m in diff.cancelled} == {busiest}
    assert busiest in diff.affected()
    assert all(m.uid not in {o.uid for o in old.meetings} for m in diff.added)


def test_moved_meeting_keeps_uid_and_raises_sequence(tiny: dict) -> None:
    tiny["slots"].append({"id": "s4", "start": "2023-09-13T15:15", "end": "2023-09-13T15:35"})
    event = Event.model_validate(tiny)
    old = solve(event, time_limit=5)
    first = old.meetings[0]
    tiny["investors"] = [i | ({"unavailable": [first.slot]} if i["id"] == first.investor else {})
                         for i in tiny["investors"]]
    new = replan(Event.model_validate(tiny), old, time_limit=5)
    again = next(m for m in new.meetings
                 if (m.startup, m.investor) == (first.startup, first.investor))
    assert again.slot != first.slot
    assert again.uid == first.uid and again.sequence == first.sequence + 1
    kept = [m for m in new.meetings if m.uid in {o.uid for o in old.meetings} and
            (m.slot, m.table) == next((o.slot, o.table) for o in old.meetings if o.uid == m.uid)]
    assert all(m.sequence == 0 for m in kept)


def test_replan_from_now_freezes_the_past(tiny: dict) -> None:
    event = Event.model_validate(tiny)
    old = solve(event, time_limit=5)
    tiny["investors"].append({"id": "w", "name": "Walk-in", "interests": {"fintech": 3},
                              "wishes": {"a": 3}})
    new = replan(Event.model_validate(tiny), old, time_limit=5, now="s2")
    past_before = {(m.startup, m.investor, m.table) for m in old.meetings if m.slot == "s1"}
    past_after = {(m.startup, m.investor, m.table) for m in new.meetings if m.slot == "s1"}
    assert past_after == past_before
    assert all(m.slot != "s1" for m in new.meetings if m.investor == "w")


def test_old_meetings_that_cannot_all_stay_keep_the_most(tiny: dict, monkeypatch) -> None:
    from matcher.solve import replan as replanning

    event = Event.model_validate(tiny)
    old = solve(event, time_limit=5)
    x_meetings = {(m.startup, m.investor, m.slot, m.table) for m in old.meetings
                  if m.investor == "x"}
    assert len(x_meetings) == 2  # x meets both startups
    tiny["investors"][0]["max_meetings"] = 1  # each may stay on its own, not both
    calls = []
    real = replanning.solve_naive
    monkeypatch.setattr(replanning, "solve_naive",
                        lambda *a, **k: calls.append(k.get("keep")) or real(*a, **k))
    changed = Event.model_validate(tiny)
    new = replan(changed, old, time_limit=10)
    assert calls and len(calls[0]) == len(old.meetings)  # the fallback weighed every old meeting
    assert violations(Instance(changed), new) == []
    here = {(m.startup, m.investor, m.slot, m.table) for m in new.meetings}
    assert len(here & x_meetings) == 1  # one of x's meetings stays exactly where it was
    others = {(m.startup, m.investor, m.slot, m.table) for m in old.meetings} - x_meetings
    assert others <= here
