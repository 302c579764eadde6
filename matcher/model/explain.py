"""Answers to "why didn't I meet X?": for each wish of a participant, what happened and why.

The reasons, checked in this order: the investor avoids the startup; the two share no free slot;
one side had reached its most meetings; the tables were full when both were free; else the
common free slots went to other meetings (named) that give a higher total score. A note says
when the other side had no interest at all, which keeps the pair's score low.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from matcher.model.instance import Instance
from matcher.model.schedule import Meeting, Schedule

Reason = Literal["met", "avoided", "no-common-slot", "cap-reached", "displaced", "tables-full"]


@dataclass(frozen=True)
class Answer:
    """What became of one wish."""

    other: str
    wish: int
    score: int
    reason: Reason
    text: str


def _with(meetings: list[Meeting], who: str) -> str:
    """'st-001 (score 7) in s02, st-004 (score 6) in s05' for the other side of each meeting."""
    return ", ".join(f"{m.investor if m.startup == who else m.startup} (score {m.score}) in "
                     f"{m.slot}" for m in sorted(meetings, key=lambda m: -m.score))


def explain(inst: Instance, schedule: Schedule, participant: str) -> list[Answer]:
    """One answer per wish of the participant, best wishes first."""
    if participant not in inst.participants:
        raise KeyError(f"no participant {participant} in this event")
    people = {p.id: p for p in (*inst.event.startups, *inst.event.investors)}
    me = people[participant]
    is_startup = participant in inst.startups
    of: dict[str, list[Meeting]] = {p: [] for p in inst.participants}
    per_slot: dict[str, int] = {}
    for m in schedule.meetings:
        of.setdefault(m.startup, []).append(m)
        of.setdefault(m.investor, []).append(m)
        per_slot[m.slot] = per_slot.get(m.slot, 0) + 1
    answers = []
    for other, wish in sorted(me.wishes.items(), key=lambda w: (-w[1], w[0])):
        pair = (participant, other) if is_startup else (other, participant)
        score = inst.scores[pair]
        met = next((m for m in of[participant] if other in (m.startup, m.investor)), None)
        if met:
            answers.append(Answer(other, wish, score, "met",
                                  f"you meet {other} in {met.slot} at table {met.table}"))
            continue
        reason, text = _why_not(inst, people, of, per_slot, participant, other, pair, score)
        investor = people[pair[1]]
        startup = people[pair[0]]
        if (reason != "avoided" and not investor.interests.get(startup.field)
                and pair[0] not in investor.wishes):
            text += (f"; {pair[1]} has no interest in {startup.field} and did not wish to meet "
                     f"{pair[0]}, so the pair scores only {score}")
        answers.append(Answer(other, wish, score, reason, text))
    return answers


def _why_not(inst: Instance, people: dict, of: dict[str, list[Meeting]],
             per_slot: dict[str, int], me: str, other: str, pair: tuple[str, str], score: int,
             ) -> tuple[Reason, str]:
    if pair in inst.avoided:
        return "avoided", f"{pair[1]} asked not to meet {pair[0]}"
    common = inst.common_slots(pair)
    if not common:
        return "no-common-slot", (f"you and {other} are never free in the same slot "
                                  f"({other} is free in {_slots(inst, inst.free[other])})")
    for who in (other, me):
        cap = people[who].max_meetings
        if cap is not None and len(of[who]) >= cap:
            name = "you have" if who == me else f"{who} has"
            return "cap-reached", (f"{name} the most meetings asked for ({cap}): with "
                                   f"{_with(of[who], who)}")
    slots = {inst.slot_ids[t] for t in common}
    blocking = [m for who in (me, other) for m in of[who] if m.slot in slots]
    free_both = [s for s in sorted(slots) if not any(m.slot == s for m in blocking)]
    if free_both and all(per_slot.get(s, 0) >= len(inst.tables) for s in free_both):
        return "tables-full", f"every table was taken in {', '.join(free_both)}"
    theirs = [m for m in blocking if other in (m.startup, m.investor)]
    mine = [m for m in blocking if me in (m.startup, m.investor)]
    parts = []
    if theirs:
        parts.append(f"{other} met {_with(theirs, other)}")
    if mine:
        parts.append(f"you met {_with(mine, me)}")
    count = f"{len(slots)} slot{'s' * (len(slots) > 1)}"
    return "displaced", (f"the {count} when you are both free went to other meetings, "
                         f"which give a higher total score (this pair scores {score}): "
                         + "; ".join(parts))


def _slots(inst: Instance, slots: frozenset[int]) -> str:
    """'s01, s02' for a few slots, 's03 to s12 (8 slots)' for more."""
    ids = [inst.slot_ids[t] for t in sorted(slots)]
    if len(ids) <= 3:
        return ", ".join(ids) or "no slot"
    return f"{ids[0]} to {ids[-1]} ({len(ids)} slots)"
