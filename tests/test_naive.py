"""The naive time-indexed model (the bench's baseline and the staged solver's fallback): its
rules and its break count."""

from __future__ import annotations

from matcher.model.event import Event
from matcher.model.instance import Instance
from matcher.model.objectives import total_breaks
from matcher.solve.naive import solve_naive


def test_break_count_of_the_model_is_the_timetable_s(tiny: dict) -> None:
    # y is away in s2 and wants both startups: one of its two meetings is in s1, the other in s3.
    tiny["investors"][1] |= {"unavailable": ["s2"], "wishes": {"a": 1}}
    inst = Instance(Event.model_validate(tiny))
    result = solve_naive(inst, time_limit=10)
    assert result.status in ("optimal", "feasible")
    assert {t for (s, i), t in result.placed.items() if i == "y"} == {0, 2}
    assert result.breaks == total_breaks((s, i, t) for (s, i), t in result.placed.items()) >= 1


def test_meetings_to_keep_come_before_the_score(tiny: dict) -> None:
    # Alone, a/x (score 2) beats a/z (score 1) in the only slot; keeping a/z in s1 comes first.
    tiny["slots"] = tiny["slots"][:1]
    inst = Instance(Event.model_validate(tiny))
    assert ("a", "x") in solve_naive(inst, time_limit=10, with_breaks=False).placed
    kept = solve_naive(inst, time_limit=10, with_breaks=False, keep={("a", "z"): 0})
    assert kept.placed.get(("a", "z")) == 0
    assert kept.bound == kept.score  # no claim on the score when meetings to keep come first
