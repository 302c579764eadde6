"""Settings from environment variables, with defaults that need nothing installed."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

INSTANCE = Path(os.environ.get("MATCHER_INSTANCE", Path(__file__).resolve().parents[1] / "instance"))


def database_url(url: str | None) -> str:
    """The SQLAlchemy URL: a SQLite file by default; postgresql:// URLs use psycopg 3."""
    if not url:
        return f"sqlite:///{INSTANCE / 'matcher.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def secret_key() -> str:
    """SECRET_KEY, or a random key kept in the instance folder so links survive a restart."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Production and `make run` settings, each overridable by an environment variable."""

    SECRET_KEY = os.environ.get("SECRET_KEY")  # None: `secret_key()` fills it in create_app
    DATABASE_URL = database_url(os.environ.get("DATABASE_URL"))
    # Seconds a generation may run; organisers pick up to the maximum.
    SOLVE_TIME_LIMIT = float(os.environ.get("SOLVE_TIME_LIMIT", "30"))
    SOLVE_TIME_LIMIT_MAX = float(os.environ.get("SOLVE_TIME_LIMIT_MAX", "600"))
    SOLVE_WORKERS = int(os.environ.get("SOLVE_WORKERS", "2"))
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024  # uploads: CSV and xlsx files are small
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # a form left open on a phone all afternoon still submits
    PUBLIC_URL = os.environ.get("PUBLIC_URL")  # for links shown to organisers, e.g. behind a proxy


class TestConfig(Config):
    """Tests: a throwaway database, no CSRF unless a test turns it on, short solves."""

    TESTING = True
    SECRET_KEY = "test-secret"
    DATABASE_URL = "sqlite://"  # each test gives its own file
    WTF_CSRF_ENABLED = False
    SOLVE_TIME_LIMIT = 2.0
    SOLVE_TIME_LIMIT_MAX = 5.0
