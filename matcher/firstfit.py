"""A first timing built slot by slot: in each slot, the most urgent meetings that fit.

Large events have thousands of meetings and slots filled to the last table, where CP-SAT alone
may find no timing in the time limit. This builds one in a second: slot after slot it picks a
maximum-weight matching of at most `capacity` meetings, where the weight favours participants who
would otherwise run out of free slots, and participants who met in the previous slot (so their
meetings run on without a break). The timing engine starts its search from the result.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.graph.python import min_cost_flow

from matcher.timing import TimingProblem

CRITICAL, CONTINUE, BASE = 1_000_000, 1_000, 10


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


def first_timing(problem: TimingProblem, rounds: int = 5) -> list[int | None]:
    """A slot for as many meetings as possible (None for those left over); bipartite problems.

    Meetings left over in one round go first in the next.
    """
    side = two_sides(problem)
    if side is None:
        return [None] * len(problem.meetings)
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
    for t in range(problem.slots):
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
    for k in range(len(placed)):
        if placed[k] is None:
            _squeeze_in(problem, placed, k)
    return placed


def _squeeze_in(problem: TimingProblem, placed: list[int | None], k: int) -> None:
    """Place a left-over meeting by moving each meeting in its way to a slot where it fits."""
    meetings = problem.meetings
    at: dict[int, list[int]] = defaultdict(list)
    for j, t in enumerate(placed):
        if t is not None:
            at[t].append(j)

    def fits(j: int, t: int, ignoring: set[int]) -> bool:
        others = [i for i in at[t] if i not in ignoring]
        people = {meetings[j].a, meetings[j].b}
        return len(others) < problem.capacity and not any(
            people & {meetings[i].a, meetings[i].b} for i in others)

    m = meetings[k]
    for t in m.slots:
        in_way = [j for j in at[t] if {m.a, m.b} & {meetings[j].a, meetings[j].b}]
        if len(at[t]) - len(in_way) >= problem.capacity:
            continue
        moves = {}
        for j in in_way:
            target = next((s for s in meetings[j].slots if s != t and fits(j, s, set())), None)
            if target is None:
                break
            moves[j] = target
            at[target].append(j)
        else:
            for j, target in moves.items():
                placed[j] = target
                at[t].remove(j)
            placed[k] = t
            return
        for j, target in moves.items():
            at[target].remove(j)
