"""The sentences of every validation error of the data, written for the people who fix it.

The model raises its own errors as `pydantic_core.PydanticCustomError(type, template, context)`
through `refuse` and `refuse_all`: the type is stable and the context values are named, so that a
language can translate the template of a type and fill in the same values. pydantic's own errors
(a missing key, a number out of range, ...) get sentences here too. `sentence` is the one place
that turns an error into words: the command line, the API, the forms and the imports all use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from matcher.i18n import N_

Translate = Callable[[str], str]
Location = tuple[str | int, ...]


# The model's own errors: type -> template. A type never changes meaning once released.
TEMPLATES: dict[str, str] = {
    "line_break": N_("Write this on one line: there is a line break at character {position}."),
    "control_character": N_("Remove the invisible control character {code} at character "
                            "{position}."),
    "id_characters": N_("Use only letters, digits and . _ : - in an id (not “{character}”)."),
    "id_space": N_("Use - or _ instead of spaces in an id."),
    "email_address": N_("Give an e-mail address such as name@example.com."),
    "unknown_timezone": N_("{value} is not a time zone: give a name such as Asia/Hong_Kong or "
                           "Europe/London."),
    "local_time": N_("Give a local time without an offset: the event's time zone applies."),
    "slot_end": N_("The slot {slot} ends at {end}, not after its start at {start}."),
    "slot_order": N_("The slot {slot} starts at {start}, before the slot {before} ends at {end}: "
                     "slots must be in order and must not overlap."),
    "skipped_time": N_("The time {time} of the slot {slot} does not exist in {timezone}: the "
                       "clocks go forward then."),
    "day_missing": N_("The slot {slot} has no day, but other slots have one: give a day for "
                      "every slot or for none."),
    "day_apart": N_("The slot {slot} is on the day {day} again after the day {other}: the slots "
                    "of a day must follow each other."),
    "duplicate_field": N_("The field {id} is listed twice."),
    "duplicate_slot": N_("The slot id {id} is used twice: each slot needs an id of its own."),
    "duplicate_table": N_("The table {id} is listed twice."),
    "duplicate_participant": N_("The id {id} is used by {other} too: each participant needs an "
                                "id of their own."),
    "duplicate_required": N_("The meeting of {startup} and {investor} is required twice."),
    "duplicate_pin": N_("The meeting of {startup} and {investor} is pinned twice."),
    "unknown_field": N_("{value} is not one of the event's fields ({fields})."),
    "unknown_slot": N_("{value} is not one of the event's slots."),
    "unknown_table": N_("{value} is not one of the event's tables."),
    "unknown_startup": N_("{value} is not a startup of this event."),
    "unknown_investor": N_("{value} is not an investor of this event."),
    "min_above_max": N_("The startup {name} needs at least {min} meetings but may have at most "
                        "{max}."),
    "wish_and_avoid": N_("The investor {name} both wishes to meet and avoids {startups}."),
    "required_avoided": N_("{investor} avoids {startup}, so they cannot be required to meet."),
    "pin_avoided": N_("{investor} avoids {startup}, so their meeting cannot be pinned."),
    "pin_unavailable": N_("{who} is unavailable in the slot {slot}, where their meeting with "
                          "{other} is pinned."),
    "pin_clash": N_("{who} has two meetings pinned in the slot {slot}: with {first} and with "
                    "{second}."),
    "table_clash": N_("The table {table} has two meetings pinned in the slot {slot}."),
    "duplicate_hall": N_("The hall id {id} is used twice: each hall needs an id of its own."),
    "table_in_two_halls": N_("The table {table} is in two halls, {first} and {second}: give it "
                             "one."),
    "unknown_language": N_("{value} is not one of the languages: give en, zh-Hant (Traditional "
                           "Chinese) or zh-Hans (Simplified Chinese)."),
}

# pydantic's own errors (https://docs.pydantic.dev/latest/errors/validation_errors/): type ->
# template over pydantic's context names. Types not listed keep pydantic's text.
BUILT_IN: dict[str, str] = {
    "missing": N_("This is required."),
    "string_too_short": N_("This is required."),  # every text is at least 1 character, stripped
    "string_too_long": N_("Use at most {max_length} characters."),
    "too_short": N_("Give at least {min_length} of these."),
    "too_long": N_("Give at most {max_length} of these."),
    "greater_than_equal": N_("Give {ge} or more."),
    "greater_than": N_("Give more than {gt}."),
    "less_than_equal": N_("Give {le} or less."),
    "less_than": N_("Give less than {lt}."),
    "int_parsing": N_("Give a whole number."),
    "int_from_float": N_("Give a whole number."),
    "int_type": N_("Give a whole number."),
    "float_parsing": N_("Give a number."),
    "float_type": N_("Give a number."),
    "string_type": N_("Give text."),
    "bool_parsing": N_("Give true or false."),
    "bool_type": N_("Give true or false."),
    "date_parsing": N_("Give a date such as 2023-09-13."),
    "date_from_datetime_parsing": N_("Give a date such as 2023-09-13."),
    "date_type": N_("Give a date such as 2023-09-13."),
    "datetime_parsing": N_("Give a date and time such as 2023-09-13T14:00."),
    "datetime_from_date_parsing": N_("Give a date and time such as 2023-09-13T14:00."),
    "datetime_type": N_("Give a date and time such as 2023-09-13T14:00."),
    "time_parsing": N_("Give a time such as 14:00."),
    "literal_error": N_("Choose one of: {expected}."),
    "enum": N_("Choose one of: {expected}."),
    "extra_forbidden": N_("This key is not part of the format: check its spelling."),
    "dict_type": N_("Give an object (keys and values)."),
    "model_type": N_("Give an object (keys and values)."),
    "model_attributes_type": N_("Give an object (keys and values)."),
    "list_type": N_("Give a list."),
    "tuple_type": N_("Give a list."),
    "union_tag_invalid": N_("Choose one of: {expected_tags}."),
    "union_tag_not_found": N_("Say which kind this is: give {discriminator}."),
}


def refuse(kind: str, **context: Any) -> PydanticCustomError:
    """The error of one of our types, with its template and named context (raise it)."""
    return PydanticCustomError(kind, TEMPLATES[kind], context)


def refuse_all(title: str, errors: Iterable[tuple[Location, Any, PydanticCustomError]]
               ) -> ValidationError | None:
    """Several located errors as one ValidationError (raise it from a validator: pydantic
    prefixes each location with where the model sits); None when there are none."""
    details = [InitErrorDetails(type=error, loc=loc, input=value) for loc, value, error in errors]
    return ValidationError.from_exception_data(title, details) if details else None


def refuse_at(title: str, loc: Location, value: Any, error: PydanticCustomError
              ) -> ValidationError:
    """One located error as a ValidationError (see `refuse_all`)."""
    return ValidationError.from_exception_data(
        title, [InitErrorDetails(type=error, loc=loc, input=value)])


def sentence(error: ErrorDetails, translate: Translate = N_) -> str:
    """One error in words for people, in the language of `translate` (a gettext)."""
    kind, context = error["type"], error.get("ctx") or {}
    template = TEMPLATES.get(kind) or BUILT_IN.get(kind)
    if template is None:
        # A ValueError of another model: its own sentence; otherwise pydantic's words.
        text = error["msg"].removeprefix("Value error, ")
        return text[:1].upper() + text[1:]
    return translate(template).format(**context)
