"""An event's team: who may read or change it. Its owner adds organiser accounts by e-mail,
as organisers (who change the event) or viewers (who read it), changes their role, and
removes them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from web.accounts.access import current_event, requires
from web.accounts.views import find_organiser, organisers_only
from web.db import db
from web.db.models import Member
from web.events.views import of_event
from web.forms import MemberForm, validate

bp = Blueprint("team", __name__, url_prefix="/events/<int:event_id>/team")


organisers_only(bp)


def members(event_id: int) -> list[Member]:
    """The event's team: the owner first, then by when they joined."""
    found = db().scalars(select(Member).where(Member.event_id == event_id).order_by(Member.id))
    return sorted(found, key=lambda m: m.role != "owner")


@bp.route("", methods=["GET"])
@requires("read")
def show(event_id: int) -> str:
    """The team, and for the owner the form that adds to it."""
    return render_template("team/show.html", row=current_event(event_id),
                           members=members(event_id), errors={}, values={})


@bp.route("", methods=["POST"])
@requires("manage")
def add(event_id: int) -> str | Response | tuple[str, int]:
    """Add an organiser account to the team with a role, or change the role of a member."""
    row = current_event(event_id)
    form, errors = validate(MemberForm, request.form.to_dict())
    if form is not None:
        account = find_organiser(db(), form.email)
        if account is None:
            errors = {"email": _("No organiser account uses this address. Accounts are made by "
                                 "the server's administrator (matcher create-organiser); add "
                                 "them once theirs exists.")}
        else:
            member = db().scalar(select(Member).where(Member.event_id == row.id,
                                                      Member.organiser_id == account.id))
            if member is not None and member.role == "owner":
                errors = {"email": _("%(email)s owns this event.", email=account.email)}
            else:
                if member is None:
                    db().add(Member(event_id=row.id, organiser_id=account.id, role=form.role))
                else:
                    member.role = form.role
                db().commit()
                flash(_("%(email)s is now an organiser of this event: they can change it.",
                        email=account.email) if form.role == "organiser" else
                      _("%(email)s is now a viewer of this event: they can read it, not change "
                        "it.", email=account.email))
                return redirect(url_for("team.show", event_id=row.id))
    return render_template("team/show.html", row=row, members=members(event_id), errors=errors,
                           values=request.form), 422


@bp.route("/<int:member_id>/remove", methods=["POST"])
@requires("manage")
def remove(event_id: int, member_id: int) -> Response:
    """Remove a member from the team (the owner stays)."""
    member = of_event(current_event(event_id), Member, member_id)
    if member.role == "owner":
        abort(400, description=_("The owner cannot be removed from the team."))
    email = member.organiser.email
    db().delete(member)
    db().commit()
    flash(_("%(email)s is no longer in this event's team.", email=email))
    return redirect(url_for("team.show", event_id=event_id))
