"""The site's defences that are settings rather than pages, in one place: the proxies to believe,
the security headers of every response (Flask-Talisman), login throttling (Flask-Limiter) and
the answer to a write that lost a race with another (409). Hosts are checked by Flask itself
(TRUSTED_HOSTS, see `web.config`)."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import generate_password_hash
from werkzeug.wrappers import Response

from web.db import db

# Every script and style of the pages is a file of /static: nothing inline, nothing elsewhere.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
PERMISSIONS = {"camera": "()", "microphone": "()", "geolocation": "()", "payment": "()",
               "usb": "()", "interest-cohort": "()"}

F = TypeVar("F", bound=Callable[..., Any])
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)
talisman = Talisman()


def init_app(app: Flask) -> None:
    """Attach the proxies' headers, the security headers, the login limits and the 409 answer."""
    proxies = app.config["PROXY_COUNT"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    talisman.init_app(
        app, force_https=app.config["FORCE_HTTPS"], content_security_policy=CSP,
        frame_options="DENY", referrer_policy="same-origin",  # CSRF checks the Referer on https
        strict_transport_security_max_age=app.config["HSTS_SECONDS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        permissions_policy=PERMISSIONS, x_xss_protection=False)
    limiter.init_app(app)
    app.after_request(kept_private)
    app.register_error_handler(SecurityError, untrusted_host)
    app.register_error_handler(RateLimitExceeded, too_many_logins)
    app.register_error_handler(StaleDataError, conflict)
    app.register_error_handler(IntegrityError, conflict)


def kept_private(response: Response) -> Response:
    """Tell browsers and proxies to keep no copy of an answer (a participant's page, an
    organiser's export, a calendar, the API's personal links), for the next user of a shared
    computer or proxy to find; the site's own files hold nothing of anyone, and an answer that
    states its own caching keeps it."""
    if request.endpoint != "static" and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def login_account() -> str:
    """The key of the account a login names: its e-mail address (known or not)."""
    return "account:" + request.form.get("email", "").strip().lower()[:254]


def failed_login(response: Response) -> bool:
    """A login that did not succeed (a success redirects)."""
    return response.status_code != 302


def login_limits(view: F) -> F:
    """Throttle failed logins per account and per client address (successes are not
    counted): past the limit, a login answers 429 until the window moves on."""
    per_address = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"],
                                methods=["POST"], deduct_when=failed_login,
                                scope="login-address")
    per_account = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"],
                                key_func=login_account, methods=["POST"],
                                deduct_when=failed_login, scope="login-account")
    return per_address(per_account(view))  # type: ignore[return-value]


@functools.cache
def unknown_account_hash() -> str:
    """A password hash of no account, checked when a login names an unknown address, so that
    the answer takes as long as for a known one and does not tell which addresses exist."""
    return generate_password_hash(secrets.token_urlsafe(16))


def untrusted_host(error: SecurityError) -> ResponseReturnValue:
    """400 for a Host header not in TRUSTED_HOSTS, as plain text: a page would build its links
    from that very host."""
    return Response(_("This site is not served under that host name."), 400,
                    mimetype="text/plain")


def too_many_logins(error: RateLimitExceeded) -> ResponseReturnValue:
    """429 with when to try again (Flask-Limiter adds Retry-After): the login page again."""
    current = limiter.current_limit
    reset = datetime.fromtimestamp(current.reset_at, UTC) if current else datetime.now(UTC)
    minutes = max(1, -(-int((reset - datetime.now(UTC)).total_seconds()) // 60))
    message = _("Too many failed logins: try again in %(minutes)s minutes (after %(time)s UTC).",
                minutes=minutes, time=reset.strftime("%H:%M"))
    return render_template("auth/login.html", errors={"": message},
                           values=request.form), 429


def conflict(error: Exception) -> ResponseReturnValue:
    """409 for a write that lost a race with another (a row changed or added meanwhile): the
    change is not saved, and the answer says so instead of failing."""
    db().rollback()
    message = _("Someone else changed this at the same moment, so your change was not saved. "
                "Reload the page and make it again.")
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "problems": []}), 409
    return render_template("errors/error.html", code=409, title=_("Your change was not saved"),
                           text=message, participant=request.path.startswith("/p/")), 409
