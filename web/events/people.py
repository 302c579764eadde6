"""Organiser pages of an event's participants: one participant on a page of their own (add, edit,
remove, a new link), imports from a file through a preview, and every personal link at once.

Every change goes through `web.events.roster`, so the page, the import and the API refuse the
same things with the same sentences.
"""

from __future__ import annotations

import re
from typing import Any

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
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from web.accounts.access import current_event, member, requires
from web.accounts.views import organisers_only
from web.db import db
from web.db.models import EventRow, Participant, new_nonce
from web.events.imports import (
    DRAFT_HOURS,
    Preview,
    load_draft,
    preview,
    save_draft,
    summary,
    table_of,
    template_csv,
    template_xlsx,
)
from web.events.roster import COLUMNS, Entry, Plan, plan, store
from web.events.store import remove_participant
from web.events.tables import BadUpload, read_table, upload_name
from web.events.views import STALE, get_participant
from web.exports import csv_response
from web.i18n import joined
from web.participants.links import link_for, site_url
from web.publishing import mailings

bp = Blueprint("people", __name__, url_prefix="/events")
KINDS = ("startup", "investor")

organisers_only(bp)


def kind_of(value: str | None) -> str:
    """A participant kind from the request, or 400."""
    if value not in KINDS:
        abort(400, description=_("Choose startups or investors."))
    return value


def new_code(row: EventRow, kind: str, name: str) -> str:
    """An id for a participant added without one: made from the name's letters and digits
    (st-1, inv-1, ... when it has none), unused in the event."""
    stem = "-".join(re.findall(r"[a-z0-9]+", name.lower()))[:40].strip("-") or \
        ("st" if kind == "startup" else "inv")
    taken = {p.code for p in row.participants}
    if stem not in taken:
        return stem
    return next(f"{stem}-{n}" for n in range(2, len(taken) + 3) if f"{stem}-{n}" not in taken)


def posted(kind: str, participant: Participant | None) -> dict[str, Any]:
    """The form's values of a participant's columns (the id stays what it is when editing)."""
    values = {key: request.form.get(key, "") for key in COLUMNS[kind] if key != "id"}
    values["id"] = participant.code if participant is not None else \
        request.form.get("id", "").strip()
    return values


def shown(participant: Participant) -> dict[str, Any]:
    """A stored participant as the form shows it."""
    values = {key: getattr(participant, key if key != "id" else "code") for key in
              COLUMNS[participant.kind]}
    return {key: "" if value is None else value for key, value in values.items()} | {
        "version": participant.version}


def form_errors(planned: Plan) -> dict[str, str]:
    """A plan's problems next to their field; the others (about the rest of the event) above
    the form."""
    errors: dict[str, str] = {}
    others = []
    for problem in planned.problems:
        if problem.key and problem.line is None and problem.where is None:
            errors.setdefault(problem.key, problem.message)
        else:
            others.append(f"{problem.where}: {problem.message}" if problem.where
                          else problem.message)
    if others:
        errors[""] = joined(others)
    return errors


def save(row: EventRow, kind: str, participant: Participant | None) -> tuple[dict[str, str],
                                                                             str | None]:
    """Validate the posted participant as part of the event and store it; (errors, id)."""
    values = posted(kind, participant)
    if participant is not None and request.form.get("version") != str(participant.version):
        return {"": str(STALE)}, None
    if participant is None and not values["id"]:
        values["id"] = new_code(row, kind, str(values.get("name", "")))
    planned = plan(row, kind, [Entry(values)])
    if participant is None and planned.changed + planned.unchanged:
        return {"id": _("The id %(id)s is taken: give another one, or edit that participant "
                        "on their page.", id=values["id"])}, None
    if not planned.ok:
        return form_errors(planned), None
    store(row, planned)
    try:
        db().commit()
    except StaleDataError:
        db().rollback()
        return {"": str(STALE)}, None
    return {}, values["id"]


@bp.route("/<int:event_id>/participants/new", methods=["GET", "POST"])
@requires("edit")
def add(event_id: int) -> str | Response | tuple[str, int]:
    """Add one startup or investor."""
    row = current_event(event_id)
    kind = kind_of(request.values.get("kind"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors, code = save(row, kind, None)
        if code is not None:
            added = next(p for p in row.participants if p.code == code)
            flash(_("%(name)s added.", name=added.name))
            return redirect(url_for("events.show", event_id=event_id) + f"#p{added.id}")
    values = request.form if request.method == "POST" else {"min_meetings": 0}
    return render_template("people/edit.html", row=row, kind=kind, p=None, values=values,
                           errors=errors), 422 if errors else 200


@bp.route("/<int:event_id>/participants/<int:participant_id>", methods=["GET", "POST"])
@requires("edit")
def edit(event_id: int, participant_id: int) -> str | Response | tuple[str, int]:
    """One participant's page: change their name, address, organisation, field, description or
    meeting limits; give a new link; remove them."""
    row = current_event(event_id)
    participant = get_participant(row, participant_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors, code = save(row, participant.kind, participant)
        if code is not None:
            flash(_("%(name)s saved.", name=participant.name))
            return redirect(url_for("events.show", event_id=event_id) + f"#p{participant.id}")
    typed = request.method == "POST" and errors.get("") != str(STALE)
    values = dict(request.form) | {"id": participant.code} if typed else shown(participant)
    return render_template("people/edit.html", row=row, kind=participant.kind, p=participant,
                           values=values, errors=errors, link=link_for(participant)
                           ), 422 if errors else 200


@bp.route("/<int:event_id>/participants/<int:participant_id>/new-link", methods=["POST"])
@requires("edit")
def new_link(event_id: int, participant_id: int) -> Response:
    """Give a participant a new personal link; the old one stops working."""
    participant = get_participant(current_event(event_id), participant_id)
    participant.link_nonce = new_nonce()
    db().commit()
    flash(_("%(name)s has a new personal link; the old one no longer works.",
            name=participant.name))
    return redirect(request.form.get("back") or
                    url_for("events.show", event_id=event_id) + f"#p{participant.id}")


@bp.route("/<int:event_id>/participants/<int:participant_id>/delete", methods=["POST"])
@requires("edit")
def delete(event_id: int, participant_id: int) -> Response:
    """Remove a participant, and the wishes, avoids, required pairs and pins that name them."""
    row = current_event(event_id)
    participant = get_participant(row, participant_id)
    remove_participant(row, participant)
    db().commit()
    flash(_("%(name)s removed.", name=participant.name))
    return redirect(url_for("events.show", event_id=event_id))


def render_preview(row: EventRow, result: Preview, draft_id: int | None = None,
                   note: str | None = None) -> tuple[str, int]:
    """The import page with a file's preview (or its problems)."""
    return render_template("people/import.html", row=row, kind=result.kind, result=result,
                           draft_id=draft_id, note=note, errors={}, hours=DRAFT_HOURS,
                           columns=COLUMNS[result.kind]), 200 if result.ok else 422


@bp.route("/<int:event_id>/import", methods=["GET", "POST"])
@requires("edit")
def import_file(event_id: int) -> str | Response | tuple[str, int]:
    """Upload a CSV or xlsx file of startups or investors and preview what it would change:
    nothing is stored before the organiser confirms."""
    row = current_event(event_id)
    kind = kind_of(request.values.get("kind", "startup"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            errors = {"file": _("Choose a .csv or .xlsx file.")}
        else:
            filename = upload_name(upload.filename)
            try:
                table = read_table(filename, upload.stream, COLUMNS[kind])
            except BadUpload as e:
                errors = {"file": str(e)}
            else:
                result = preview(row, kind, filename, table)
                draft = save_draft(db(), row, member(), kind, filename, table) \
                    if result.ok else None
                return render_preview(row, result, draft.id if draft else None)
    return render_template("people/import.html", row=row, kind=kind, result=None, errors=errors,
                           hours=DRAFT_HOURS, columns=COLUMNS[kind]), 422 if errors else 200


@bp.route("/<int:event_id>/import/<int:draft_id>", methods=["POST"])
@requires("edit")
def confirm_import(event_id: int, draft_id: int) -> str | Response | tuple[str, int]:
    """Store a previewed file, removing the participants it does not name if ticked."""
    row = current_event(event_id)
    draft = load_draft(db(), row, member(), draft_id)
    if draft is None:
        flash(_("This preview has expired or was replaced by another file: upload the file "
                "again."), "error")
        return redirect(url_for("people.import_file", event_id=event_id,
                                kind=request.form.get("kind", "startup")))
    remove = request.form.get("remove_missing") == "on"
    result = preview(row, draft.kind, draft.filename, table_of(draft), remove_missing=remove)
    planned = result.plan
    if planned is None or not result.ok or \
            result.fingerprint() != request.form.get("fingerprint"):
        note = None if not result.ok else _(
            "The event changed since the preview: here is what the file would do now. "
            "Check it and confirm again.")
        return render_preview(row, result, draft.id if result.ok else None, note)
    store(row, planned)
    db().delete(draft)
    db().commit()
    counts = summary(planned)
    flash(_("Imported %(file)s: %(added)s added, %(changed)s changed, %(removed)s removed.",
            file=draft.filename, **counts))
    return redirect(url_for("events.show", event_id=event_id))


@bp.route("/<int:event_id>/template-<kind>.<ext>")
@requires("read")
def template(event_id: int, kind: str, ext: str) -> Response:
    """The import template for startups or investors, as CSV or xlsx."""
    current_event(event_id)
    if kind not in KINDS or ext not in ("csv", "xlsx"):
        abort(404)
    if ext == "csv":
        body: str | bytes = template_csv(kind)
        mimetype = "text/csv"
    else:
        body = template_xlsx(kind)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename={kind}s-template.{ext}"})


@bp.route("/<int:event_id>/links/send", methods=["POST"])
@requires("edit")
def send_links(event_id: int) -> Response:
    """E-mail every participant with an address their personal link (by the mail worker); the
    mailing's page follows it and lists those without an address."""
    row = current_event(event_id)
    started, problems = mailings.start_links(current_app, db(), row, site_url())
    if started is None:
        flash(_("No links were sent: %(reasons)s", reasons="; ".join(problems)), "error")
        return redirect(url_for("events.show", event_id=event_id) + "#links")
    flash(_("Every participant with an address is being sent their personal link."))
    return redirect(url_for("publishing.mailing", event_id=event_id, mailing_id=started.id))


@bp.route("/<int:event_id>/links.csv")
@requires("edit")
def links_csv(event_id: int) -> Response:
    """Every participant's personal link, with their name and address, as CSV (for a mail
    merge). Organisers only: a link lets its holder change the participant's answers."""
    row = current_event(event_id)
    header = [_("kind"), "id", _("name"), _("organisation"), _("e-mail"), _("personal link")]
    lines = [[_("startup") if p.kind == "startup" else _("investor"), p.code, p.name,
              p.organisation or "", p.email or "", link_for(p)] for p in row.participants]
    return csv_response([header, *lines], f"links-{row.id}.csv")
