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

from collections import defaultdict

from ortools.graph.python import min_cost_flow

from matcher.solve.timing.problem import TimingProblem

# Weights of a meeting in a slot's matching: for a side pressed for time, for a side that met in
# the previous slot (no break), and for any meeting (fill the tables).
CRITICAL, CONTINUE, BASE = 1_000_000, 1_000, 10


def first_placement(problem: TimingProblem) -> list[int | None]:
    """A slot per meeting (None where none was found), precedences and capacity kept."""
    side = None if problem.precedences else two_sides(problem)
    placed = by_ranking(problem) if side is None else by_matchings(problem, side)
    if not problem.precedences:
        Repair(problem, placed).run()
    return placed


def by_ranking(problem: TimingProblem) -> list[int | None]:
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
        if t in new_day:  # the night is no break: today's runs start afresh
            started = [False] * len(problem.participants)
        ready = [k for k, m in enumerate(meetings) if placed[k] is None and t in m.slots and all(
            placed[b] is not None and placed[b] < t for b in earlier.get(k, ()))]
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


def _best_matching(edges: list[tuple[int, int, int, int]], capacity: int) -> list[int]:
    """The meetings of a maximum-weight matching of at most `capacity` edges.

    `edges` are (meeting, left participant, right participant, weight); a min-cost flow with a
    bypass arc from source to sink lets unprofitable flow skip the matching.
    """
    flow = min_cost_flow.SimpleMinCostFlow()
    nodes: dict[tuple[int, int], int] = {}

    def node(key: tuple[int, int]) -> int:
        return nodes.setdefault(key, len(nodes) + 2)

    source, sink = 0, 1
    arcs = {}
    for meeting, left, right, weight in edges:
        a, b = node((0, left)), node((1, right))
        arcs[flow.add_arc_with_capacity_and_unit_cost(a, b, 1, -weight)] = meeting
    for (kind, _), n in list(nodes.items()):
        if kind == 0:
            flow.add_arc_with_capacity_and_unit_cost(source, n, 1, 0)
        else:
            flow.add_arc_with_capacity_and_unit_cost(n, sink, 1, 0)
    flow.add_arc_with_capacity_and_unit_cost(source, sink, capacity, 0)
    flow.set_node_supply(source, capacity)
    flow.set_node_supply(sink, -capacity)
    if flow.solve() != flow.OPTIMAL:
        return []
    return [meeting for arc, meeting in arcs.items() if flow.flow(arc) > 0]


def by_matchings(problem: TimingProblem, side: list[int], rounds: int = 5,
                 ) -> list[int | None]:
    """Slot after slot, a maximum-weight matching of at most `capacity` meetings (None for
    meetings left over). Meetings left over in one round go first in the next."""
    first: set[int] = set()
    best: list[int | None] = []
    for _ in range(rounds):
        placed = _slot_by_slot(problem, side, first)
        left = {k for k, t in enumerate(placed) if t is None}
        if not best or len(left) < best.count(None):
            best = placed
        if not left:
            break
        first |= left
    return best


def _slot_by_slot(problem: TimingProblem, side: list[int], first: set[int]) -> list[int | None]:
    """One pass over the slots, each taking a maximum-weight matching."""
    placed: list[int | None] = [None] * len(problem.meetings)
    left_of: dict[int, list[int]] = defaultdict(list)
    for k, m in enumerate(problem.meetings):
        left_of[m.a].append(k)
        left_of[m.b].append(k)
    busy_before: set[int] = set()
    new_day = problem.day_starts()
    for t in range(problem.slots):
        if t in new_day:  # a meeting in the first slot of a day continues no run
            busy_before = set()
        urgent, waiting = set(), {}
        for p, mine in left_of.items():
            open_ = [problem.meetings[j] for j in mine if placed[j] is None]
            waiting[p] = len(open_)
            if open_ and len(open_) >= len({s for m in open_ for s in m.slots if s >= t}):
                urgent.add(p)
        edges = []
        for k, m in enumerate(problem.meetings):
            if placed[k] is not None or t not in m.slots:
                continue
            weight = BASE + (CRITICAL if m.slots[-1] == t or k in first else 0)
            for p in (m.a, m.b):
                weight += CRITICAL if p in urgent else CONTINUE if p in busy_before else 0
            left, right = (m.a, m.b) if side[m.a] == 0 else (m.b, m.a)
            edges.append((k, left, right, weight))
        chosen = _best_matching(edges, problem.capacity)
        busy_before = set()
        for k in chosen:
            placed[k] = t
            busy_before.update((problem.meetings[k].a, problem.meetings[k].b))
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

    def run(self) -> None:
        """Try to place every unplaced meeting."""
        for k, t in enumerate(self.placed):
            if t is None:
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
