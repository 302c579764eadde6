"""Property: whatever small event hypothesis invents (on one day or two, giving up score for
fairness or not), the solver's schedule passes `matcher check`, its claims included: the score,
the floors and their cost, the status and what it says is proven; and its score, its bound and
any verdict that the event is impossible agree with an independent model of the rules."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from matcher.model.check import violations
from matcher.model.event import Event
from matcher.model.instance import Instance
from matcher.solve.pairing import Infeasible
from matcher.solve.solver import solve
from tests.independent import best_score

FIELDS = ["fintech", "iot", "biotech"]


@st.composite
def events(draw: st.DrawFn) -> dict:
    n_slots = draw(st.integers(1, 5))
    second_day = draw(st.integers(1, n_slots))  # the first slot of the second day, if any
    slots = [{"id": f"s{t}", "start": f"2023-09-{13 + (t >= second_day)}T{10 + t:02d}:00",
              "end": f"2023-09-{13 + (t >= second_day)}T{10 + t:02d}:20"} for t in range(n_slots)]
    slot_ids = [s["id"] for s in slots]
    startup_ids = [f"st{k}" for k in range(draw(st.integers(1, 4)))]
    investor_ids = [f"in{k}" for k in range(draw(st.integers(1, 5)))]
    some_slots = st.lists(st.sampled_from(slot_ids), unique=True, max_size=n_slots - 1)
    startups = [{"id": s, "name": s, "field": draw(st.sampled_from(FIELDS)),
                 "unavailable": draw(some_slots), "min_meetings": draw(st.integers(0, 1)),
                 "wishes": draw(st.dictionaries(st.sampled_from(investor_ids),
                                                st.integers(1, 3), max_size=2))}
                for s in startup_ids]
    investors = []
    for i in investor_ids:
        wishes = draw(st.dictionaries(st.sampled_from(startup_ids), st.integers(1, 3),
                                      max_size=2))
        others = [s for s in startup_ids if s not in wishes]
        investors.append({
            "id": i, "name": i,
            "interests": draw(st.dictionaries(st.sampled_from(FIELDS), st.integers(0, 3))),
            "wishes": wishes,
            "avoid": draw(st.lists(st.sampled_from(others), unique=True, max_size=1))
            if others else [],
            "unavailable": draw(some_slots),
            "max_meetings": draw(st.none() | st.integers(0, 3)),
        })
    pairs = st.tuples(st.sampled_from(startup_ids), st.sampled_from(investor_ids))
    required = [{"startup": s, "investor": i}
                for s, i in draw(st.lists(pairs, unique=True, max_size=1))]
    pinned = [{"startup": s, "investor": i, "slot": draw(st.sampled_from(slot_ids))}
              for s, i in draw(st.lists(pairs, unique=True, max_size=1))]
    return {"format": 1, "name": "Property event", "timezone": "Europe/London",
            "slots": slots, "tables": [f"T{k}" for k in range(draw(st.integers(1, 3)))],
            "startups": startups, "investors": investors, "required": required,
            "pinned": pinned,
            "fairness": {"max_score_loss": draw(st.sampled_from([0.0, 0.1, 0.5]))}}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_every_schedule_passes_check_and_scores_truly(data: dict) -> None:
    try:
        event = Event.model_validate(data)
    except ValidationError:
        assume(False)
        return
    best = best_score(event)
    try:
        result = solve(event, time_limit=5)
    except Infeasible as e:
        assert str(e)  # an impossible event is named, never a silent empty schedule
        assert best is None, f"called impossible ({e}), but a timetable scores {best}"
        return
    assert best is not None, "a schedule for an event that the independent model finds impossible"
    inst = Instance(event)
    assert violations(inst, result) == []
    assert result.score == sum(inst.scores[m.startup, m.investor] for m in result.meetings)
    assert result.fairness is not None and result.proven is not None
    # Claims that hold whatever time was left for the proofs: a score reached, and a bound.
    assert result.score <= best <= result.bound
    # The score given up for the floors is measured from the pairing stage's best score, which
    # counts pairs without their slots; it is claimed reached (and the score proven) only when
    # some timetable places those pairs.
    assert result.score + result.fairness.score_given_up <= result.bound
    if "score" in result.proven:
        assert result.score + result.fairness.score_given_up == best == result.bound
