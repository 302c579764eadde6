"""The event prepared for the solvers: candidate pairs and scores found without trying every pair
agree with the definitions (score at least 1, or required or pinned; never avoided; a common
free slot, from `opens_at` on unless pinned)."""

from __future__ import annotations

import pytest

from matcher.bench.generate import SIZES, TradeSize, generate, generate_trade
from matcher.model.event import Event, pair_score
from matcher.model.instance import Instance


def by_definition(inst: Instance) -> tuple:
    return tuple((s, i) for s in inst.startups for i in inst.investors
                 if inst.may_meet((s, i)) and inst.common_slots((s, i)))


@pytest.mark.parametrize("opens_at", [0, 4])
@pytest.mark.parametrize("event", [
    generate(SIZES["michk"], 3),
    generate_trade(TradeSize("t", buyers=25, exhibitors=15, days=2, slots_per_day=5, diary=0.5), 1),
], ids=["michk", "trade"])
def test_candidates_are_the_pairs_that_may_meet_with_a_common_slot(event: Event, opens_at: int
                                                                   ) -> None:
    inst = Instance(event, opens_at)
    assert inst.candidates == by_definition(inst)


def test_required_pinned_and_avoided_pairs(tiny: dict) -> None:
    # z has no interest in iot (b's field) and no wish: b/z scores 0, but is required;
    # y would meet b (iot 3), but avoids it; a/y scores 0 and is pinned in s3.
    tiny["investors"][1]["avoid"] = ["b"]
    tiny["required"] = [{"startup": "b", "investor": "z"}]
    tiny["pinned"] = [{"startup": "a", "investor": "y", "slot": "s3"}]
    inst = Instance(Event.model_validate(tiny), opens_at=2)
    assert ("b", "z") in inst.candidates and ("a", "y") in inst.candidates
    assert ("b", "y") not in inst.candidates
    assert inst.candidates == by_definition(inst)
    # From s2 on, a pinned pair keeps its slot, and others keep only the open slots.
    assert inst.common_slots(("a", "y")) == {2}
    assert inst.common_slots(("a", "x")) == {2}


def test_scores_are_read_like_a_mapping_of_every_pair(tiny: dict) -> None:
    event = Event.model_validate(tiny)
    scores = Instance(event).scores
    assert len(scores) == 6 and len(list(scores)) == 6
    assert scores["a", "x"] == pair_score(event.startups[0], event.investors[0]) == 2
    assert ("a", "nobody") not in scores and "a" not in scores
    assert scores.get(("a", "nobody"), -1) == -1
    with pytest.raises(KeyError):
        scores["x", "a"]
