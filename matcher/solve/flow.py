"""The pairing as a min-cost flow: a b-matching of startups and investors with degree bounds.

Source -> startup -> investor -> sink, one unit of flow per meeting. A participant's arc is
split in two: a mandatory part as wide as the fewest meetings asked of it (min_meetings, a
floor), whose units earn a large reward M, and the rest up to its most meetings (max_meetings
and usable slots); a required or pinned pair's arc earns M too. A bypass from source to sink
lets the flow stop when no meeting pays, and the source's supply caps the meetings at tables x
slots. M exceeds any total score, so a least-cost flow first meets every mandatory unit it can,
then maximises the score: when all are met, that is the best score under those bounds.

It leaves out the pairing stage's window limits (`pairing.window_limits`), so it is a
relaxation of that stage: its best score is an upper bound, and when its pairs also keep the
window limits (`Candidates.fit`) they are that stage's optimum. The graph is built once; each
`solve` only sets the mandatory widths, so a bisection on a floor costs one flow per step.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.model.instance import Instance, PairKey
from matcher.solve.pairing import Infeasible, PairChoice

SOURCE, SINK = 0, 1
BLOCK = 100_000  # pairs whose common slots are worked out at once


class Candidates:
    """Pairs as arrays, built once for every flow over them: each pair's startup and investor
    (index in `inst.participants`), score, whether it must meet, and the span (first and last
    slot) of the slots it may take."""

    def __init__(self, inst: Instance, pairs: tuple[PairKey, ...]) -> None:
        self.inst, self.pairs = inst, pairs
        index = {p: n for n, p in enumerate(inst.participants)}
        count = len(pairs)
        self.a = np.fromiter((index[s] for s, _ in pairs), dtype=np.int64, count=count)
        self.b = np.fromiter((index[i] for _, i in pairs), dtype=np.int64, count=count)
        self.score = self._scores()
        forced = inst.required | set(inst.pins)
        self.forced = np.fromiter((p in forced for p in pairs), dtype=bool, count=count)
        self.first, self.last = self._spans()

    def _scores(self) -> np.ndarray:
        """Each pair's score, as `inst.scores` gives it, for all pairs at once: an interest
        looked up per pair in an investors x fields table, and the wishes (few) added where
        they fall, found among the pairs by key."""
        inst, a, b = self.inst, self.a, self.b
        fields = {f: n for n, f in enumerate(inst.event.fields)}
        field_of = np.array([fields[s.field] for s in inst.event.startups], dtype=np.int64)
        interest = np.zeros((len(inst.investors), len(fields)), dtype=np.int64)
        for n, i in enumerate(inst.event.investors):
            for f, level in i.interests.items():
                interest[n, fields[f]] = level
        startups = len(inst.startups)
        score = interest[b - startups, field_of[a]] if len(a) else np.zeros(0, dtype=np.int64)
        index = {p: n for n, p in enumerate(inst.participants)}
        wishes = [(index[s.id], index[i], w) for s in inst.event.startups
                  for i, w in s.wishes.items()]
        wishes += [(index[s], index[i.id], w) for i in inst.event.investors
                   for s, w in i.wishes.items()]
        if wishes and len(a):
            keys = a * len(index) + b
            order = np.argsort(keys, kind="stable")
            wa, wb, w = np.array(wishes, dtype=np.int64).T
            wanted = wa * len(index) + wb
            at = np.minimum(np.searchsorted(keys[order], wanted), len(keys) - 1)
            found = keys[order][at] == wanted
            np.add.at(score, order[at[found]], w[found])
        return score

    def _spans(self) -> tuple[np.ndarray, np.ndarray]:
        """First and last slot both sides may meet in (`Instance.common_slots`), for all pairs:
        before `opens_at` only a pinned meeting's own slot."""
        inst = self.inst
        slots = len(inst.slot_ids)
        free = np.zeros((len(inst.participants), slots), dtype=bool)
        for n, p in enumerate(inst.participants):
            free[n, [t for t in inst.free[p] if t >= inst.opens_at]] = True
        first, last = np.empty_like(self.a), np.empty_like(self.a)
        for start in range(0, len(self.a), BLOCK):
            common = free[self.a[start:start + BLOCK]] & free[self.b[start:start + BLOCK]]
            first[start:start + len(common)] = np.argmax(common, axis=1)
            last[start:start + len(common)] = slots - 1 - np.argmax(common[:, ::-1], axis=1)
        for k, pair in enumerate(self.pairs):
            if pair in inst.pins:
                first[k] = last[k] = inst.pins[pair][0]
        return first, last

    def chosen(self, mask: np.ndarray) -> tuple[PairKey, ...]:
        """The pairs a mask picks."""
        return tuple(self.pairs[k] for k in np.flatnonzero(mask))

    def fit(self, mask: np.ndarray) -> bool:
        """Whether the pairs a mask picks keep the pairing stage's slot limits: within any
        window of slots, no participant meets more partners, who are free together with it only
        inside the window, than it has usable slots there, and the tables hold every meeting
        whose slots lie inside. Those are Hall's conditions for giving each meeting a slot of
        its span, so earliest-deadline-first decides them all exactly, in one pass."""
        picked = np.flatnonzero(mask)
        jobs: dict[int, list[tuple[int, int]]] = defaultdict(list)
        spans = list(zip(self.first[picked].tolist(), self.last[picked].tolist(), strict=True))
        for side in (self.a[picked].tolist(), self.b[picked].tolist()):
            for p, span in zip(side, spans, strict=True):
                jobs[p].append(span)
        usable = [self.inst.usable[p] for p in self.inst.participants]
        slots = range(len(self.inst.slot_ids))
        return (all(_earliest_deadline_first(mine, dict.fromkeys(usable[p], 1))
                    for p, mine in jobs.items())
                and _earliest_deadline_first(spans, dict.fromkeys(slots, len(self.inst.tables))))


def fits_windows(inst: Instance, pairs: tuple[PairKey, ...]) -> bool:
    """Whether these pairs keep the pairing stage's slot limits (see `Candidates.fit`)."""
    return Candidates(inst, pairs).fit(np.ones(len(pairs), dtype=bool))


def _earliest_deadline_first(jobs: list[tuple[int, int]], room: Mapping[int, int]) -> bool:
    """Whether each job (first, last slot) can take a unit of room in one of its slots."""
    jobs = sorted(jobs)
    waiting: list[int] = []  # deadlines of the jobs released so far
    k = 0
    for t in sorted(room):
        while k < len(jobs) and jobs[k][0] <= t:
            heapq.heappush(waiting, jobs[k][1])
            k += 1
        if waiting and waiting[0] < t:
            return False  # its last slot went by
        for _ in range(room[t]):
            if not waiting:
                break
            heapq.heappop(waiting)
    return k == len(jobs) and not waiting


@dataclass(frozen=True)
class FlowAnswer:
    """The best pairs under some lower bounds: whether every bound is met, which candidates
    meet (a mask), and their score."""

    feasible: bool
    meets: np.ndarray
    score: int


class PairingFlow:
    """The flow network of some candidates, solvable under changing lower bounds.

    With `preferred` candidates (a mask), among pairings of the same score the one with most
    of them wins: a cost unit is then 1/(most meetings + 1) of a score point, which slows the
    flow about twice on a trade show, so the floors' bisection goes without and only its last
    flow uses it. Without `scored`, pairs cost nothing and the flow only tells whether the
    bounds can be met, three to four times faster there."""

    def __init__(self, cands: Candidates, preferred: np.ndarray | None = None,
                 scored: bool = True) -> None:
        inst = self.inst = cands.inst
        self.cands = cands
        self.most = np.array([inst.max_meetings[p] for p in inst.participants], dtype=np.int64)
        self.least = np.array([inst.min_meetings.get(p, 0) for p in inst.participants],
                              dtype=np.int64)
        startups = len(inst.startups)  # participants are the startups, then the investors
        supply = int(min(len(inst.tables) * len(inst.slot_ids), self.most[:startups].sum()))
        gain = cands.score * scored
        if preferred is not None:
            gain = gain * (supply + 1) + preferred
        reward = int(gain.sum()) + 1  # M: above any total gain
        self.flow = min_cost_flow.SimpleMinCostFlow()
        # Per participant, from source to startup or from investor to sink: a mandatory arc
        # and an optional one (the next), widths set by `solve`.
        node = np.arange(len(inst.participants), dtype=np.int64) + 2
        is_startup = np.arange(len(inst.participants)) < startups
        tails = np.repeat(np.where(is_startup, SOURCE, node), 2)
        heads = np.repeat(np.where(is_startup, node, SINK), 2)
        costs = np.tile(np.array([-reward, 0], dtype=np.int64), len(node))
        arcs = self.flow.add_arcs_with_capacity_and_unit_cost(
            tails, heads, np.zeros(len(tails), dtype=np.int64), costs)
        self.mandatory = np.asarray(arcs)[::2]
        self.arcs = self.flow.add_arcs_with_capacity_and_unit_cost(
            cands.a + 2, cands.b + 2, np.ones(len(cands.a), dtype=np.int64),
            -gain - reward * cands.forced)
        self.flow.add_arc_with_capacity_and_unit_cost(SOURCE, SINK, supply, 0)
        self.flow.set_node_supply(SOURCE, supply)
        self.flow.set_node_supply(SINK, -supply)

    def solve(self, least: Mapping[str, int]) -> FlowAnswer:
        """The best pairs when each participant has at least `least` meetings (and each
        startup its min_meetings; absent: no bound)."""
        asked = np.maximum(self.least, [least.get(p, 0) for p in self.inst.participants])
        low = np.minimum(self.most, asked)
        self.flow.set_arc_capacities(np.concatenate([self.mandatory, self.mandatory + 1]),
                                     np.concatenate([low, self.most - low]))
        if self.flow.solve() != self.flow.OPTIMAL:
            return FlowAnswer(False, np.zeros(len(self.cands.a), dtype=bool), 0)
        meets = self.flow.flows(self.arcs) > 0
        feasible = bool((asked <= self.most).all()
                        and (self.flow.flows(self.mandatory) == low).all()
                        and meets[self.cands.forced].all())
        return FlowAnswer(feasible, meets, int(self.cands.score[meets].sum()))


def best_pairs(cands: Candidates) -> PairChoice:
    """The pairs with the highest total score by the flow alone, for events too large for the
    pairing stage's LP: its best score is a proven bound, and the pairing stage's optimum when
    the pairs keep the window limits (on the trade shows of `matcher bench` they always did).
    When they do not, some may find no slot: the flow engine then drops them. Infeasible when
    no pairing keeps the caps, the min_meetings and the required and pinned pairs."""
    answer = PairingFlow(cands).solve({})
    if not answer.feasible:
        raise Infeasible("the meetings that must take place (min_meetings, required and "
                         "pinned pairs) do not fit the participants' caps and free slots")
    optimal = cands.fit(answer.meets)
    return PairChoice(cands.chosen(answer.meets), answer.score, answer.score, optimal)
