"""Reading the B2B benchmark's MiniZinc data files (.dzn) into a `B2BInstance`.

The format (Bofill et al., JAIR 74, 2022): `name = value;` statements whose values are integers,
arrays of integers, arrays of sets such as `[{1,2}, {}]` and tables such as `[| 1, 2, 3 | ... |]`.
Comments start with `%`. A problem in the file becomes a `BadFile` whose message names the line.
`meetingsxBusiness` and `nMeetingsBusiness` are derived from `requested`, so they are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from matcher.model.files import BadFile, read_text

Count = Annotated[int, Field(ge=1)]
Slot = Annotated[int, Field(ge=1, description="A 1-based slot number.")]


class B2BMeeting(BaseModel):
    """A requested meeting: two 1-based participants and a session."""

    model_config = ConfigDict(frozen=True)

    a: Count = Field(description="One participant, 1-based.")
    b: Count = Field(description="The other participant, 1-based.")
    session: Literal[1, 2, 3] = Field(description="1 morning, 2 afternoon, 3 either.")


def problem(loc: tuple[str | int, ...], message: str) -> ValidationError:
    """A validation error placed at `loc`, so that the reader can name the culprit's line."""
    kind = PydanticCustomError("b2b", message)
    return ValidationError.from_exception_data(
        "B2BInstance", [InitErrorDetails(type=kind, loc=loc, input=None)])


class B2BInstance(BaseModel):
    """A B2B meeting scheduling instance, numbered as in the file (participants, meetings, slots
    from 1)."""

    model_config = ConfigDict(frozen=True)

    participants: Count = Field(description="nBusiness: how many participants.")
    tables: int = Field(ge=0, description="nTables: at most this many meetings per slot.")
    slots: Count = Field(description="nTotalSlots: slots 1..slots.")
    morning: int = Field(ge=0, description="nMorningSlots: slots 1..morning are the morning.")
    meetings: tuple[B2BMeeting, ...] = Field(description="requested, one row per meeting.")
    forbidden: tuple[frozenset[int], ...] = Field(
        default=(), description="Per participant, the slots it cannot meet (0 is ignored).")
    fixed: tuple[int, ...] = Field(
        default=(), description="Per meeting, its fixed slot or 0 for free; empty for none.")
    precedences: tuple[frozenset[int], ...] = Field(
        default=(), description="Per meeting, the meetings that must come strictly earlier.")

    @model_validator(mode="after")
    def _consistent(self) -> B2BInstance:
        if self.morning > self.slots:
            raise problem(("morning",), f"nMorningSlots is {self.morning}, above nTotalSlots "
                                        f"({self.slots})")
        for k, m in enumerate(self.meetings):
            for side in ("a", "b"):
                if getattr(m, side) > self.participants:
                    raise problem(("meetings", k), f"meeting {k + 1} names participant "
                                  f"{getattr(m, side)}, but nBusiness is {self.participants}")
            if m.a == m.b:
                raise problem(("meetings", k), f"meeting {k + 1} joins participant {m.a} with "
                                               "itself")
        self._check_lengths()
        self._check_numbers("forbidden", self.forbidden, self.slots, "slot", "nTotalSlots")
        self._check_numbers("fixed", tuple({t} for t in self.fixed), self.slots, "slot",
                            "nTotalSlots")
        self._check_numbers("precedences", self.precedences, len(self.meetings), "meeting",
                            "nMeetings")
        return self

    def _check_lengths(self) -> None:
        for name, values, want, what in (
                ("forbidden", self.forbidden, self.participants, "nBusiness"),
                ("fixed", self.fixed, len(self.meetings), "nMeetings"),
                ("precedences", self.precedences, len(self.meetings), "nMeetings")):
            if values and len(values) != want:
                raise problem((name,), f"{name} has {len(values)} entries, but {what} is {want}")

    @staticmethod
    def _check_numbers(name: str, sets: tuple, top: int, what: str, limit: str) -> None:
        for k, numbers in enumerate(sets):
            bad = sorted(n for n in numbers if not 0 <= n <= top)
            if bad:
                raise problem((name, k), f"{name} entry {k + 1} names {what} {bad[0]}, outside "
                                         f"1..{top} ({limit})")


@dataclass
class Value:
    """A parsed value with the line it starts on and, for arrays, the line of each item."""

    data: object
    line: int
    item_lines: list[int] = field(default_factory=list)


TOKEN = re.compile(r"\s*(?:(%[^\n]*)|(-?\d+)|([A-Za-z_]\w*)|(\.\.|\[\||\|\]|[=;\[\]{},|]))")


def tokens(text: str) -> list[tuple[str, int]]:
    """The tokens of the file with their 1-based line numbers; comments dropped."""
    out, pos, line = [], 0, 1
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            rest = text[pos:].lstrip()
            if not rest:
                break
            line += text[pos:len(text) - len(rest)].count("\n")
            raise BadFile(f"line {line}: unexpected {rest.split()[0]!r}")
        group = match.lastindex
        assert group is not None  # each alternative of TOKEN is a group
        line += text[pos:match.start(group)].count("\n")
        if group != 1:
            out.append((match.group(group), line))
        pos = match.end()
    return out


class Parser:
    """A recursive-descent reader of the statements of a .dzn file."""

    def __init__(self, text: str) -> None:
        self.tokens = tokens(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def line(self) -> int:
        return self.tokens[min(self.pos, len(self.tokens) - 1)][1] if self.tokens else 1

    def take(self, expected: str | None = None) -> str:
        if self.pos >= len(self.tokens):
            raise BadFile(f"line {self.line()}: the file ends in the middle of a statement")
        text, line = self.tokens[self.pos]
        if expected is not None and text != expected:
            raise BadFile(f"line {line}: expected {expected!r} but found {text!r}")
        self.pos += 1
        return text

    def statements(self) -> dict[str, Value]:
        """Every `name = value;` of the file."""
        found: dict[str, Value] = {}
        while self.peek() is not None:
            line = self.line()
            name = self.take()
            if not re.fullmatch(r"[A-Za-z_]\w*", name):
                raise BadFile(f"line {line}: expected a name but found {name!r}")
            if name in found:
                raise BadFile(f"line {line}: {name} is given twice")
            self.take("=")
            found[name] = self.value()
            self.take(";")
        return found

    def integer(self) -> int:
        line, text = self.line(), self.take()
        if not re.fullmatch(r"-?\d+", text):
            raise BadFile(f"line {line}: expected a number but found {text!r}")
        return int(text)

    def value(self) -> Value:
        line, head = self.line(), self.peek()
        if head == "[|":
            return self.table()
        if head == "[":
            return self.array()
        if head == "{":
            return Value(self.set(), line)
        return Value(self.integer(), line)

    def set(self) -> frozenset[int]:
        self.take("{")
        numbers: set[int] = set()
        while self.peek() != "}":
            low = self.integer()
            numbers.update(range(low, self.integer() + 1) if self.peek() == ".." and
                           self.take("..") else (low,))
            if self.peek() != "}":
                self.take(",")
        self.take("}")
        return frozenset(numbers)

    def array(self) -> Value:
        start = self.line()
        self.take("[")
        items, lines = [], []
        while self.peek() != "]":
            lines.append(self.line())
            items.append(self.set() if self.peek() == "{" else self.integer())
            if self.peek() != "]":
                self.take(",")
        self.take("]")
        return Value(items, start, lines)

    def table(self) -> Value:
        start = self.line()
        self.take("[|")
        rows, lines = [], []
        while self.peek() != "|]":
            lines.append(self.line())
            row = [self.integer()]
            while self.peek() == ",":
                self.take(",")
                if self.peek() in ("|", "|]"):
                    break
                row.append(self.integer())
            rows.append(row)
            if self.peek() == "|":
                self.take("|")
        self.take("|]")
        return Value(rows, start, lines)


FIELDS = {"participants": "nBusiness", "tables": "nTables", "slots": "nTotalSlots",
          "morning": "nMorningSlots", "meetings": "requested", "forbidden": "forbidden",
          "fixed": "fixed", "precedences": "precedences"}
REQUIRED = ("nBusiness", "nMeetings", "nTables", "nTotalSlots", "nMorningSlots", "requested")


def read_dzn(path: str | Path) -> B2BInstance:
    """Read a benchmark .dzn file; BadFile names the file and the line of the first problem."""
    text = read_text(path)
    try:
        return instance_of(Parser(text).statements())
    except BadFile as e:
        raise BadFile(f"{path} {e}") from None


def instance_of(found: dict[str, Value]) -> B2BInstance:
    """The instance from the statements of a file, each problem located by its line."""
    last = max((v.line for v in found.values()), default=1)
    for name in REQUIRED:
        if name not in found:
            raise BadFile(f"line {last}: {name} is not given")
    meetings, count = found["requested"], found["nMeetings"]
    rows = meetings.data
    if not isinstance(rows, list):
        raise BadFile(f"line {meetings.line}: requested is a table of rows, [| a, b, session "
                      f"| ... |]")
    if not isinstance(count.data, int) or len(rows) != count.data:
        raise BadFile(f"line {meetings.line}: requested has {len(rows)} rows, but "
                      f"nMeetings is {count.data}")
    for row, line in zip(rows, meetings.item_lines, strict=True):
        if len(row) != 3:
            raise BadFile(f"line {line}: a requested row has 3 numbers (participant, "
                          f"participant, session), this one has {len(row)}")
    data: dict[str, Any] = {key: found[name].data for key, name in FIELDS.items() if name in found}
    data["meetings"] = [{"a": a, "b": b, "session": s} for a, b, s in rows]
    data["forbidden"] = [s - {0} if isinstance(s, frozenset) else s
                         for s in data.get("forbidden", [])]
    try:
        return B2BInstance.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        name = FIELDS[str(first["loc"][0])]
        value = found[name]
        index = first["loc"][1] if len(first["loc"]) > 1 else None
        line = value.item_lines[index] if isinstance(index, int) and index < len(
            value.item_lines) else value.line
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] != "b2b":
            where = f"{name} entry {index + 1}" if isinstance(index, int) else name
            message = f"{where}: {message}"
        raise BadFile(f"line {line}: {message}") from None
