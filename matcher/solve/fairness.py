"""Stage 1b: fair shares. Among the pairings that score at least the target (the best score
found, less the share the event allows to give up), raise the startups' floor, then the
investors' with the startups' kept.

A side's floor F holds when each of its participants has at least min(F, its reach) meetings
(`matcher.model.objectives.floor_of`). Each floor is raised by bisection, and each step asks
whether some pairing keeps the floors and reaches the target:

1. the pairing as a min-cost flow (`flow`), which leaves out the window limits: a relaxation,
   so when it misses a floor or the target no pairing has them (proven), and when its pairs
   also keep the window limits they answer yes (every other constraint of the pairing stage
   is an arc's bound or cost, so the flow keeps it). A flow without the scores, three to four
   times faster, first finds the highest floor that can be met at all, and the search for the
   target starts there;
2. else the pairing stage's LP relaxation with the floors: below the target, no (proven);
   integral, yes;
3. else CP-SAT with the floors and the target, hinted by the LP; what it cannot settle in its
   share of the time counts as no, unproven.

A floor's bound is the highest value not proven impossible, so the floors are proven at their
best when each equals its bound. Every answer maximises the score under its floors, so with no
score to give up the floors cost none. When startups share tables, a last flow keeps, among the
pairings of that score and those floors, as many of the first choice's pairs as it can: an
arbitrary one needed more table changes (brokerage size, seeds 0 to 2: 81, 80 and 61 against
75, 53 and 50).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from ortools.sat.python import cp_model

from matcher.model.instance import Instance, PairKey
from matcher.model.objectives import floor_of
from matcher.solve.cpsat import Deadline, ProgressCallback, RuleCannotHold, new_solver, run
from matcher.solve.flow import Candidates, PairingFlow
from matcher.solve.pairing import PairChoice, build, relaxed

Verdict = Literal["yes", "no", "unknown"]


@dataclass(frozen=True)
class FairChoice:
    """The pairs chosen with the floors raised, their score, and the proven floor bounds."""

    pairs: tuple[PairKey, ...]
    score: int
    startup_floor_bound: int
    investor_floor_bound: int


def target_score(best: int, max_score_loss: float) -> int:
    """The least score a fairer pairing may have: the best score less the share allowed."""
    return math.ceil(best * (1 - max_score_loss) - 1e-9)


class FloorSearch:
    """Answers "is there a pairing with these floors that reaches the target?", cheapest way
    first."""

    def __init__(self, inst: Instance, target: int, deadline: Deadline, workers: int,
                 on_progress: ProgressCallback | None,
                 should_stop: Callable[[], bool] | None,
                 cands: Candidates | None = None) -> None:
        self.inst, self.target, self.deadline, self.workers = inst, target, deadline, workers
        self.on_progress, self.should_stop = on_progress, should_stop
        self.pairs = inst.candidates
        self.cands = cands or Candidates(inst, self.pairs)
        self.flow = PairingFlow(self.cands)
        self.can = PairingFlow(self.cands, scored=False)

    def stopped(self) -> bool:
        """Whether the time is up or the caller asked to stop."""
        return self.deadline.left() <= 0 or bool(self.should_stop and self.should_stop())

    def attempt(self, least: Mapping[str, int]) -> tuple[Verdict, tuple[PairKey, ...], int]:
        """Whether a pairing gives each participant at least `least` meetings and reaches the
        target: yes with the best such pairs and their score, no (proven), or unknown."""
        answer = self.flow.solve(least)
        if not answer.feasible or answer.score < self.target:
            return "no", (), 0
        if self.cands.fit(answer.meets):
            return "yes", self.cands.chosen(answer.meets), answer.score
        lp = relaxed(self.inst, self.pairs, least)
        if lp is not None:
            values, optimum = lp
            if optimum < self.target - 1e-6:
                return "no", (), 0
            if all(x < 1e-6 or x > 1 - 1e-6 for x in values.values()):
                chosen = tuple(p for p in self.pairs if values[p] > 0.5)
                return "yes", chosen, self.score(chosen)
        return self.decide(least, lp[0] if lp else None)

    def decide(self, least: Mapping[str, int], hint: Mapping[PairKey, float] | None,
               ) -> tuple[Verdict, tuple[PairKey, ...], int]:
        """CP-SAT on the pairing model with the floors and the target, in a quarter of the
        time left."""
        try:
            model, v = build(self.inst, self.pairs, least)
        except RuleCannotHold:
            return "no", (), 0
        model.add(sum(self.inst.scores[p] * lit for p, lit in v.lits.items()) >= self.target)
        if hint is not None:
            for pair, lit in v.lits.items():
                model.add_hint(lit, hint[pair] > 0.5)
        solver = new_solver(self.deadline.left() / 4, self.workers)
        code = run(solver, model, "floors", self.on_progress, self.should_stop)
        if code == cp_model.INFEASIBLE:
            return "no", (), 0
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "unknown", (), 0
        chosen = tuple(p for p, lit in v.lits.items() if solver.boolean_value(lit))
        return "yes", chosen, self.score(chosen)

    def score(self, pairs: Iterable[PairKey]) -> int:
        """The total score of some pairs."""
        return sum(self.inst.scores[p] for p in pairs)

    def raise_floor(self, side: tuple[str, ...], kept: Mapping[str, int],
                    pairs: tuple[PairKey, ...], score: int,
                    ) -> tuple[dict[str, int], tuple[PairKey, ...], int, int]:
        """Raise a side's floor from what `pairs` give, keeping `kept`: the side's fewest
        meetings per participant, the pairs and score reached, and the bound. First the
        highest floor that can be met at all, by bisection on the flow without scores; then
        the highest of those that reaches the target, from the top down by bisection."""
        reach = self.inst.reach

        def asked(floor: int) -> dict[str, int]:
            return {**kept, **{p: min(floor, reach[p]) for p in side}}

        low = floor_of(self.inst, Counter(p for pair in pairs for p in pair), side)
        high = max((reach[p] for p in side), default=0)
        while low < high and not self.stopped():  # the floors that can be met at all
            mid = (low + high + 1) // 2
            if self.can.solve(asked(mid)).feasible:
                low = mid
            else:
                high = mid - 1
        bound, low = high, floor_of(self.inst, Counter(p for pair in pairs for p in pair), side)
        mid = high  # most often the floors cost no score: try the top first
        while low < high and not self.stopped():  # those that reach the target too
            verdict, found, found_score = self.attempt(asked(mid))
            if verdict == "yes":
                pairs, score = found, found_score
                low = floor_of(self.inst, Counter(p for pair in found for p in pair), side)
            else:
                high = mid - 1
                if verdict == "no":
                    bound = min(bound, mid - 1)
            mid = (low + high + 1) // 2
        return {p: min(low, reach[p]) for p in side}, pairs, score, max(bound, low)

    def closest(self, least: Mapping[str, int], score: int, preferred: frozenset[PairKey],
                ) -> tuple[PairKey, ...] | None:
        """Among the pairings that keep these floors and score `score`, one with most of the
        preferred pairs, if the flow finds one that keeps the window limits too."""
        if self.stopped():
            return None
        mask = np.fromiter((p in preferred for p in self.pairs), dtype=np.int64,
                           count=len(self.pairs))
        answer = PairingFlow(self.cands, mask).solve(least)
        if answer.feasible and answer.score >= score and self.cands.fit(answer.meets):
            return self.cands.chosen(answer.meets)
        return None


def raise_floors(inst: Instance, choice: PairChoice, time_limit: float, workers: int = 2,
                 on_progress: ProgressCallback | None = None,
                 should_stop: Callable[[], bool] | None = None,
                 cands: Candidates | None = None) -> FairChoice:
    """The pairing with the startups' floor at its highest, then the investors', among those
    scoring at least the target; the score as high as those floors allow. `cands`: the
    instance's candidates as arrays, when the caller has them already."""
    target = target_score(choice.score, inst.event.fairness.max_score_loss)
    search = FloorSearch(inst, target, Deadline(time_limit), workers, on_progress, should_stop,
                         cands)
    startups, pairs, score, startup_bound = search.raise_floor(
        inst.startups, {}, choice.pairs, choice.score)
    investors, pairs, score, investor_bound = search.raise_floor(
        inst.investors, startups, pairs, score)
    # Keeping the first choice's pairs helps the seating only where startups share tables.
    if set(pairs) != set(choice.pairs) and len(inst.startups) > len(inst.tables):
        pairs = search.closest(startups | investors, score, frozenset(choice.pairs)) or pairs
    return FairChoice(pairs, score, startup_bound, investor_bound)
