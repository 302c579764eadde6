"""A quick first placement, slot by slot, given to CP-SAT as a hint.

At each slot the meetings that may take it are ranked: first those whose participants are
pressed for time (no more free slots ahead than meetings left), then those that extend a
participant's current run of meetings, then those that start nobody's second run. The best are
taken while the slot has tables and both sides are free. Meetings left over are then placed
by moving a few others (`repair`); those that still find no slot stay unplaced.
"""

from __future__ import annotations

from matcher.timing.problem import TimingProblem


def first_placement(problem: TimingProblem) -> list[int | None]:
    """A slot per meeting (None where the greedy found none), precedences and capacity kept."""
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
    started = [False] * len(problem.participants)

    def rank(k: int, t: int, slack: list[int]) -> tuple:
        sides = (meetings[k].a, meetings[k].b)
        pressed = -min(slack[p] for p in sides)
        extends = sum(last_busy[p] == t - 1 for p in sides)
        new_run = sum(started[p] and last_busy[p] < t - 1 for p in sides)
        return (pressed, extends, -new_run, -len(meetings[k].slots))

    for t in range(slots):
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
    if not problem.precedences:
        Repair(problem, placed).run()
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
