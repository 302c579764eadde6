"""Organiser pages that reach participants: publish a version, see whom a new version affects,
e-mail the invitations and follow the sending."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.accounts.access import current_event, requires
from web.accounts.views import organisers_only
from web.db import db, get
from web.db.models import EventRow, Mailing, ScheduleVersion
from web.events.store import publish, published_version, schedule_of, snapshot_of
from web.events.views import of_event
from web.forms import PublishForm, validate
from web.i18n import joined
from web.participants.links import site_url
from web.publishing import mailings
from web.publishing.diffs import per_person
from web.schedules.views import baseline, get_version

bp = Blueprint("publishing", __name__, url_prefix="/events/<int:event_id>")


organisers_only(bp)


def start_sending(row: EventRow, version: ScheduleVersion, form: PublishForm,
                  done: str) -> Response:
    """Queue the e-mails and go to their progress; if they cannot go, say why after `done`."""
    mailing, problems = mailings.start(current_app, db(), row, version, form.scope,
                                       site_url())
    if mailing is None:
        flash(joined((done, _("No invitations were sent: %(problems)s",
                             problems="; ".join(problems)))), "error")
        return redirect(url_for("schedules.show", event_id=row.id, version=version.number))
    flash(joined((done, _("The invitations are being sent."))))
    return redirect(url_for("publishing.mailing", event_id=row.id, mailing_id=mailing.id))


@bp.route("/versions/<int:number>/publish", methods=["GET", "POST"])
@requires("edit")
def publish_version(event_id: int, number: int) -> str | Response:
    """Publish a version: participants now see it; earlier published versions are kept. Sending
    the invitations is a choice, and their failure never undoes the publication. The page
    (GET) first says who will be told and how; its button publishes (POST)."""
    row = current_event(event_id)
    version = get_version(row, number)
    if version is None:
        abort(404)
    if request.method == "GET":
        return confirm_page(row, version)
    form, _errors = validate(PublishForm, request.form.to_dict())
    if form is None or version is None:
        abort(400)
    publish(db(), version)
    done = _("Version %(number)s is published: participants see it on their personal pages.",
             number=number)
    if form.send:
        return start_sending(row, version, form, done)
    flash(done)
    return redirect(url_for("schedules.show", event_id=event_id, version=number))


def confirm_page(row: EventRow, version: ScheduleVersion) -> str:
    """Who publishing a version tells what, and how: each person whose meetings change (all
    with meetings, the first time), with their e-mail address or the lack of one."""
    published = published_version(db(), row.id)
    against = baseline(version, published)
    event, schedule = snapshot_of(version), schedule_of(version)
    if against is not None:
        diff, people = per_person(snapshot_of(against), schedule_of(against), event, schedule)
    else:
        nothing = schedule.model_copy(update={"meetings": ()})
        diff, people = per_person(event, nothing, event, schedule)
    addresses = {p.code: p.email for p in row.participants}
    everyone = len(event.startups) + len(event.investors)
    return render_template("publishing/confirm.html", row=row, version=version,
                           published=published, baseline=against, diff=diff, people=people,
                           addresses=addresses, unaffected=max(0, everyone - len(people)),
                           mail_problem=mailings.mail_problem(row))


@bp.route("/versions/<int:number>/send", methods=["POST"])
@requires("edit")
def send_version(event_id: int, number: int) -> Response:
    """E-mail the invitations of the version participants see (when it was published without)."""
    row = current_event(event_id)
    version = get_version(row, number)
    form, _errors = validate(PublishForm, request.form.to_dict())
    if form is None or version is None:
        abort(400)
    published = published_version(db(), row.id)
    if published is None or published.id != version.id:
        flash(_("Version %(number)s is not the one participants see: publish it first.",
                number=number), "error")
        return redirect(url_for("schedules.show", event_id=event_id, version=number))
    return start_sending(row, version, form, "")


@bp.route("/versions/<int:number>/changes")
@requires("read")
def changes(event_id: int, number: int) -> str:
    """Whom a version affects: each person's moved, new and cancelled meetings against the
    published version (or, for the published one, the version published before it)."""
    row = current_event(event_id)
    version = get_version(row, number)
    if version is None:
        abort(404)
    published = published_version(db(), row.id)
    usual = baseline(version, published)
    compared = request.args.get("against", type=int)
    against = usual if compared is None else get_version(row, compared)
    context: dict[str, object] = {"row": row, "version": version, "against": against,
                                  "published": published, "baseline": usual,
                                  "mail_problem": mailings.mail_problem(row)}
    if against is not None:
        diff, people = per_person(snapshot_of(against), schedule_of(against),
                                  snapshot_of(version), schedule_of(version))
        context |= {"diff": diff, "people": people}
    return render_template("publishing/changes.html", **context)


def names(*versions: ScheduleVersion | None) -> dict[str, str]:
    """Participant id -> name in the events of these versions (the later ones win)."""
    found: dict[str, str] = {}
    for version in versions:
        if version is not None:
            event = snapshot_of(version)
            found |= {p.id: p.name for p in event.participants}
    return found


def get_mailing(row: EventRow, mailing_id: int) -> Mailing:
    """A mailing of this event, or 404."""
    return of_event(row, Mailing, mailing_id)


@bp.route("/mailings/<int:mailing_id>")
@requires("read")
def mailing(event_id: int, mailing_id: int) -> str:
    """A mailing's progress and outcome: who got mail, who has no address, what failed and why."""
    row = current_event(event_id)
    found = get_mailing(row, mailing_id)
    version = get(ScheduleVersion, found.version_id or 0)
    previous = get(ScheduleVersion, found.previous_version_id or 0)
    # A mailing of personal links has no version: its people are the event's.
    people = names(previous, version) if version is not None else \
        {p.code: p.name for p in row.participants}
    return render_template("publishing/mailing.html", row=row, mailing=found, version=version,
                           names=people, problem=mailings.mail_problem(row),
                           recipients=mailings.recipients(found.results),
                           retried_by=mailings.retried_by(db(), found),
                           statuses=mailings.STATUSES)


@bp.route("/mailings/<int:mailing_id>/retry", methods=["POST"])
@requires("edit")
def retry(event_id: int, mailing_id: int) -> Response:
    """Send again the messages of a mailing that were not sent."""
    row = current_event(event_id)
    found = get_mailing(row, mailing_id)
    if found.active:
        flash(_("These invitations are still being sent."), "error")
        return redirect(url_for("publishing.mailing", event_id=event_id, mailing_id=mailing_id))
    later = mailings.retried_by(db(), found)
    if later is not None:
        flash(_("These invitations were retried already: here is that retry."), "error")
        return redirect(url_for("publishing.mailing", event_id=event_id, mailing_id=later.id))
    again, problems = mailings.retry(current_app, db(), row, found)
    if again is None:
        flash(_("Not retried: %(problems)s", problems="; ".join(problems)), "error")
        return redirect(url_for("publishing.mailing", event_id=event_id, mailing_id=mailing_id))
    flash(_("Sending the messages that were not sent."))
    return redirect(url_for("publishing.mailing", event_id=event_id, mailing_id=again.id))
