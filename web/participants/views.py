"""Personal pages of investors and startups: their form while it is open, their agenda once a
timetable is published. The signed token in the link is the only key; it opens one participant."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, lazy_gettext
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from web.accounts.access import actor, allows, role_in
from web.db import db
from web.db.models import Participant, ScheduleVersion, now
from web.events.store import problems_of, published_version, schedule_of, snapshot_of
from web.forms import InvestorAnswers, LanguageForm, RatingForm, StartupAnswers, validate
from web.i18n import current_language, remember
from web.onsite import outcomes
from web.onsite.attendance import ended, presences
from web.onsite.outcomes import CHOICES, choice_of, ratings_of
from web.participants.links import FEED_SALT, feed_for, participant_for, webcal
from web.publishing.invites import ics_response, participant_calendar
from web.schedules.layout import layout
from web.schedules.timetable import unmet_wishes

bp = Blueprint("participant", __name__, url_prefix="/p")
STALE = lazy_gettext("Your answers were changed in another window since this page was opened, so "
                     "this change was not saved. Here are the answers as they are now: make your "
                     "change again.")


def get_participant(token: str) -> Participant:
    """The participant of a personal link, or 404 (a wrong link says no more than that)."""
    participant = participant_for(db(), token)
    if participant is None:
        abort(404)
    g.person_language = participant.language  # their page speaks it unless this browser chose
    return participant


def posted(p: Participant) -> dict[str, Any]:
    """The form's inputs gathered into the shape of its pydantic model."""
    form = request.form
    data: dict[str, Any] = {"available": form.getlist("available"),
                            "version": form.get("version", "")}
    others = [o.code for o in p.event.participants if o.kind != p.kind]
    data["choices"] = {code: form.get(f"choice-{code}", "") for code in others}
    if p.kind == "investor":
        data["interests"] = {f: form.get(f"interest-{f}", "0") for f in p.event.fields}
        data["max_meetings"] = form.get("max_meetings", "")
    return data


def apply(p: Participant, answers: InvestorAnswers | StartupAnswers) -> None:
    """Copy validated answers onto the participant."""
    slots = [s["id"] for s in p.event.slots]
    p.unavailable = [s for s in slots if s not in set(answers.available)]
    p.wishes = answers.wishes()
    if isinstance(answers, InvestorAnswers):
        p.interests = {f: n for f, n in answers.interests.items() if n}
        p.avoid = answers.avoid()
        p.max_meetings = answers.max_meetings
    p.answered_at = now()
    # Someone who answers in a language reads their e-mails in it, until they choose another.
    p.language = p.language or current_language()


def save(p: Participant) -> dict[str, str]:
    """Validate and save the posted answers; the errors per field (empty when saved)."""
    model: type[InvestorAnswers] | type[StartupAnswers] = \
        InvestorAnswers if p.kind == "investor" else StartupAnswers
    answers, errors = validate(model, posted(p))
    if answers is None:
        return errors
    if answers.version != p.version:
        return {"": str(STALE)}
    before = set(problems_of(p.event))
    apply(p, answers)
    new = [problem for problem in problems_of(p.event) if problem not in before]
    if new:
        db().rollback()
        return {"": _("These answers cannot be saved: %(problems)s", problems="; ".join(new))}
    try:
        db().commit()
    except StaleDataError:
        db().rollback()
        return {"": str(STALE)}
    return {}


@bp.route("/<token>", methods=["GET", "POST"])
def form(token: str) -> str | Response | tuple[str, int]:
    """The participant's page: agenda (once published) and answers (editable while open)."""
    p = get_participant(token)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not p.event.form_open:
            errors = {"": _("The organiser has closed the form: answers can no longer be "
                            "changed.")}
        else:
            errors = save(p)
            if not errors:
                flash(_("Thank you: your answers are saved. You can change them until the "
                        "organiser closes the form."))
                return redirect(url_for("participant.form", token=token))
            p = get_participant(token)
    version = published_version(db(), p.event_id)
    context: dict[str, Any] = {"version": version, "lines": None}
    if version is not None:
        # The version as the organiser's pages keep it: a trade show's 80,000 meetings are not
        # read again for each of its 3,800 participants' pages.
        laid = layout(version)
        event = laid.event
        feed = feed_for(p)
        context |= {"lines": laid.agenda(p.code),
                    "unmet": unmet_wishes(event, laid.schedule, p.code, laid.explainer,
                                          audience="participant", language=str(get_locale())),
                    "feed": feed, "webcal": webcal(feed),
                    "to_rate": [laid.entry(m) for m in laid.of.get(p.code, ())
                                if laid.known(m) and ended(event, laid.slots[m.slot].end)],
                    "answers": {uid: choice_of(r) for uid, r in ratings_of(db(), p).items()},
                    "choices": CHOICES}
    context["desk"] = desk_of(p)
    others = [o for o in p.event.participants if o.kind != p.kind]
    # A failed POST shows what was typed; otherwise the stored answers.
    typed = request.method == "POST" and errors.get("") != str(STALE)
    return render_template("participant/form.html", p=p, event=p.event, others=others,
                           errors=errors, token=token, shown=posted(p) if typed else stored(p),
                           **context), 422 if errors else 200


@bp.route("/<token>/language", methods=["POST"])
def language(token: str) -> Response:
    """The language switch of a personal page: kept on the participant's row, so that their
    e-mails and calendar texts use it too."""
    p = get_participant(token)
    form, _errors = validate(LanguageForm, request.form.to_dict())
    if form is None:
        abort(400)
    remember(form.lang)
    p.language = form.lang
    db().commit()
    return redirect(url_for("participant.form", token=token))


def desk_of(p: Participant) -> dict[str, Any] | None:
    """For an organiser who may change the event (say, at the desk, having scanned the QR code
    of a printed agenda with a phone's camera): the participant's presence, to mark it here."""
    account = actor()
    if account is None or not allows(role_in(db(), account, p.event_id), "edit"):
        return None
    found = presences(db(), p.event_id).get(p.id)
    return {"status": found.status if found else None}


@bp.route("/<token>/rating", methods=["POST"])
def rate(token: str) -> Response:
    """A participant's answer about one of their own meetings, once it has ended."""
    p = get_participant(token)
    version = published_or_404(p)
    form, _errors = validate(RatingForm, request.form.to_dict())
    if form is None:
        abort(400)
    try:
        outcomes.rate(db(), p, snapshot_of(version), schedule_of(version), form.uid, form.choice)
    except outcomes.NotRatable:
        abort(404)  # not one of their meetings (or not over yet): nothing to say about others'
    flash(_("Thank you: your answer is saved."))
    return redirect(url_for("participant.form", token=token) + "#ratings")


def published_or_404(p: Participant) -> ScheduleVersion:
    """The version participants see, or 404 while none is published."""
    version = published_version(db(), p.event_id)
    if version is None:
        abort(404, description=_("The organiser has not published the timetable yet: your "
                                 "meetings will be here once it is."))
    return version


@bp.route("/<token>/meetings.ics")
def download(token: str) -> Response:
    """The participant's meetings in the published timetable, as a calendar file to import."""
    p = get_participant(token)
    return ics_response(participant_calendar(p.event, published_or_404(p), p.code),
                        f"{p.code}.ics")


@bp.route("/feed/<token>.ics")
def feed(token: str) -> Response:
    """The participant's calendar feed: calendar apps fetch it again and again, and it always
    holds the latest published timetable. Its token opens nothing else."""
    p = participant_for(db(), token, FEED_SALT)
    if p is None:
        abort(404)
    return ics_response(participant_calendar(p.event, published_or_404(p), p.code))


def stored(p: Participant) -> dict[str, Any]:
    """The stored answers in the shape of `posted`, for showing in the form."""
    return {"available": [s["id"] for s in p.event.slots if s["id"] not in set(p.unavailable)],
            "version": p.version, "max_meetings": "" if p.max_meetings is None else p.max_meetings,
            "interests": {f: str(p.interests.get(f, 0)) for f in p.event.fields},
            "choices": {o.code: "avoid" if o.code in p.avoid else str(p.wishes.get(o.code, ""))
                        for o in p.event.participants if o.kind != p.kind}}
