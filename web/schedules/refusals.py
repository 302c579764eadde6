"""Why a hand edit is refused, told for people: each broken rule of `matcher.model.rules` as a
sentence with the participants' names and the slots' local times (the rules' own labels, with
ids, are for `matcher check` and the log). A rule without a sentence here keeps its label."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from matcher.model.instance import Instance
from matcher.model.rules import Linear
from web.schedules.editing import Broken
from web.wording import Names

Say = Callable[[Instance, Linear, Names], str]


def _pair(inst: Instance, c: Linear, names: Names) -> str:
    startup, investor = c.about[:2]
    if (startup, investor) in inst.avoided:
        return _("%(investor)s does not want to meet %(startup)s.",
                 investor=names.person(investor), startup=names.person(startup))
    return _("%(startup)s and %(investor)s have no reason to meet: no interest or wish links "
             "them, and their meeting is neither required nor pinned.",
             startup=names.person(startup), investor=names.person(investor))


def _cap(inst: Instance, c: Linear, names: Names) -> str:
    return _("%(who)s would have more than %(most)s meetings, the most they want.",
             who=names.person(c.about[0]), most=c.ub)


def _least(inst: Instance, c: Linear, names: Names) -> str:
    return _("%(who)s would have fewer than %(least)s meetings, the fewest they need.",
             who=names.person(c.about[0]), least=c.lb)


def _required(inst: Instance, c: Linear, names: Names) -> str:
    pair = names.pair(*c.about[:2])
    if tuple(c.about[:2]) in inst.pins:
        return _("The pinned meeting of %(pair)s would not take place.", pair=pair)
    return _("The required meeting of %(pair)s would not take place.", pair=pair)


SENTENCES: dict[str, Say] = {
    "allowed-pair": _pair,
    "once-per-pair": lambda inst, c, names: _(
        "%(pair)s would meet twice.", pair=names.pair(*c.about[:2])),
    "max-meetings": _cap,
    "min-meetings": _least,
    "required": _required,
    "one-meeting-per-slot": lambda inst, c, names: _(
        "%(who)s would have two meetings at %(time)s.", who=names.person(c.about[0]),
        time=names.slot(c.about[1])),
    "available": lambda inst, c, names: _(
        "%(who)s is not available at %(time)s.", who=names.person(c.about[0]),
        time=names.slot(c.about[1])),
    "tables-per-slot": lambda inst, c, names: _(
        "%(time)s would have more meetings than the %(tables)s tables.",
        time=names.slot(c.about[0]), tables=c.ub),
    "pinned-slot": lambda inst, c, names: _(
        "%(pair)s is pinned at %(time)s: unpin it first to move it.",
        pair=names.pair(*c.about[:2]), time=names.slot(c.about[2])),
    "one-meeting-per-table": lambda inst, c, names: _(
        "Table %(table)s already has a meeting at %(time)s.", table=c.about[0],
        time=names.slot(c.about[1])),
    "pinned-table": lambda inst, c, names: _(
        "%(pair)s is pinned at table %(table)s: unpin it first to move it.",
        pair=names.pair(*c.about[:2]), table=c.about[2]),
}


def sentence(inst: Instance, broken: Broken, names: Names) -> str:
    """One broken rule in words for people."""
    rule, constraint = broken
    say = SENTENCES.get(rule.name)
    return say(inst, constraint, names) if say and constraint.about else constraint.label


def sentences(inst: Instance, broken: list[Broken], names: Names) -> list[str]:
    """Every broken rule in words for people, each once."""
    return list(dict.fromkeys(sentence(inst, b, names) for b in broken))
