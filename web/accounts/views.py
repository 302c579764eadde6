"""Organiser accounts: log in and out, passwords hashed, API tokens for scripts."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import unquote, urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from web.db import db, get
from web.db.models import Organiser, new_nonce
from web.forms import LoginForm, validate
from web.i18n import keep_choice
from web.security import login_limits, unknown_account_hash

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("Please log in as an organiser to see this page.")
login_manager.localize_callback = str  # the message in the request's language, as a plain str


def organisers_only(blueprint: Blueprint) -> None:
    """Make every page of a blueprint need an organiser's login."""

    @blueprint.before_request
    @login_required
    def _logged_in() -> None:
        """Nothing more to check: login_required has sent anyone else to the login page."""


@login_manager.user_loader
def load_organiser(session_id: str) -> Organiser | None:
    """The logged-in organiser of a session cookie, while its session nonce is the account's
    (logging out replaces it, so an older cookie, even a copied one, no longer logs in)."""
    organiser_id, _colon, nonce = session_id.partition(":")
    organiser = get(Organiser, int(organiser_id)) if organiser_id.isdigit() else None
    if organiser is None or not hmac.compare_digest(organiser.session_nonce, nonce):
        return None
    return organiser


def create_organiser(session: Session, email: str, password: str) -> Organiser:
    """A new organiser account with a hashed password (committed)."""
    organiser = Organiser(email=email.strip().lower(), password_hash=generate_password_hash(password))
    session.add(organiser)
    session.commit()
    return organiser


def find_organiser(session: Session, email: str) -> Organiser | None:
    """The account of an e-mail address, in any letter case."""
    return session.scalars(select(Organiser).where(
        func.lower(Organiser.email) == email.strip().lower())).first()


def token_hash(token: str) -> str:
    """How an API token is stored: its SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_api_token(session: Session, organiser: Organiser) -> str:
    """Replace the organiser's API token with a new one and return it (shown once)."""
    token = "mt_" + secrets.token_urlsafe(32)
    organiser.api_token_hash = token_hash(token)
    session.commit()
    return token


def organiser_by_token(session: Session, token: str) -> Organiser | None:
    """The organiser an API token belongs to."""
    return session.scalars(select(Organiser).where(
        Organiser.api_token_hash == token_hash(token))).first()


def safe_next(target: str | None) -> str:
    r"""Where to go after logging in: only a path on this site, else the home page.

    Browsers drop tabs and newlines from a Location and read a backslash as a slash, so
    `/\t/evil.example` or `/\\evil.example` would leave the site: a target with any of them,
    or with their percent-encoded forms, or with a scheme or host of its own, is refused."""
    home = url_for("views.index")
    if not target:
        return home
    for text in (target, unquote(target)):
        if (not text.startswith("/") or text.startswith("//") or "\\" in text
                or any(c.isspace() or not c.isprintable() for c in text)):
            return home
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return home
    return target


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login() -> str | Response:
    """Log an organiser in; failures are throttled per account and per address."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        form, errors = validate(LoginForm, request.form.to_dict())
        if form is not None:
            organiser = find_organiser(db(), form.email)
            # A hash is checked for an unknown address too, so that the time taken does not
            # tell which addresses have an account.
            stored = organiser.password_hash if organiser else unknown_account_hash()
            if check_password_hash(stored, form.password) and organiser is not None:
                login_user(organiser)
                keep_choice(organiser)
                return redirect(safe_next(request.args.get("next")))
            errors = {"": _("Wrong e-mail address or password.")}
    return render_template("auth/login.html", errors=errors, values=request.form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out, ending every session of the account: a copy of the cookie no longer works."""
    if current_user.is_authenticated:
        current_user.session_nonce = new_nonce()
        db().commit()
    logout_user()
    flash(_("You are logged out."))
    return redirect(url_for("views.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> str:
    """The organiser's account: create (or replace) the API token."""
    token = None
    if request.method == "POST":
        if request.form.get("action") != "new-token":
            abort(400)
        token = new_api_token(db(), current_user)
    return render_template("auth/account.html", token=token)
