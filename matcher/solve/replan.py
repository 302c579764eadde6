"""Re-planning after publication: keep as much of the old timetable in place as the rules allow.

Order of objectives: meetings of the old schedule kept exactly in place (pair, slot, table),
then score, breaks and table changes as always. Kept and moved meetings keep their uid; a moved
one gets sequence + 1; a new one gets a new uid.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from matcher.model.event import Event, Pin
from matcher.model.instance import Instance, PairKey
from matcher.model.objectives import Proofs, claims
from matcher.model.schedule import UID_NAMESPACE, Meeting, Schedule
from matcher.solve.cpsat import Deadline, ProgressCallback
from matcher.solve.naive import solve_naive
from matcher.solve.pairing import Infeasible
from matcher.solve.solver import solve_instance


def keepable(inst: Instance, old: Schedule) -> list[Meeting]:
    """Old meetings that the new event still allows where they are, each on its own."""
    table_index = {k: n for n, k in enumerate(inst.tables)}
    # (participant, slot) and (table index, slot) of the pinned meetings
    taken: set[tuple[str | int, int]] = {(side, t) for pair, (t, _) in inst.pins.items()
                                         for side in pair}
    taken |= {(k, t) for t, k in inst.pins.values() if k is not None}
    kept = []
    for m in old.meetings:
        pair, t = (m.startup, m.investor), inst.slot_index.get(m.slot)
        if t is None or m.table not in table_index or not inst.may_meet(pair) \
                or pair not in inst.scores:
            continue
        if pair in inst.pins:
            if inst.pins[pair][0] == t and inst.pins[pair][1] in (None, table_index[m.table]):
                kept.append(m)
            continue
        free = t in inst.free[m.startup] and t in inst.free[m.investor]
        if free and not {(m.startup, t), (m.investor, t), (table_index[m.table], t)} & taken:
            kept.append(m)
    return kept


def with_pins(event: Event, meetings: list[Meeting]) -> Event:
    """The event with these meetings pinned at their slot and table."""
    pinned = {(p.startup, p.investor) for p in event.pinned}
    extra = tuple(Pin(startup=m.startup, investor=m.investor, slot=m.slot, table=m.table)
                  for m in meetings if (m.startup, m.investor) not in pinned)
    return Event.model_validate(event.model_dump() | {"pinned": [
        p.model_dump() for p in (*event.pinned, *extra)]})


def replan(event: Event, old: Schedule, time_limit: float = 30.0, now: str | None = None,
           workers: int = 2, on_progress: ProgressCallback | None = None,
           should_stop: Callable[[], bool] | None = None) -> Schedule:
    """A new schedule for the changed event that moves as little of `old` as possible.

    With `now` (a slot id), slots before it are frozen: their old meetings stay, nothing new.
    """
    deadline = Deadline(time_limit)
    opens_at = Instance(event).slot_index[now] if now else 0
    inst = Instance(event, opens_at)
    kept = keepable(inst, old)
    past = [m for m in kept if inst.slot_index[m.slot] < opens_at]
    try:
        pinned = with_pins(event, kept)
        new = solve_instance(Instance(pinned, opens_at), deadline.left() * 0.9, workers,
                             on_progress, should_stop)
    except Infeasible:
        # Not all can stay: the time-indexed model picks the most that can, then solve again.
        wanted = {(m.startup, m.investor): inst.slot_index[m.slot] for m in kept}
        best = solve_naive(Instance(with_pins(event, past), opens_at), deadline.left() * 0.5,
                           workers, with_breaks=False, keep=wanted)
        stay = [m for m in kept if best.placed.get((m.startup, m.investor)) ==
                inst.slot_index[m.slot]]
        new = solve_instance(Instance(with_pins(event, stay), opens_at), deadline.left(),
                             workers, on_progress, should_stop)
    return carry_over(measured_for(event, new), old, event)


def measured_for(event: Event, new: Schedule) -> Schedule:
    """The re-planned schedule's claims for the event itself. Re-planning solved a narrower
    problem (earlier slots frozen, kept meetings pinned): its score and bound are for that
    problem, as the order of objectives says, but the floors are measured against the whole
    event, whose reach is wider, and are not claimed at their best."""
    return new.model_copy(update=claims(Instance(event), new.meetings,
                                        Proofs.kept_by(new, floors=False)))


def carry_over(new: Schedule, old: Schedule, event: Event) -> Schedule:
    """Give the new schedule's meetings the uids of the old, moved ones a higher sequence, and
    new ones uids never used before in this lineage."""
    before = {(m.startup, m.investor): m for m in old.meetings}
    lineage = hashlib.sha256("".join(sorted(m.uid for m in old.meetings)).encode()).hexdigest()
    meetings = []
    for m in new.meetings:
        was = before.get((m.startup, m.investor))
        if was is None:
            uid = uuid.uuid5(UID_NAMESPACE, "\n".join((event.name, m.startup, m.investor,
                                                       lineage)))
            meetings.append(m.model_copy(update={"uid": f"{uid}@matcher", "sequence": 0}))
        else:
            moved = (was.slot, was.table) != (m.slot, m.table)
            meetings.append(m.model_copy(update={"uid": was.uid,
                                                 "sequence": was.sequence + moved}))
    return new.model_copy(update={"meetings": tuple(meetings)})


@dataclass(frozen=True)
class Changes:
    """What a new schedule changes for people: meetings kept, moved, added and cancelled."""

    kept: tuple[Meeting, ...]
    moved: tuple[tuple[Meeting, Meeting], ...]  # (old, new)
    added: tuple[Meeting, ...]
    cancelled: tuple[Meeting, ...]

    def affected(self) -> set[str]:
        """Participants with a moved, added or cancelled meeting: the only ones to notify."""
        touched = [*self.added, *self.cancelled, *(m for pair in self.moved for m in pair)]
        return {who for m in touched for who in (m.startup, m.investor)}


def changes(old: Schedule, new: Schedule) -> Changes:
    """Compare two versions meeting by meeting (by uid)."""
    before = {m.uid: m for m in old.meetings}
    after = {m.uid: m for m in new.meetings}
    same = [(before[u], after[u]) for u in after if u in before]
    return Changes(
        kept=tuple(n for o, n in same if (o.slot, o.table) == (n.slot, n.table)),
        moved=tuple((o, n) for o, n in same if (o.slot, o.table) != (n.slot, n.table)),
        added=tuple(m for u, m in after.items() if u not in before),
        cancelled=tuple(m for u, m in before.items() if u not in after),
    )


def kept_share(old: Schedule, new: Schedule, untouched: set[PairKey] | None = None) -> float:
    """The share of old meetings (of untouched pairs, if given) that stay exactly in place."""
    pool = [m for m in old.meetings
            if untouched is None or (m.startup, m.investor) in untouched]
    here = {(m.startup, m.investor, m.slot, m.table) for m in new.meetings}
    return sum((m.startup, m.investor, m.slot, m.table) in here for m in pool) / max(1, len(pool))
