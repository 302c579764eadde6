"""`matcher check` and the rules: each hard rule, held and broken, reported by its label."""

from __future__ import annotations

import pytest

from matcher.model.check import violations
from matcher.model.event import Event
from matcher.model.instance import Instance
from matcher.model.objectives import Proofs, claims, table_changes, total_breaks
from matcher.model.rules import RULES
from matcher.model.schedule import Meeting, Schedule, meeting_uid


def schedule(event: Event, meetings: list[tuple[str, str, str, str]], **claims: object,
             ) -> Schedule:
    """A schedule of (startup, investor, slot, table) meetings whose claims are true unless
    overridden."""
    inst = Instance(event)
    listed = [Meeting(startup=s, investor=i, slot=t, table=k,
                      score=inst.scores.get((s, i), 0), uid=meeting_uid(event.name, s, i) + t)
              for s, i, t, k in meetings]
    known = [m for m in listed if m.slot in inst.slot_index]
    score = sum(m.score for m in listed)
    values = {
        "status": "feasible", "score": score, "bound": score,
        "breaks": total_breaks((m.startup, m.investor, inst.slot_index[m.slot]) for m in known),
        "table_changes": table_changes((m.startup, m.table) for m in listed),
        "meetings": tuple(listed), "seconds": 0.1,
    }
    return Schedule(**(values | claims))


# (event changes, meetings, label of the broken rule); each rule appears held and broken.
CASES = [
    ({}, [("a", "x", "s1", "T1"), ("b", "y", "s1", "T2")], None),
    ({}, [("b", "z", "s1", "T1")],
     "b/z meet, but their score is 0 and the meeting is neither required nor pinned"),
    ({"required": [{"startup": "b", "investor": "z"}]}, [("b", "z", "s1", "T1")], None),
    ({"investors.0.avoid": ["a"]}, [("a", "x", "s1", "T1")],
     "a/x meet, but investor x avoids startup a"),
    ({}, [("a", "x", "s1", "T1"), ("a", "x", "s2", "T1")], "a/x meet more than once"),
    ({"investors.0.max_meetings": 1}, [("a", "x", "s1", "T1"), ("b", "x", "s2", "T2")],
     "x has more than its max_meetings 1 meetings"),
    ({"investors.0.max_meetings": 2}, [("a", "x", "s1", "T1"), ("b", "x", "s2", "T2")], None),
    ({"startups.0.max_meetings": 1}, [("a", "x", "s1", "T1"), ("a", "z", "s2", "T1")],
     "a has more than its max_meetings 1 meetings"),
    ({"startups.0.min_meetings": 2}, [("a", "x", "s1", "T1")],
     "a has fewer than its min_meetings 2 meetings"),
    ({"startups.0.min_meetings": 2}, [("a", "x", "s1", "T1"), ("a", "z", "s2", "T1")], None),
    ({"required": [{"startup": "a", "investor": "y"}]}, [("a", "x", "s1", "T1")],
     "required meeting a/y does not take place"),
    ({}, [("a", "x", "s1", "T1"), ("b", "x", "s1", "T2")], "x has two meetings in s1"),
    ({}, [("a", "x", "s1", "T1"), ("a", "z", "s1", "T2")], "a has two meetings in s1"),
    ({"investors.0.unavailable": ["s1"]}, [("a", "x", "s1", "T1")],
     "a/x meet in s1, when x is unavailable"),
    ({"investors.0.unavailable": ["s1"]}, [("a", "x", "s2", "T1")], None),
    ({"tables": ["T1"]}, [("a", "x", "s1", "T1"), ("b", "y", "s1", "T1")],
     "s1 has more meetings than the 1 tables"),
    ({}, [("a", "x", "s1", "T1"), ("b", "y", "s1", "T1")], "table T1 has two meetings in s1"),
    ({"pinned": [{"startup": "a", "investor": "x", "slot": "s1"}]}, [("a", "x", "s2", "T1")],
     "pinned meeting a/x is not in s1"),
    ({"pinned": [{"startup": "a", "investor": "x", "slot": "s1", "table": "T2"}]},
     [("a", "x", "s1", "T1")], "pinned meeting a/x is not at table T2"),
    ({"pinned": [{"startup": "a", "investor": "x", "slot": "s1", "table": "T2"}]},
     [("a", "x", "s1", "T2")], None),
]


def event_with(tiny: dict, changes: dict) -> Event:
    """The tiny event with dotted-path changes such as `investors.0.avoid`."""
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = tiny
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value
    return Event.model_validate(tiny)


@pytest.mark.parametrize(("changes", "meetings", "label"), CASES)
def test_each_rule_held_and_broken(tiny: dict, changes: dict, meetings: list,
                                   label: str | None) -> None:
    event = event_with(tiny, changes)
    problems = violations(Instance(event), schedule(event, meetings))
    if label is None:
        assert problems == []
    else:
        assert label in problems


def test_every_rule_is_exercised_by_a_broken_case() -> None:
    labels = " | ".join(c[2] for c in CASES if c[2])
    words = {"allowed-pair": "meet, but", "once-per-pair": "more than once",
             "max-meetings": "max_meetings", "min-meetings": "min_meetings",
             "required": "required meeting", "one-meeting-per-slot": "two meetings in s",
             "available": "unavailable", "tables-per-slot": "more meetings than",
             "pinned-slot": "is not in", "one-meeting-per-table": "table T1 has two",
             "pinned-table": "is not at table"}
    assert {r.name for r in RULES} == set(words)
    assert all(words[r.name] in labels for r in RULES)


def test_every_rule_states_itself_in_one_line() -> None:
    assert all(r.statement and "\n" not in r.statement for r in RULES)


def test_false_claims_are_reported(tiny: dict) -> None:
    event = Event.model_validate(tiny)
    sched = schedule(event, [("a", "x", "s1", "T1"), ("a", "z", "s3", "T1")],
                     score=99, breaks=0, table_changes=4, status="optimal", bound=120)
    problems = violations(Instance(event), sched)
    assert "the schedule claims score 99, but its meetings give 3" in problems
    assert "the schedule claims breaks 0, but its meetings give 1" in problems
    assert "the schedule claims table_changes 4, but its meetings give 0" in problems
    assert "status is optimal, but the score 99 is below the bound 120" in problems


def test_meeting_score_and_uid_claims_are_checked(tiny: dict) -> None:
    event = Event.model_validate(tiny)
    good = schedule(event, [("a", "x", "s1", "T1"), ("b", "y", "s2", "T2")])
    first, second = good.meetings
    bad = good.model_copy(update={"meetings": (first.model_copy(update={"score": 7}),
                                               second.model_copy(update={"uid": first.uid}))})
    problems = violations(Instance(event), bad)
    assert "meeting a/x claims score 7, but the pair scores 2" in problems
    assert f"uid {first.uid} is used by 2 meetings" in problems


def test_unknown_ids_in_a_schedule_are_named(tiny: dict) -> None:
    event = Event.model_validate(tiny)
    sched = schedule(event, [("a", "x", "s1", "T1"), ("q", "x", "s2", "T1"),
                             ("a", "y", "s9", "T1"), ("b", "y", "s2", "T7")])
    problems = violations(Instance(event), sched)
    assert "meeting 2 (q/x) names unknown startup q" in problems
    assert "meeting 3 (a/y) names unknown slot s9" in problems
    assert "meeting 4 (b/y) names unknown table T7" in problems


def claimed(tiny: dict, loss: float = 0.0, **changes: object) -> list[str]:
    """The problems `check` finds in a schedule of a/x and b/y in s1 whose claims are true (as
    `claims` makes them) but for `changes`, to the schedule or (with a dot) its fairness."""
    tiny["fairness"] = {"max_score_loss": loss}
    event = Event.model_validate(tiny)
    inst = Instance(event)
    meetings = schedule(event, [("a", "x", "s1", "T1"), ("b", "y", "s1", "T2")]).meetings
    true = claims(inst, meetings, Proofs(bound=6, startup_floor_bound=1, investor_floor_bound=0))
    fair = {k.split(".")[1]: v for k, v in changes.items() if k.startswith("fairness.")}
    top = {k: v for k, v in changes.items() if "." not in k}
    true["fairness"] = true["fairness"].model_copy(update=fair)
    return violations(inst, Schedule(meetings=meetings, seconds=0.1, **(true | top)))


@pytest.mark.parametrize(("loss", "changes", "problem"), [
    (0.0, {}, None),
    (0.0, {"fairness.startup_floor": 2}, "the schedule claims every startup has at least "
     "min(2, its reach) meetings, but a has 1 of its reach 2"),
    (0.0, {"fairness.startup_floor": 0}, "the schedule claims startup floor 0, but its "
     "meetings give 1"),
    (0.0, {"fairness.startup_floor_bound": 0}, "the startup floor bound 0 is below the floor 1"),
    (0.0, {"fairness.score_given_up": 1, "bound": 6}, "the schedule gives up 1 of the best score "
     "6 for the floors, but the event allows 0 (fairness.max_score_loss 0)"),
    (0.2, {"fairness.score_given_up": 1, "bound": 6}, None),
    (0.2, {"fairness.score_given_up": 1, "bound": 5}, "the bound 5 is below the best score 6 "
     "found"),
    (0.0, {"status": "optimal"}, "status is optimal, but score is not proven optimal"),
    (0.0, {"proven": ("score", "startup_floor", "investor_floor", "table_changes")}, "the score "
     "is claimed proven, but the best score 5 is below the bound 6"),
    (0.0, {"fairness.investor_floor_bound": 1}, "the investor floor is claimed proven, but its "
     "bound is 1"),
])
def test_fairness_and_status_claims_held_and_broken(tiny: dict, loss: float, changes: dict,
                                                    problem: str | None) -> None:
    problems = claimed(tiny, loss, **changes)
    assert problems == [] if problem is None else problem in problems
