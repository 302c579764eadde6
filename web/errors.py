"""Pages for what went wrong: a styled page for every HTTP error outside the JSON API, that says
what happened and what to do next, in the reader's language.

Participants reach the site only through their personal links, so a link that does not work
(mistyped, cut short, or replaced by a newer one) tells them to ask the organiser for a new
link. A form too large to send says that what was typed is still in the browser: going back
finds it there (app.js also stops such a form before it leaves the page).
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


def participant_path() -> bool:
    """Whether the request came through a personal link or a calendar feed."""
    return request.path.startswith("/p/")


def not_found() -> tuple[str, str]:
    """Title and explanation of a 404."""
    if request.path.startswith("/p/feed/"):
        return (_("This calendar feed no longer works"),
                _("The organiser may have given you a new personal link, which replaces the "
                  "feed too. Open your new personal link and subscribe again from it; if you "
                  "have none, ask the organiser for a new link."))
    if participant_path():
        return (_("This personal link does not work"),
                _("It may be mistyped or cut short (copy the whole link from the message you "
                  "received), or the organiser may have replaced it with a new one. Ask the "
                  "organiser for a new link."))
    return (_("There is no such page"),
            _("The address may be mistyped, or the page belongs to an event whose team you "
              "are not in. Go back, or start again from the home page."))


def explained(error: HTTPException) -> tuple[str, str]:
    """Title and explanation of an HTTP error, for people."""
    code = error.code or 500
    custom = error.description != type(error).description  # a view's own words
    if code == 404 and custom and participant_path():
        return _("Not available yet"), str(error.description)
    if code == 404:
        return not_found()
    if code == 413:
        most = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) / 1_000_000
        return (_("What you sent is too large"),
                _("This server takes at most %(most)s MB at once, so nothing was saved. What "
                  "you typed is still in your browser: go back, shorten it (or send a smaller "
                  "file) and try again.", most=format(most, "g")))
    if code == 403:
        return _("Not allowed"), str(error.description) if custom else \
            _("Your account may not do this. Ask the event's owner if you need to.")
    if isinstance(error, CSRFError):  # Flask-WTF's own words are English only
        return (_("This form has expired"),
                _("Its security token (CSRF) is missing or out of date, so nothing was saved. "
                  "Go back, reload the page and send the form again."))
    if code == 400:
        again = _("The page may be out of date. Go back, reload the page and try again.")
        return (_("This request could not be understood"),
                f"{error.description} {again}" if custom else again)
    if code == 405:
        return (_("This address does not take that"),
                _("Go back and use the page's own buttons and links."))
    if code >= 500:
        return (_("Something went wrong on our side"),
                _("This request was not completed. Go back and try again in a moment; if it "
                  "happens again, tell the organiser."))
    return error.name, str(error.description) if custom else ""


def page(error: HTTPException) -> tuple[str, int]:
    """The styled page of an HTTP error."""
    title, text = explained(error)
    code = error.code or 500
    return render_template("errors/error.html", code=code, title=title, text=text,
                           participant=participant_path()), code


def _http_error(error: HTTPException) -> HTTPException | tuple[str, int]:
    """Every HTTP error outside the API gets its page (the API answers in JSON itself; its
    handler of unrouted addresses, 404 and 405, hands the others to `page`)."""
    if request.path.startswith("/api/"):
        return error
    return page(error)


def _unexpected(error: InternalServerError) -> tuple[str, int]:
    """An exception no view handled: logged by Flask, a page for the reader."""
    return page(error)


def init_app(app: Flask) -> None:
    """Register the error pages."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _unexpected)
