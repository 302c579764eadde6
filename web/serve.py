"""`matcher serve`: the web app under gunicorn, for production (`make run` uses Flask's own
server). Each setting comes from its option, else from the environment, else a default; any
other gunicorn setting can be given in GUNICORN_CMD_ARGS."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from web.config import env_int


def default_workers() -> int:
    """Web processes: gunicorn's rule of thumb, two per core and one more."""
    return 2 * (os.cpu_count() or 1) + 1


def settings(bind: str | None, workers: int | None, threads: int | None) -> dict[str, Any]:
    """gunicorn's settings from the options, then MATCHER_BIND, MATCHER_WEB_WORKERS and
    MATCHER_WEB_THREADS, then the defaults (loopback, for a TLS proxy in front)."""
    env = os.environ
    return {
        "bind": [bind or env.get("MATCHER_BIND") or f"127.0.0.1:{env.get('PORT', '8000')}"],
        "workers": workers or env_int("MATCHER_WEB_WORKERS", default_workers()),
        # Threads let one process answer page views while another request waits on the
        # database; the progress page polls every second.
        "worker_class": "gthread",
        "threads": threads or env_int("MATCHER_WEB_THREADS", 4),
        "timeout": 60,
        # A proxy or load balancer in front keeps idle connections to the app open for up to
        # 60 s (nginx's keepalive_timeout, cloud load balancers' idle timeout) and reuses
        # them; the app must keep them open longer, or a request sent just as it closes one
        # fails with 502 (gunicorn's default is 2 s).
        "keepalive": 75,
        "graceful_timeout": 30,
        "accesslog": "-",
        "errorlog": "-",
        # The app is loaded in each process after the fork: its database pool and any
        # in-process job threads belong to that process alone.
        "preload_app": False,
        # gunicorn 24+ opens a control socket in the home folder, which a second server on
        # the same machine would take over; nothing here uses it.
        "control_socket_disable": True,
    }


class Server(BaseApplication):
    """gunicorn serving `web.create_app()` with the given settings."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Our settings first, then GUNICORN_CMD_ARGS (e.g. `--forwarded-allow-ips`) on top."""
        for key, value in self.options.items():
            if key in self.cfg.settings:  # an older gunicorn lacks the newest settings
                self.cfg.set(key, value)
        parser = self.cfg.parser()
        from_env = parser.parse_args(self.cfg.get_cmd_args_from_env())
        for key, value in vars(from_env).items():
            if value is not None and key != "args":
                self.cfg.set(key.lower(), value)

    def load(self) -> Flask:
        """The app, created in each web process."""
        from web import create_app

        return create_app()


def serve(bind: str | None = None, workers: int | None = None, threads: int | None = None,
          ) -> int:
    """Run the web app until stopped (SIGTERM or Ctrl-C); an exit code."""
    Server(settings(bind, workers, threads)).run()
    return 0
