"""Who may do what with an event, decided in one place.

Every event belongs to a team of organiser accounts, each with a role: its owner (who created it
and manages the team), organisers (who change it) and viewers (who read it). Every view of one
event states the permission it needs with `@requires(...)`; the check runs before the view and
answers 404 to anyone outside the team (an event's existence is not revealed) and 403 to a team
member whose role is too low. `check_routes` refuses to start an app with a route under
/events/<event_id>/ or /api/events/<event_id> that states none.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from flask import Flask, abort, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from web.db import MAX_ID, db, get
from web.db.models import ROLES, EventRow, Member, Organiser

Permission = Literal["read", "edit", "manage"]
# The least role that has each permission (ROLES runs from most to least allowed).
LEAST_ROLE: dict[Permission, str] = {"read": "viewer", "edit": "organiser", "manage": "owner"}
REFUSED: dict[Permission, Any] = {
    "edit": lazy_gettext("You can read this event but not change it: ask its owner to make you "
                         "an organiser."),
    "manage": lazy_gettext("Only the event's owner can change its team."),
}
F = TypeVar("F", bound=Callable[..., Any])


def allows(role: str | None, permission: Permission) -> bool:
    """Whether a role has a permission (None, no role, has none)."""
    return role in ROLES and ROLES.index(role) <= ROLES.index(LEAST_ROLE[permission])


def actor() -> Organiser | None:
    """The account acting in this request: the API token's, else the logged-in organiser."""
    if "organiser" in g:
        return g.organiser
    return current_user if current_user.is_authenticated else None


def role_in(session: Session, organiser: Organiser, event_id: int) -> str | None:
    """The organiser's role in an event, or None outside its team (or past any id's range)."""
    if not 1 <= event_id <= MAX_ID:
        return None
    return session.scalar(select(Member.role).where(Member.event_id == event_id,
                                                    Member.organiser_id == organiser.id))


def authorise(event_id: int, permission: Permission) -> EventRow:
    """The event, when the acting account has the permission; else 404 (outside the team or
    no such event) or 403 (in the team, role too low)."""
    account = actor()
    known = 1 <= event_id <= MAX_ID  # ids no row can have: no query
    role = role_in(db(), account, event_id) if account is not None and known else None
    row = get(EventRow, event_id) if role is not None else None
    if row is None:
        abort(404, description=_("There is no such event, or it is not shared with you."))
    if not allows(role, permission):
        abort(403, description=str(REFUSED[permission]))
    g.event, g.role = row, role
    return row


def requires(permission: Permission) -> Callable[[F], F]:
    """Declare what a view of one event needs, and check it before the view runs."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            authorise(kwargs["event_id"], permission)
            return view(*args, **kwargs)

        checked.event_permission = permission  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


def current_event(event_id: int) -> EventRow:
    """The event this request was authorised for by `requires`."""
    row: EventRow | None = g.get("event")
    if row is None or row.id != event_id:
        raise RuntimeError(f"event {event_id} read by a view that states no permission")
    return row


def member() -> Organiser:
    """The acting account of a view that `requires` a permission (only team members get in)."""
    account = actor()
    if account is None:
        raise RuntimeError("the account asked for by a view that states no permission")
    return account


def can(permission: Permission) -> bool:
    """Whether the acting account has a permission on this request's event (for templates)."""
    return allows(g.get("role"), permission)


def event_routes(app: Flask) -> list[tuple[str, str]]:
    """(rule, endpoint) of every route about one event."""
    return [(rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
            if "event_id" in rule.arguments]


def unchecked_routes(app: Flask) -> list[str]:
    """The routes about one event whose view states no permission."""
    return [f"{rule} ({endpoint})" for rule, endpoint in event_routes(app)
            if not hasattr(app.view_functions[endpoint], "event_permission")]


def check_routes(app: Flask) -> None:
    """Refuse an app with a route about one event that states no permission."""
    missing = unchecked_routes(app)
    if missing:
        raise RuntimeError("these routes state no permission (add @requires): "
                           + ", ".join(missing))


def events_of(session: Session, organiser: Organiser) -> list[tuple[EventRow, str]]:
    """The events the organiser is in the team of, with their role, latest day first."""
    return [(row, role) for row, role in session.execute(
        select(EventRow, Member.role).join(Member, Member.event_id == EventRow.id)
        .where(Member.organiser_id == organiser.id)
        .order_by(EventRow.day.desc(), EventRow.id))]


def add_owner(session: Session, row: EventRow, organiser: Organiser | int) -> None:
    """Make an account the owner of a new event (not committed)."""
    organiser_id = organiser if isinstance(organiser, int) else organiser.id
    session.add(Member(event_id=row.id, organiser_id=organiser_id, role="owner"))


def adopt_unowned(session: Session, organiser: Organiser) -> int:
    """Give the organiser the events that have no owner (loaded by `load-sample`, or kept from
    before there were any accounts); how many (committed)."""
    owned = select(Member.event_id).where(Member.role == "owner")
    orphans = list(session.scalars(select(EventRow.id).where(EventRow.id.not_in(owned))))
    for event_id in orphans:
        session.add(Member(event_id=event_id, organiser_id=organiser.id, role="owner"))
    session.commit()
    return len(orphans)
