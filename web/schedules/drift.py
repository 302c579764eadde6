"""What changed in an event since a version of its timetable was made: settings (slots, tables,
fields), participants who joined or left, and answers that changed. A draft older than the event
says so, in these sentences, and offers to re-plan. (Pins and required meetings are the
organiser's own rules: the rule checker says when a draft breaks one.)"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

# What a participant's record holds that a timetable depends on (names and addresses do not).
ANSWERS = ("field", "interests", "wishes", "avoid", "unavailable", "min_meetings", "max_meetings")
SHOWN = 3  # names listed before "and N more"


def _listed(names: list[str]) -> str:
    """'A, B, C and 4 more'."""
    if len(names) <= SHOWN:
        return ", ".join(names)
    return _("%(names)s and %(more)s more", names=", ".join(names[:SHOWN]),
             more=len(names) - SHOWN)


def _people(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for key in ("startups", "investors") for p in data.get(key, ())}


def _answers(person: dict[str, Any]) -> tuple[Any, ...]:
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return tuple(sorted(value.items()))
        if isinstance(value, list | tuple):
            return tuple(sorted(value))
        return value
    return tuple(plain(person.get(key)) for key in ANSWERS)


def changes_since(made_for: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """How the event (`now`, its file data) differs from the one a version was made for, one
    sentence per kind of change; empty when nothing that matters to the timetable changed."""
    found: list[str] = []
    slots_then = [(s["id"], str(s["start"])[:16], str(s["end"])[:16]) for s in made_for["slots"]]
    slots_now = [(s["id"], str(s["start"])[:16], str(s["end"])[:16]) for s in now["slots"]]
    if slots_then != slots_now:
        found.append(_("The slots changed (%(then)s then, %(now)s now).", then=len(slots_then),
                       now=len(slots_now)))
    added = [t for t in now["tables"] if t not in made_for["tables"]]
    gone = [t for t in made_for["tables"] if t not in now["tables"]]
    if added:
        found.append(ngettext("Table %(tables)s was added.", "Tables %(tables)s were added.",
                              len(added), tables=_listed(added)))
    if gone:
        found.append(ngettext("Table %(tables)s was removed.", "Tables %(tables)s were removed.",
                              len(gone), tables=_listed(gone)))
    if list(made_for.get("fields", ())) != list(now.get("fields", ())):
        found.append(_("The fields changed."))
    before, after = _people(made_for), _people(now)
    joined = [after[p]["name"] for p in after if p not in before]
    left = [before[p]["name"] for p in before if p not in after]
    changed = [after[p]["name"] for p in after
               if p in before and _answers(before[p]) != _answers(after[p])]
    if joined:
        found.append(ngettext("%(num)d participant joined: %(names)s.",
                              "%(num)d participants joined: %(names)s.", len(joined),
                              names=_listed(joined)))
    if left:
        found.append(ngettext("%(num)d participant left: %(names)s.",
                              "%(num)d participants left: %(names)s.", len(left),
                              names=_listed(left)))
    if changed:
        found.append(ngettext("%(num)d participant changed their answers: %(names)s.",
                              "%(num)d participants changed their answers: %(names)s.",
                              len(changed), names=_listed(changed)))
    return found
