"""How each version of a timetable came about, told for people: what made it (a generation, a
re-planning, a hand move or swap, the sample), with names and local times, in the reader's
language. Versions keep the facts (`ScheduleVersion.details`), not the sentence."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from web.db.models import ScheduleVersion
from web.i18n import joined
from web.wording import Names


def moves(details: dict[str, Any], names: Names) -> str:
    """The hand-moved meetings: 'Ada Robotics with Li Na to 14:25–14:45, table T02'."""
    return "; ".join(_("%(pair)s to %(place)s", pair=names.pair(m["startup"], m["investor"]),
                       place=names.place(m["slot"], m["table"]))
                     for m in details.get("meetings", ()))


def made(details: dict[str, Any], names: Names) -> str:
    """The first sentence: how the version was made."""
    how, seconds = details.get("how"), details.get("seconds", 0)
    if how == "generated":
        return _("Generated in %(seconds)s s.", seconds=seconds)
    if how == "replan":
        return _("Re-planned from %(slot)s on, in %(seconds)s s.",
                 slot=names.slot(details.get("from_slot", "")), seconds=seconds)
    if how == "moved":
        return _("Moved by hand: %(moves)s.", moves=moves(details, names))
    if how == "swapped":
        return _("Swapped by hand: %(moves)s.", moves=moves(details, names))
    if how == "sample":
        return _("The sample event's timetable, generated when the sample was loaded.")
    return ""


def story(version: ScheduleVersion, names: Names) -> str:
    """How a version came about, in a sentence or three; the stored note of versions made
    before their details were kept."""
    details = version.details
    if not details:
        return version.note or ""
    parts = [made(details, names)]
    if details.get("stopped"):
        parts.append(_("Stopped early: the best timetable found by then."))
    if "against" in details:
        parts.append(ngettext(
            "Against version %(against)s: %(kept)s meeting stays, %(moved)s move, %(added)s are "
            "new and %(cancelled)s are cancelled.",
            "Against version %(against)s: %(kept)s meetings stay, %(moved)s move, %(added)s are "
            "new and %(cancelled)s are cancelled.",
            details["kept"], against=details["against"], kept=details["kept"],
            moved=details["moved"], added=details["added"], cancelled=details["cancelled"]))
    return joined(parts)
