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


def env_int(name: str, default: int) -> int:
    """A whole number of at least 1 from the environment, or the default when unset; a clear
    message (and exit) when it is something else."""
    text = os.environ.get(name)
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise SystemExit(f"error: {name} must be a whole number of at least 1, not {text!r}")
    return int(text)


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


def flag(name: str, default: bool) -> bool:
    """A yes/no setting: 1, true, yes or on for yes; 0, false, no or off for no."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} is {value!r}: give true or false")


def names(name: str) -> list[str] | None:
    """A comma-separated list setting, or None when unset."""
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or None


PUBLIC_URL = os.environ.get("PUBLIC_URL") or None
HTTPS = bool(PUBLIC_URL and PUBLIC_URL.startswith("https://"))
LOOPBACK = ["localhost", "127.0.0.1", "::1"]


class Config:
    """Production and `make run` settings, each overridable by an environment variable."""

    SECRET_KEY = os.environ.get("SECRET_KEY")  # None: `secret_key()` fills it in create_app
    DATABASE_URL = database_url(os.environ.get("DATABASE_URL"))
    # Seconds a generation may run; organisers pick up to the maximum.
    SOLVE_TIME_LIMIT = float(os.environ.get("SOLVE_TIME_LIMIT", "30"))
    SOLVE_TIME_LIMIT_MAX = float(os.environ.get("SOLVE_TIME_LIMIT_MAX", "600"))
    SOLVE_WORKERS = int(os.environ.get("SOLVE_WORKERS", "2"))
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024  # uploads: CSV and xlsx files are small
    WTF_CSRF_TIME_LIMIT = None  # a form left open on a phone all afternoon still submits
    # The site's address: every link given to people (personal links, calendar feeds, e-mails)
    # starts with it. Unset, links use the request's host, which must then be a trusted one.
    PUBLIC_URL = PUBLIC_URL
    # Host names the site answers to; any other Host header gets 400. Default: anything when
    # PUBLIC_URL is set (links never use the Host header then), else only this machine.
    TRUSTED_HOSTS = names("TRUSTED_HOSTS") or (None if PUBLIC_URL else LOOPBACK)
    # Cookies: Secure by default when the site is served over https.
    SESSION_COOKIE_SECURE = flag("SESSION_COOKIE_SECURE", HTTPS)
    SESSION_COOKIE_SAMESITE = os.environ.get("SESSION_COOKIE_SAMESITE", "Lax")
    SESSION_COOKIE_NAME = os.environ.get("SESSION_COOKIE_NAME", "session")
    SESSION_COOKIE_HTTPONLY = True
    # Redirect http to https (when no proxy in front does) and ask browsers to stay on https.
    FORCE_HTTPS = flag("FORCE_HTTPS", False)
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000"))
    # Proxies in front of the app whose X-Forwarded-For and -Proto are to be believed.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    # Failed logins allowed per account and per client address; where the counts are kept:
    # memory:// counts within one process, redis://host:6379 across several.
    LOGIN_LIMIT_ACCOUNT = os.environ.get("LOGIN_LIMIT_ACCOUNT", "10 per 15 minutes")
    LOGIN_LIMIT_ADDRESS = os.environ.get("LOGIN_LIMIT_ADDRESS", "30 per 15 minutes")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Where solves and mailings wait for a worker: "postgres" (procrastinate, run by `matcher
    # worker` processes) or "inline" (threads of the web process); unset, "postgres" with a
    # PostgreSQL database and "inline" otherwise.
    JOB_QUEUE = os.environ.get("MATCHER_JOBS")


class TestConfig(Config):
    """Tests: a throwaway database, no CSRF unless a test turns it on, short solves."""

    TESTING = True
    SECRET_KEY = "test-secret"
    DATABASE_URL = "sqlite://"  # each test gives its own file
    WTF_CSRF_ENABLED = False
    # Small events are solved in well under a second and end then; the limit only tells on a
    # busy machine, where too little time fails a solve that has not found its timetable yet.
    SOLVE_TIME_LIMIT = 5.0
    SOLVE_TIME_LIMIT_MAX = 5.0
