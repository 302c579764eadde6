"""The web app: organisers prepare, generate and publish an event; participants answer and read
their agenda through personal links."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_wtf import CSRFProtect

from web import db, errors, i18n, security, wording, worker
from web.accounts import access
from web.accounts import views as auth
from web.config import Config, secret_key

csrf = CSRFProtect()


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """The application factory: settings, database, login, CSRF, worker, blueprints, commands."""
    app = Flask(__name__)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key()

    db.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    wording.init_app(app)
    errors.init_app(app)
    auth.login_manager.init_app(app)
    csrf.init_app(app)

    from web import commands
    from web.api import views as api
    from web.events import people
    from web.events import views as events
    from web.health import views as health
    from web.home import views as home
    from web.onsite import views as onsite
    from web.participants import views as participant
    from web.printing import views as printing
    from web.publishing import views as publishing
    from web.schedules import views as schedules
    from web.team import views as team

    for module in (home, auth, events, people, team, schedules, publishing, printing, onsite,
                   participant, api, health):
        app.register_blueprint(module.bp)
    csrf.exempt(api.bp)  # the API authenticates by token, not by cookie
    access.check_routes(app)
    app.jinja_env.globals["can"] = access.can
    commands.init_app(app)
    worker.init_app(app)  # after the blueprints: their modules register the kinds of work
    return app
