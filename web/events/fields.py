"""An event's fields as organisers write them: one name per line ("AI & Big Data"), each kept
under an id ("ai-big-data") that files, imports and answers use. A line naming a field the event
has keeps its id; a new line gets an id made from its name. A line changed in place renames its
field when startups or answers use it (they stay with it); otherwise that field simply goes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence, Set

from matcher.i18n import DEFAULT, FIELD_NAMES, FieldName, field_name
from matcher.model.event import ID_MAX


def slug(name: str) -> str:
    """An id made from a name: 'AI & Big Data' -> 'ai-big-data' (empty for a name without
    Latin letters or digits)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:ID_MAX].strip("-")


def name_of(code: str, names: Mapping[str, FieldName]) -> str:
    """A field's name as organisers write it (in English: the form's lines are data)."""
    return field_name(code, None, names)


def lines_of(codes: Sequence[str], names: Mapping[str, FieldName]) -> str:
    """The fields as the settings form shows them: one name per line."""
    return "\n".join(name_of(code, names) for code in codes)


def resolve(lines: Sequence[str], codes: Sequence[str], names: Mapping[str, FieldName],
            used: Set[str] = frozenset()) -> tuple[list[str], dict[str, FieldName]]:
    """The fields' ids and display names after the organiser wrote these lines, given the
    event's fields before and those that participants use. A name equal to the field's default
    (a default field's name, or its id) is not stored; names per language (from the event
    file) stay, a changed line replacing the English one."""
    by_text: dict[str, str] = {}
    for known in codes:
        for text in (known, name_of(known, names), slug(name_of(known, names))):
            by_text.setdefault(text.casefold(), known)
    found: list[str | None] = [by_text.get(line.casefold()) or by_text.get(slug(line))
                               for line in lines]
    unclaimed = set(codes) & set(used) - {code for code in found if code}
    result: list[str] = []
    for n, (line, code) in enumerate(zip(lines, found, strict=True)):
        if code is None and n < len(codes) and codes[n] in unclaimed:
            code = codes[n]  # the line at this place was edited: the same field, renamed
            unclaimed.discard(code)
        if code is None:
            code = slug(line) or f"field-{n + 1}"
        result.append(code)
    named: dict[str, FieldName] = {}
    for line, code in zip(lines, result, strict=True):
        own = names.get(code)
        if isinstance(own, Mapping):
            named[code] = dict(own) if line == name_of(code, names) else {**own, DEFAULT: line}
        elif line not in (code, FIELD_NAMES.get(code)):
            named[code] = line
    return result, named
