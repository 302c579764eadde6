"""Answers to "why didn't I meet X?": for each wish of a participant, what happened and why.

The reasons are the hard rules of `matcher.model.rules`: the meeting is tried in each slot, and
the pair and slot rules it would break there (and the schedule keeps) say why it is not in the
schedule (where a slot has room, a table is free: seating is never the reason), in this order:
the investor avoids the startup; the two share no free slot; one side had reached its most
meetings; the tables were full when both were free; else the common free slots went to other
meetings (named) that give a higher total score; or, in a schedule made or edited by hand, the
meeting could still be added. A note says when the other side had no
interest at all, which keeps the pair's score low.

That is the organiser's explanation. A participant gets one phrased from their own side
(`audience="participant"`): their own answers and meetings may be named, the other side's never.
Whatever kept the other side from the meeting (their avoid, their cap, their other meetings) reads
the same, "this investor's time was already taken", so that the answer reveals none of them; and
no score is given, since a score adds up the other side's ratings and wishes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from babel.support import NullTranslations

from matcher.i18n import translator
from matcher.model.check import ScheduleValues, broken, broken_rules, checkable
from matcher.model.event import Investor, Startup
from matcher.model.instance import Instance, PairKey
from matcher.model.rules import Linear, rules_at
from matcher.model.schedule import Meeting, Schedule

Reason = Literal["met", "avoided", "no-common-slot", "cap-reached", "displaced", "tables-full",
                 "room-left", "their-time"]
Audience = Literal["organiser", "participant"]


@dataclass(frozen=True)
class Answer:
    """What became of one wish; a participant's answer has no score."""

    other: str
    wish: int
    score: int | None
    reason: Reason
    text: str


def _with(meetings: list[Meeting], who: str, words: NullTranslations) -> str:
    """'st-001 (score 7) in s02, st-004 (score 6) in s05' for the other side of each meeting."""
    return words.gettext(", ").join(
        words.gettext("%(other)s (score %(score)s) in %(slot)s") % {
            "other": m.investor if m.startup == who else m.startup, "score": m.score,
            "slot": m.slot} for m in sorted(meetings, key=lambda m: -m.score))


OTHERS: PairKey = ("", "")  # a slot's meetings counted as one term (see WithMeeting)


class Added(int):
    """A count that holds the meeting asked about: one more than the schedule's."""


class WithMeeting(ScheduleValues):
    """A schedule's values with one more meeting of a pair, holding only the constraints of the
    pair's two participants and of the given slots: the only ones the meeting can break. Each
    term that holds the meeting is `Added`, so that a constraint also tells what it was without
    it.

    The meeting is put in every given slot at once, so that one evaluation of the rules answers
    for all of them: the pair meets once (what the pair rules read), and each slot holds one more
    meeting (what the slot rules read, each of whose constraints is about one slot, as its
    `about` names). A slot's meetings are one term, their count (`OTHERS`): the rules only add
    them up, and adding up a trade show's thousand meetings of a slot for every question is what
    made explanations slow."""

    def __init__(self, base: ScheduleValues, pair: PairKey, slots: Iterable[int],
                 load: Mapping[int, int]) -> None:
        self.base, self.pair, self.load = base, pair, load
        self._tried = tuple(slots)
        self._added_in = frozenset(self._tried)
        self._pairs = sorted({*base.pairs_of(pair[0]), *base.pairs_of(pair[1]), pair})

    def participants(self) -> Iterable[str]:
        return self.pair

    def slots(self) -> Iterable[int]:
        return self._tried

    def pairs(self) -> Iterable[PairKey]:
        return self._pairs

    def pairs_of(self, participant: str) -> Iterable[PairKey]:
        if participant in self.pair:
            return [*self.base.pairs_of(participant), self.pair]
        return self.base.pairs_of(participant)

    def pairs_in(self, slot: int) -> Iterable[PairKey]:
        return (OTHERS, self.pair) if slot in self._added_in else (OTHERS,)

    def slots_of(self, pair: PairKey) -> Iterable[int]:
        if pair == self.pair:
            return sorted({*self.base.slots_of(pair), *self._added_in})
        return self.base.slots_of(pair)

    def tables_of(self, pair: PairKey, slot: int) -> Iterable[int]:
        raise NotImplementedError("seating is never why a meeting is missing")

    def meets(self, pair: PairKey) -> int:
        count = self.base.meets(pair)
        return Added(count + 1) if pair == self.pair else count

    def at(self, pair: PairKey, slot: int) -> int:
        if pair == OTHERS:
            return self.load.get(slot, 0)
        count = self.base.at(pair, slot)
        return Added(count + 1) if pair == self.pair and slot in self._added_in else count

    def at_table(self, pair: PairKey, slot: int, table: int) -> int:
        raise NotImplementedError("seating is never why a meeting is missing")


def without_it(constraint: Linear) -> Linear:
    """A constraint of `WithMeeting` as the schedule has it, without the meeting asked about."""
    return Linear(constraint.label, tuple(term - 1 if isinstance(term, Added) else term
                                          for term in constraint.terms),
                  constraint.lb, constraint.ub, constraint.about)


TRIES_KEPT = 256  # more than any participant's wishes


class Explainer:
    """Answers about one schedule: its meetings by participant and by slot, and its values for
    the rules, gathered once for every participant's questions."""

    def __init__(self, inst: Instance, schedule: Schedule) -> None:
        self.inst = inst
        known = checkable(inst, schedule.meetings)
        self.of: dict[str, list[Meeting]] = defaultdict(list)
        self.at: dict[int, list[Meeting]] = defaultdict(list)
        for m in known:
            self.of[m.startup].append(m)
            self.of[m.investor].append(m)
            self.at[inst.slot_index[m.slot]].append(m)
        self.values = ScheduleValues(inst, known)
        # A page of agendas asks each wish twice, for the organiser's and the participant's
        # answer: the last pairs' tries are kept (lru_cache is safe across threads).
        self.tries = lru_cache(maxsize=TRIES_KEPT)(self.would_break)
        # Each slot's meetings, counted once for every question.
        self.load = {t: sum(self.values.at(pair, t) for pair in self.values.pairs_in(t))
                     for t in range(len(inst.slot_ids))}

    def would_break(self, pair: PairKey) -> dict[int, list[tuple[str, Linear]]]:
        """Slot by slot, the pair and slot rules (name, constraint) that a meeting of the pair
        in that slot would break and the schedule keeps."""
        every = range(len(self.inst.slot_ids))
        found: dict[int, list[tuple[str, Linear]]] = {t: [] for t in every}
        for r, c in broken_rules(self.inst, WithMeeting(self.values, pair, every, self.load),
                                 rules_at("pair", "slot")):
            if broken(without_it(c)):
                continue  # the schedule breaks it already
            slot = next((x for x in reversed(c.about) if x in self.inst.slot_index), None)
            # A pair rule (or a slot rule naming no slot) holds wherever the meeting goes.
            for t in every if r.level == "pair" or slot is None else (self.inst.slot_index[slot],):
                found[t].append((r.name, c))
        return found

    def answers(self, participant: str, audience: Audience = "organiser",
                language: str | None = None) -> list[Answer]:
        """One answer per wish of the participant, best wishes first, in a language (English
        by default): every reason for the organiser, or phrased from the participant's own side
        for them."""
        words = translator(language)
        _ = words.gettext
        inst = self.inst
        if participant not in inst.participants:
            raise KeyError(f"no participant {participant} in this event")
        is_startup = participant in inst.startups
        answers = []
        for other, wish in sorted(inst.people[participant].wishes.items(),
                                  key=lambda w: (-w[1], w[0])):
            pair = (participant, other) if is_startup else (other, participant)
            score = inst.scores[pair]
            met = next((m for m in self.of[participant] if other in (m.startup, m.investor)),
                       None)
            if met:
                text = _("you meet %(other)s in %(slot)s at table %(table)s") % {
                    "other": other, "slot": met.slot, "table": met.table}
                answers.append(Answer(other, wish, score if audience == "organiser" else None,
                                      "met", text))
                continue
            reason, text = _why_not(self, participant, other, pair, score, words)
            if audience == "participant":
                reason, text = _from_their_side(self, participant, other, reason, _)
                answers.append(Answer(other, wish, None, reason, text))
                continue
            startup, investor = inst.people[pair[0]], inst.people[pair[1]]
            assert isinstance(startup, Startup) and isinstance(investor, Investor)
            if (reason != "avoided" and not investor.interests.get(startup.field)
                    and pair[0] not in investor.wishes):
                text = _("%(reason)s; %(investor)s has no interest in %(field)s and did not "
                         "wish to meet %(startup)s, so the pair scores only %(score)s") % {
                    "reason": text, "investor": pair[1],
                    # The command line (no language) names ids; a page names the field.
                    "field": startup.field if language is None else
                    inst.event.field_name(startup.field, language),
                    "startup": pair[0], "score": score}
            answers.append(Answer(other, wish, score, reason, text))
        return answers


def explain(inst: Instance, schedule: Schedule, participant: str,
            audience: Audience = "organiser", language: str | None = None) -> list[Answer]:
    """One answer per wish of the participant, best wishes first (see `Explainer.answers`)."""
    return Explainer(inst, schedule).answers(participant, audience, language)


def _why_not(meetings: Explainer, me: str, other: str, pair: PairKey, score: int,
             words: NullTranslations) -> tuple[Reason, str]:
    """The organiser's reason, with ids and scores."""
    inst, _ = meetings.inst, words.gettext
    broken = meetings.tries(pair)
    rules = {t: {name for name, _ in found} for t, found in broken.items()}
    if "allowed-pair" in rules[0]:
        return "avoided", _("%(investor)s asked not to meet %(startup)s") % {
            "investor": pair[1], "startup": pair[0]}
    common = [t for t in broken if "available" not in rules[t]]
    if not common:
        return "no-common-slot", _("you and %(other)s are never free in the same slot "
                                   "(%(other)s is free in %(slots)s)") % {
            "other": other, "slots": _slots(inst, inst.free[other], words)}
    capped = {c.about[0] for name, c in broken[common[0]] if name == "max-meetings"}
    for who in (other, me):
        if who in capped:
            values = {"who": who, "cap": inst.people[who].max_meetings,
                      "meetings": _with(meetings.of[who], who, words)}
            return "cap-reached", (
                _("you have the most meetings asked for (%(cap)s): with %(meetings)s")
                if who == me else
                _("%(who)s has the most meetings asked for (%(cap)s): with %(meetings)s")
            ) % values
    busy = {t: {c.about[0] for name, c in broken[t] if name == "one-meeting-per-slot"}
            for t in common}
    free_both = [t for t in common if not busy[t]]
    open_ = [inst.slot_ids[t] for t in free_both if "tables-per-slot" not in rules[t]]
    if open_:
        return "room-left", _("you are both free in %(slots)s and a table is free: this "
                              "meeting could still be added") % {"slots": _(", ").join(open_)}
    if free_both:
        return "tables-full", _("every table was taken in %(slots)s") % {
            "slots": _(", ").join(inst.slot_ids[t] for t in free_both)}
    blocking = [m for t in common for who in busy[t] for m in meetings.of[who]
                if inst.slot_index[m.slot] == t]
    theirs = [m for m in blocking if other in (m.startup, m.investor)]
    mine = [m for m in blocking if me in (m.startup, m.investor)]
    parts = []
    if theirs:
        parts.append(_("%(other)s met %(meetings)s") % {
            "other": other, "meetings": _with(theirs, other, words)})
    if mine:
        parts.append(_("you met %(meetings)s") % {"meetings": _with(mine, me, words)})
    return "displaced", words.ngettext(
        "the %(count)s slot when you are both free went to other meetings, which give a higher "
        "total score (this pair scores %(score)s): %(meetings)s",
        "the %(count)s slots when you are both free went to other meetings, which give a "
        "higher total score (this pair scores %(score)s): %(meetings)s", len(common)) % {
        "count": len(common), "score": score, "meetings": _("; ").join(parts)}


def _from_their_side(meetings: Explainer, me: str, other: str, reason: Reason,
                     _: Callable[[str], str]) -> tuple[Reason, str]:
    """The organiser's reason told to the participant: what is theirs (their cap, their
    meetings) named, what is the other side's (an avoid: no one wishes for whom they avoid,
    their cap, their meetings) folded into one sentence."""
    inst = meetings.inst
    taken: tuple[Reason, str] = ("their-time", _("this investor's time was already taken")
                                 if other in inst.investors else
                                 _("this startup's time was already taken"))
    if reason == "no-common-slot":
        return reason, _("there was no time when you were both free")
    if reason == "tables-full":
        return reason, _("every table was taken at the times you were both free")
    if reason == "room-left":
        return reason, _("there is still a time when you are both free and a table is free: "
                         "the organiser may add this meeting")
    cap = inst.people[me].max_meetings
    if reason == "cap-reached" and cap is not None and len(meetings.of[me]) >= cap:
        return reason, _("you have the most meetings you asked for (%(cap)s)") % {"cap": cap}
    pair = (me, other) if me in inst.startups else (other, me)
    common = {inst.slot_ids[t] for t in inst.common_slots(pair)}
    if reason == "displaced" and any(m.slot in common for m in meetings.of[me]):
        # Which of one's meetings took the common times would tell when the other side is free.
        return reason, _("the times you were both free went to your other meetings")
    return taken


def _slots(inst: Instance, slots: frozenset[int], words: NullTranslations) -> str:
    """'s01, s02' for a few slots, 's03 to s12 (8 slots)' for more."""
    ids = [inst.slot_ids[t] for t in sorted(slots)]
    if len(ids) <= 3:
        return words.gettext(", ").join(ids) or words.gettext("no slot")
    return words.gettext("%(first)s to %(last)s (%(count)s slots)") % {
        "first": ids[0], "last": ids[-1], "count": len(ids)}
