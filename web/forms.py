"""Pydantic models of every form and API body, and the helper that turns their errors into
messages shown next to each field."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Any, Literal, Self, TypeVar

from flask_babel import gettext as _
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from matcher.model.event import (
    MAX_TABLES,
    Count,
    Email,
    Id,
    Interest,
    Language,
    Text,
    TimeZoneName,
)
from matcher.model.messages import sentence

M = TypeVar("M", bound=BaseModel)


def _blank_is_none(value: Any) -> Any:
    """An empty or blank form input means 'not given'."""
    return None if isinstance(value, str) and not value.strip() else value


def _split(value: Any) -> Any:
    """Comma- or newline-separated text as a list of stripped items."""
    if isinstance(value, str):
        return [item.strip() for item in re.split(r"[,\n]", value) if item.strip()]
    return value


def _lines(value: Any) -> Any:
    """Text of one item per line (or, on a single line, separated by commas) as a list."""
    if isinstance(value, str) and "\n" in value.strip():
        return [item.strip() for item in value.splitlines() if item.strip()]
    return _split(value)


def _tables(value: Any) -> Any:
    """A number of tables (named T01, T02, ...) or their names separated by commas."""
    if isinstance(value, str) and value.strip().isdigit():
        count = int(value)
        if not 1 <= count <= MAX_TABLES:
            raise ValueError(_("Give between 1 and %(most)s tables.", most=MAX_TABLES))
        return [f"T{n:0{max(2, len(str(count)))}d}" for n in range(1, count + 1)]
    return _split(value)


def _sessions(value: Any) -> Any:
    """`14:00-16:00, 16:30-18:00` as a list of (start, end) pairs."""
    if not isinstance(value, str):
        return value
    sessions = []
    for item in _split(value):
        match = re.fullmatch(r"(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})", item)
        if not match:
            raise ValueError(_("“%(item)s” is not a session such as 14:00-16:00.", item=item))
        sessions.append(match.groups())
    return sessions


Optional = BeforeValidator(_blank_is_none)
OptionalText = Annotated[Text | None, Optional]
OptionalEmail = Annotated[Email | None, Optional]
OptionalCount = Annotated[Count | None, Optional]
OptionalLanguage = Annotated[Language | None, Optional]
Minutes = Annotated[int, Field(ge=5, le=240, description="Length of a meeting in minutes.")]
Changeover = Annotated[int, Field(ge=0, le=120, description="Minutes between two meetings.")]
Sessions = Annotated[list[tuple[time, time]], BeforeValidator(_sessions),
                     Field(min_length=1, description="Meeting sessions; the gaps are breaks.")]
# How many there may be is the event's rule (`Event`), checked when the settings are applied.
Tables = Annotated[list[Id], BeforeValidator(_tables)]
# The names people read; `web.events.fields` keeps each under its id.
Fields = Annotated[list[Text], BeforeValidator(_lines)]
Checkbox = Annotated[bool, BeforeValidator(lambda v: v in (True, "on", "1", "true", "yes"))]
Percent = Annotated[float, BeforeValidator(lambda v: v if str(v).strip() else 0),
                    Field(ge=0, le=100, description="A share in per cent, 0 to 100.")]
WishChoice = Literal["", "1", "2", "3"]
InvestorChoice = Literal["", "avoid", "1", "2", "3"]


class Form(BaseModel):
    """A submitted form: unknown inputs are ignored (the CSRF token, buttons)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class LoginForm(Form):
    """The organiser's login."""

    # One line of text: a control character (a NUL, which PostgreSQL cannot even compare) is
    # refused with the model's sentence before any account is looked up.
    email: Annotated[Text, Field(min_length=3, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class MemberForm(Form):
    """A co-organiser added to an event's team, or their new role."""

    email: Email
    role: Literal["organiser", "viewer"] = "viewer"


class EventForm(Form):
    """An event's settings; the slots follow from day, sessions, meeting length and changeover."""

    name: Text
    venue: OptionalText = None
    timezone: TimeZoneName = "Asia/Hong_Kong"
    day: date
    meeting_minutes: Minutes = 20
    changeover_minutes: Changeover = 5
    sessions: Sessions
    tables: Tables
    fields: Fields
    form_open: Checkbox = False
    score_loss_percent: Percent = 0
    halls: Annotated[str, Field(max_length=100_000)] = ""  # `web.events.halls` reads it
    organiser_email: OptionalEmail = None
    organiser_name: OptionalText = None
    # The row version the page showed; a new event's form posts it empty.
    version: Annotated[int | None, Optional] = None

    @field_validator("sessions")
    @classmethod
    def _ordered(cls, value: list[tuple[time, time]]) -> list[tuple[time, time]]:
        for start, end in value:
            if end <= start:
                raise ValueError(_("The session %(start)s-%(end)s ends before it starts.",
                                   start=start.strftime("%H:%M"), end=end.strftime("%H:%M")))
        for (_start, end), (start, _end) in zip(value, value[1:], strict=False):
            if start < end:
                raise ValueError(_("The session starting %(start)s overlaps the one before it: "
                                   "list sessions in order, without overlaps.",
                                   start=start.strftime("%H:%M")))
        return value

    @model_validator(mode="after")
    def _room_for_a_meeting(self) -> Self:
        longest = max((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for s, e in self.sessions)
        if longest < self.meeting_minutes:
            raise ValueError(_("No session is long enough for a meeting of %(minutes)s minutes.",
                               minutes=self.meeting_minutes))
        return self


class FormsSwitch(Form):
    """Open or close the participants' forms."""

    open: Literal["0", "1"]


class Availability(Form):
    """The slots a participant can meet in, and the version of the answers the page showed."""

    available: list[Id] = []
    version: int


class InvestorAnswers(Availability):
    """An investor's form: interest per field, a wish or 'avoid' per finalist, the most meetings."""

    interests: dict[Id, Annotated[Interest, BeforeValidator(_blank_is_none)]] = {}
    choices: dict[Id, InvestorChoice] = {}
    max_meetings: OptionalCount = None

    def wishes(self) -> dict[str, int]:
        """Startup id -> 1..3."""
        return {s: int(c) for s, c in self.choices.items() if c.isdigit()}

    def avoid(self) -> list[str]:
        """Startup ids to avoid."""
        return [s for s, c in self.choices.items() if c == "avoid"]


class StartupAnswers(Availability):
    """A startup's form: a wish per investor."""

    choices: dict[Id, WishChoice] = {}

    def wishes(self) -> dict[str, int]:
        """Investor id -> 1..3."""
        return {i: int(c) for i, c in self.choices.items() if c}


class GenerateForm(Form):
    """Start a generation: how long the solver may take, within the server's limit; after
    publication, that the organiser knows it starts afresh (published meetings may move)."""

    time_limit: Annotated[float, Field(gt=0, description="Seconds the solver may take.")]
    fresh: Checkbox = False

    @field_validator("time_limit")
    @classmethod
    def _within_limit(cls, value: float, info: ValidationInfo) -> float:
        most = (info.context or {}).get("max_time_limit")
        if most is not None and value > most:
            raise ValueError(_("The server allows at most %(most)s seconds.", most=format(most, "g")))
        return value


class ReplanForm(GenerateForm):
    """Re-plan the published timetable from a slot on: the slots before it are frozen."""

    now: Annotated[Id, Field(description="The first slot that may change.")]

    @field_validator("now")
    @classmethod
    def _known_slot(cls, value: str, info: ValidationInfo) -> str:
        slots = (info.context or {}).get("slots")
        if slots is not None and value not in slots:
            raise ValueError(_("%(slot)s is not one of the event's slots.", slot=value))
        return value


class PublishForm(Form):
    """Publish a version, and e-mail the invitations if asked: only what changed since the
    version published before, or every meeting."""

    send: Checkbox = False
    scope: Literal["changes", "all"] = "changes"


class MoveForm(Form):
    """Move a meeting to another slot and table (pinning it there if asked)."""

    startup: Id
    investor: Id
    slot: Id
    table: Id
    pin: Checkbox = False


class SwapForm(Form):
    """Swap a meeting with another: each takes the other's slot and table."""

    startup: Id
    investor: Id
    with_startup: Id
    with_investor: Id


class PinForm(Form):
    """Pin or unpin a meeting of the draft schedule."""

    startup: Id
    investor: Id


def field_errors(error: ValidationError) -> dict[str, str]:
    """Each problem keyed by its field (`interests.fintech`; '' for the form as a whole), in
    the words and language of the request."""
    messages: dict[str, str] = {}
    for e in error.errors():
        key = ".".join(str(part) for part in e["loc"] if not isinstance(part, int))
        # A form offers its choices: which they are is on the page.
        message = _("Choose one of the options.") if e["type"] == "literal_error" \
            else sentence(e, _)
        messages.setdefault(key, message)
    return messages


def validate(model: type[M], data: Any, **context: Any) -> tuple[M | None, dict[str, str]]:
    """The validated form, or None and the messages per field."""
    try:
        return model.model_validate(data, context=context), {}
    except ValidationError as e:
        return None, field_errors(e)


class LanguageForm(Form):
    """The language switch: the language chosen, and the page to show again in it."""

    lang: Language
    next: str | None = None


class PresenceForm(Form):
    """The desk marks a participant arrived or absent, or clears the mark ('')."""

    status: Literal["arrived", "absent", ""]


class ScanForm(Form):
    """What the desk's camera read from a printed agenda's QR code: a personal link."""

    link: Annotated[str, Field(min_length=1, max_length=2000)]


class RatingForm(Form):
    """A participant's answer about one of their meetings after it (b2match's scale, or that
    the other side did not come)."""

    uid: Annotated[str, Field(min_length=1, max_length=255)]
    choice: Literal["cooperation", "informative", "no_interest", "not_held", "no_show"]
