"""Downloads of the published version's print kit: agendas with the QR code of each personal
link, table signs, the door list and the session matrix, in a language the organiser picks.

The PDF is streamed as `matcher.print` writes it, so that a large event's download starts at
once instead of after every page is laid out.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from matcher.i18n import LANGUAGES, SHORT
from matcher.print import kit
from web.accounts.access import can, current_event, requires
from web.accounts.views import organisers_only
from web.db import db
from web.events.store import published_version
from web.publishing.invites import agenda_links
from web.schedules.layout import layout
from web.schedules.views import get_version

bp = Blueprint("printing", __name__, url_prefix="/events/<int:event_id>")


organisers_only(bp)


def print_language() -> str:
    """The kit's language offered first: the page's own."""
    current = str(get_locale())
    return next((short for short, locale in SHORT.items() if locale == current), "en")


@bp.record_once
def add_globals(state: BlueprintSetupState) -> None:
    """The kit's languages for the timetable page: (short name, name in itself)."""
    app = state.app
    app.jinja_env.globals["PRINT_LANGUAGES"] = [(short, LANGUAGES[locale])
                                                for short, locale in SHORT.items()]
    app.jinja_env.globals["print_language"] = print_language


@bp.route("/versions/<int:number>/print")
@requires("read")
def download(event_id: int, number: int) -> Response:
    """One document of the published version's print kit (?kind=agendas|tables|door-list|matrix,
    ?lang=en|zh-Hant|zh-Hans) as a PDF download; without a kind, the timetable page, where the
    kit is chosen. Agendas carry QR codes of the personal links only for those who may hand
    them out: a link lets its holder change the participant's answers, so viewers get none."""
    row = current_event(event_id)
    version = get_version(row, number)
    kind, language = request.args.get("kind"), request.args.get("lang", "en")
    back = redirect(url_for("schedules.show", event_id=row.id, version=number))
    if kind is None:
        return back
    if version is None or kind not in kit.KINDS or language not in SHORT:
        abort(404)
    published = published_version(db(), row.id)
    if published is None or published.id != version.id:
        flash(_("Only the published version can be printed: it is the one participants see. "
                "Publish version %(number)s first, or print the published one.", number=number),
              "error")
        return back
    links = agenda_links(row) if kind == "agendas" and can("edit") else None
    laid = layout(version)  # kept: a trade show's 80,000 meetings are not read again
    pdf = kit.document(kind, laid.event, laid.schedule, language, links)
    filename = f"{kind}-{event_id}-v{number}-{language}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
