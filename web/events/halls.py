"""An event's halls as organisers write them: one hall a line, its name, a colon and its tables
("Hall A: T01-T20, T25"), a range running through the tables in the event's order. Each hall
gets an id made from its name (the event file's `halls`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from web.events.fields import slug


def runs(members: Sequence[str], tables: Sequence[str]) -> str:
    """A hall's tables written short: consecutive tables of the event as ranges."""
    order = {t: n for n, t in enumerate(tables)}
    parts: list[list[str]] = []
    for table in members:
        if parts and table in order and parts[-1][-1] in order \
                and order[table] == order[parts[-1][-1]] + 1:
            parts[-1].append(table)
        else:
            parts.append([table])
    return ", ".join(p[0] if len(p) == 1 else f"{p[0]}-{p[-1]}" for p in parts)


def text_of(halls: Sequence[dict[str, Any]], tables: Sequence[str]) -> str:
    """The halls as the settings form shows them."""
    return "\n".join(f"{hall.get('name') or hall['id']}: {runs(hall['tables'], tables)}"
                     for hall in halls)


def between(item: str, tables: Sequence[str], order: dict[str, int]) -> list[str]:
    """A table, or the tables of a range "T01-T20" (ids may hold dashes too), in the event's
    order; the item itself when it is neither (it is then named as unknown)."""
    if item in order:
        return [item]
    for cut in (n for n, c in enumerate(item) if c == "-"):
        first, last = item[:cut].strip(), item[cut + 1:].strip()
        if first in order and last in order:
            a, b = sorted((order[first], order[last]))
            return list(tables[a:b + 1])
    return [item]


def parse(text: str, tables: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The halls written in the settings form, and what is wrong with them (one sentence a
    problem, naming the line)."""
    order = {t: n for n, t in enumerate(tables)}
    halls: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, line in enumerate((x.strip() for x in text.splitlines()), start=1):
        if not line:
            continue
        name, colon, listed = line.partition(":")
        if not colon or not name.strip():
            problems.append(_("Line %(line)s: write the hall's name, a colon and its tables, "
                              "e.g. Hall A: T01-T20.", line=number))
            continue
        members: list[str] = []
        for item in (x.strip() for x in listed.split(",")):
            if item:
                members += between(item, tables, order)
        unknown = [t for t in members if t not in order]
        if unknown:
            problems.append(_("Line %(line)s: %(tables)s is not one of the event's tables.",
                              line=number, tables=", ".join(unknown)))
        if not members:
            problems.append(_("Line %(line)s: give the hall's tables.", line=number))
        name = name.strip()
        halls.append({"id": slug(name) or f"hall-{len(halls) + 1}", "name": name,
                      "tables": members})
    return halls, problems
