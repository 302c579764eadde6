"""A quick first placement, slot by slot, given to CP-SAT as a hint.

Two-sided problems (every meeting joins a startup and an investor, say) without precedences take
at each slot a maximum-weight matching of at most `capacity` meetings (a min-cost flow), weighted
to favour participants pressed for time (no more free slots ahead than meetings left) and those
who met in the previous slot of the same day, so their meetings run on without a break. Other
problems rank the meetings that may take the slot the same way and take the best while the slot
has tables and both sides are free. Meetings left over are then placed by moving a few others
(`Repair`); those that still find no slot stay unplaced.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.solve.timing.problem import TimingProblem, breaks_of

# Weights of a meeting in a slot's matching: for a side pressed for time, for a side that met in
# the previous slot (no break), and for any meeting (fill the tables).
CRITICAL, CONTINUE, BASE = 1_000_000, 1_000, 10
# A slot's matching weighs only the heaviest meetings of each participant: on the trade shows of
# `matcher bench` the first placement has fewer breaks with 8 than with all (829 against 1,001
# on the larger, 257 against 280 on the smaller) or with 4 (1,176 and 683).
EDGES_PER_PARTICIPANT = 8


def first_placement(problem: TimingProblem, until: float = math.inf,
                    on_complete: Callable[[list[int]], None] | None = None,
                    ) -> list[int | None]:
    """A slot per meeting (None where none was found), precedences and capacity kept. When the
    monotonic clock reaches `until`, the meetings not placed yet stay without a slot. Two-sided
    problems give `on_complete` each complete placement as soon as it is found."""
    side = None if problem.precedences else two_sides(problem)
    if side is not None:
        return by_matchings(problem, side, until=until, on_complete=on_complete)
    placed = by_ranking(problem, until)
    if not problem.precedences:
        Repair(problem, placed).run(until)
    return placed


def by_ranking(problem: TimingProblem, until: float = math.inf) -> list[int | None]:
    """Slot after slot, the best-ranked meetings that fit (None for meetings left over)."""
    meetings, slots = problem.meetings, problem.slots
    placed: list[int | None] = [None] * len(meetings)
    left = [len(mine) for mine in problem.meetings_of()]
    # reach[p][t]: how many unplaced meetings of p may take slot t
    reach = [[0] * (slots + 1) for _ in problem.participants]
    for m in meetings:
        for t in m.slots:
            for p in (m.a, m.b):
                reach[p][t] += 1
    earlier: dict[int, list[int]] = {}
    for before, after in problem.precedences:
        earlier.setdefault(after, []).append(before)
    last_busy = [-2] * len(problem.participants)
    started = [False] * len(problem.participants)  # today
    new_day = problem.day_starts()

    def rank(k: int, t: int, slack: list[int]) -> tuple:
        sides = (meetings[k].a, meetings[k].b)
        pressed = -min(slack[p] for p in sides)
        extends = sum(last_busy[p] == t - 1 and t not in new_day for p in sides)
        new_run = sum(started[p] and last_busy[p] < t - 1 for p in sides)
        return (pressed, extends, -new_run, -len(meetings[k].slots))

    for t in range(slots):
        if time.monotonic() >= until:
            break
        if t in new_day:  # the night is no break: today's runs start afresh
            started = [False] * len(problem.participants)
        ready = [k for k, m in enumerate(meetings) if placed[k] is None and t in m.slots and all(
            s is not None and s < t for s in (placed[b] for b in earlier.get(k, ())))]
        # slack: the slots from t on where p could still meet, minus the meetings it has left
        slack = [sum(1 for u in range(t, slots) if reach[p][u]) - left[p]
                 for p in range(len(problem.participants))]
        ready.sort(key=lambda k: rank(k, t, slack), reverse=True)
        busy: set[int] = set()
        for k in ready:
            if len(busy) >= 2 * problem.capacity:
                break
            m = meetings[k]
            if m.a in busy or m.b in busy:
                continue
            placed[k] = t
            busy.update((m.a, m.b))
            for p in (m.a, m.b):
                left[p] -= 1
                last_busy[p], started[p] = t, True
                for u in m.slots:
                    reach[p][u] -= 1
    return placed


def two_sides(problem: TimingProblem) -> list[int] | None:
    """A side (0 or 1) per participant such that every meeting joins both sides, if one exists."""
    side = [-1] * len(problem.participants)
    others: dict[int, list[int]] = defaultdict(list)
    for m in problem.meetings:
        others[m.a].append(m.b)
        others[m.b].append(m.a)
    for root in range(len(side)):
        if side[root] >= 0:
            continue
        side[root], stack = 0, [root]
        while stack:
            p = stack.pop()
            for q in others[p]:
                if side[q] < 0:
                    side[q] = 1 - side[p]
                    stack.append(q)
                elif side[q] == side[p]:
                    return None
    return side


def _best_matching(left: np.ndarray, right: np.ndarray, weight: np.ndarray, nodes: int,
                   capacity: int) -> np.ndarray:
    """Which edges (left participant, right participant, weight) a maximum-weight matching of
    at most `capacity` edges takes: a min-cost flow whose bypass arc from source to sink lets
    unprofitable flow skip the matching. Participants are node numbers below `nodes`."""
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = nodes, nodes + 1
    flow.add_arcs_with_capacity_and_unit_cost(left, right, np.ones_like(left), -weight)
    for ends, tail in ((np.unique(left), True), (np.unique(right), False)):
        flow.add_arcs_with_capacity_and_unit_cost(
            np.full_like(ends, source) if tail else ends,
            ends if tail else np.full_like(ends, sink), np.ones_like(ends), np.zeros_like(ends))
    flow.add_arc_with_capacity_and_unit_cost(source, sink, capacity, 0)
    flow.set_node_supply(source, capacity)
    flow.set_node_supply(sink, -capacity)
    if flow.solve() != flow.OPTIMAL:
        return np.zeros(len(left), dtype=bool)
    return flow.flows(np.arange(len(left))) > 0


def by_matchings(problem: TimingProblem, side: list[int], rounds: int = 5,
                 until: float = math.inf,
                 on_complete: Callable[[list[int]], None] | None = None,
                 ) -> list[int | None]:
    """Slot after slot, a maximum-weight matching of at most `capacity` meetings, the meetings
    left over placed by `Repair` (None for those it cannot place). Meetings left over by a
    round's matchings go first in the next: the placement with fewest left over, then fewest
    breaks. Each complete one goes to `on_complete` at once: later rounds have fewer breaks
    (on the larger trade show of `matcher bench`, 829 after 5 rounds against 937 after 1, and
    still 674 against 715 after Kempe moves for the same processor time) but cost as much as
    the first, which must not wait for them."""
    sweep = Sweep(problem, side)
    first = np.zeros(len(problem.meetings), dtype=bool)
    best: list[int | None] | None = None
    best_rank = (0, 0)
    for _ in range(rounds):
        if best is not None and time.monotonic() >= until:
            break
        swept = sweep.run(first, until)
        placed: list[int | None] = [None if t < 0 else int(t) for t in swept.tolist()]
        Repair(problem, placed).run(until)
        complete = [t for t in placed if t is not None]
        missing = len(placed) - len(complete)
        rank = (missing, 0 if missing else sum(breaks_of(problem, tuple(complete))))
        if best is None or rank < best_rank:
            best, best_rank = placed, rank
            if not missing and on_complete:
                on_complete(complete)
        left = swept < 0
        if not left.any():
            break
        first |= left
    return best if best is not None else []


def _best_of_each(left: np.ndarray, right: np.ndarray, weight: np.ndarray, most: int
                  ) -> np.ndarray:
    """Which edges are among the `most` heaviest of their left or of their right end."""
    keep = np.zeros(len(weight), dtype=bool)
    for end in (left, right):
        order = np.lexsort((-weight, end))
        starts = np.flatnonzero(np.r_[True, end[order][1:] != end[order][:-1]])
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        keep[order[rank < most]] = True
    return keep


class Sweep:
    """A two-sided problem as arrays, for passes over its slots that each take a matching:
    the work per slot is a few array operations and one flow, not a loop over the meetings."""

    def __init__(self, problem: TimingProblem, side: list[int]) -> None:
        self.problem = problem
        meetings = problem.meetings
        self.left = np.array([m.a if side[m.a] == 0 else m.b for m in meetings], dtype=np.int64)
        self.right = np.array([m.b if side[m.a] == 0 else m.a for m in meetings], dtype=np.int64)
        lengths = [len(m.slots) for m in meetings]
        self.allowed = np.zeros((len(meetings), problem.slots), dtype=bool)
        self.allowed[np.repeat(np.arange(len(meetings)), lengths),
                     np.fromiter((t for m in meetings for t in m.slots), dtype=np.int64,
                                 count=sum(lengths))] = True
        self.last = np.array([m.slots[-1] for m in meetings], dtype=np.int64)
        # options[p, t]: the meetings of p that may take slot t, counted once for every pass
        # (with bincount: numpy's add.at took a fifth of a pass on a trade show)
        k, t = np.nonzero(self.allowed)
        cells = len(problem.participants) * problem.slots
        left, right = (np.bincount(end[k] * problem.slots + t, minlength=cells)
                       for end in (self.left, self.right))
        self.options = (left + right).reshape(-1, problem.slots)

    def run(self, first: np.ndarray, until: float = math.inf) -> np.ndarray:
        """One pass over the slots (until the monotonic clock reaches `until`): each meeting's
        slot, -1 when left over. Meetings in `first` weigh as if their last slot had come."""
        problem, left, right = self.problem, self.left, self.right
        people = len(problem.participants)
        placed = np.full(len(problem.meetings), -1, dtype=np.int64)
        open_ = np.ones(len(problem.meetings), dtype=bool)
        options = self.options.copy()  # of the open meetings only, as the pass goes on
        waiting = np.bincount(np.concatenate([left, right]), minlength=people)
        busy_before = np.zeros(people, dtype=bool)
        new_day = problem.day_starts()
        for t in range(problem.slots):
            if time.monotonic() >= until:
                break
            if t in new_day:  # a meeting in the first slot of a day continues no run
                busy_before[:] = False
            # pressed for time: no more slots ahead where it could meet than meetings left
            urgent = (waiting > 0) & (waiting >= (options[:, t:] > 0).sum(axis=1))
            ks = np.flatnonzero(open_ & self.allowed[:, t])
            weight = BASE + CRITICAL * ((self.last[ks] == t) | first[ks])
            for p in (left[ks], right[ks]):
                weight += np.where(urgent[p], CRITICAL, np.where(busy_before[p], CONTINUE, 0))
            keep = _best_of_each(left[ks], right[ks], weight, EDGES_PER_PARTICIPANT)
            ks, weight = ks[keep], weight[keep]
            chosen = ks[_best_matching(left[ks], right[ks], weight, people, problem.capacity)]
            placed[chosen] = t
            open_[chosen] = False
            busy_before[:] = False
            for p in (left[chosen], right[chosen]):  # each at most once in a matching
                options[p] -= self.allowed[chosen]
                waiting[p] -= 1
                busy_before[p] = True
        return placed


class Repair:
    """Places leftover meetings by moving those in the way, depth-first a few moves deep (like
    the alternating paths of edge colouring); a journal undoes a failed attempt."""

    def __init__(self, problem: TimingProblem, placed: list[int | None], depth: int = 3) -> None:
        self.problem, self.placed, self.depth = problem, placed, depth
        self.at: dict[tuple[int, int], int] = {}  # (participant, slot) -> meeting
        self.load = [0] * problem.slots
        self.journal: list[tuple[int, int | None]] = []  # (meeting, its slot before a move)
        initial, placed[:] = list(placed), [None] * len(placed)
        for k, t in enumerate(initial):
            if t is not None:
                self._move(k, t)
        self.journal.clear()

    def _move(self, k: int, t: int | None) -> None:
        """Move meeting k to slot t (None: unplace it), writing the journal."""
        old = self.placed[k]
        self.journal.append((k, old))
        if old is not None:
            for p in self.problem.sides(k):
                del self.at[p, old]
            self.load[old] -= 1
        if t is not None:
            for p in self.problem.sides(k):
                self.at[p, t] = k
            self.load[t] += 1
        self.placed[k] = t

    def _undo(self, mark: int) -> None:
        while len(self.journal) > mark:
            k, old = self.journal.pop()
            self._move(k, old)
            self.journal.pop()

    def run(self, until: float = math.inf) -> None:
        """Try to place every unplaced meeting (until the monotonic clock reaches `until`)."""
        for k, t in enumerate(self.placed):
            if t is None and time.monotonic() < until:
                self.place(k, self.depth, frozenset({k}))

    def place(self, k: int, depth: int, moving: frozenset[int]) -> bool:
        """Place k, moving at most `depth` levels of meetings in the way; undo on failure."""
        options = [(len(b), t, b) for t in self.problem.meetings[k].slots
                   if (b := self._blockers(k, t)) is not None]
        for _, t, blockers in sorted(options):
            if (blockers and depth == 0) or blockers & moving:
                continue
            mark = len(self.journal)
            for j in blockers:
                self._move(j, None)
            self._move(k, t)
            if all(self.place(j, depth - 1, moving | blockers) for j in blockers):
                return True
            self._undo(mark)
        return False

    def _blockers(self, k: int, t: int) -> set[int] | None:
        """The meetings to move so that k fits in slot t; None when the slot is full."""
        blockers = {self.at[p, t] for p in self.problem.sides(k) if (p, t) in self.at}
        if self.load[t] - len(blockers) >= self.problem.capacity:
            return None
        return blockers
