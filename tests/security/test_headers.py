"""Security headers on every response, cookie flags settable by environment, and links built
only from PUBLIC_URL or a trusted host, never from a forged Host header."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest
from flask import Flask

from tests.security.conftest import Visitor, World
from tests.webapp.conftest import EMAIL, PASSWORD

Visit = Callable[..., Visitor]
HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin"}


def test_every_kind_of_response_carries_the_headers(world: World, visit: Visit) -> None:
    owner, anonymous = visit(), visit()
    owner.login(EMAIL)
    answers = [anonymous.get("/"), anonymous.get("/login"), anonymous.get("/static/app.js"),
               anonymous.get("/static/style.css"), anonymous.get("/nowhere"),
               anonymous.get("/p/not-a-token"), anonymous.get("/api/events"),
               anonymous.get("/api/openapi.json"), anonymous.post("/logout"),
               owner.get(f"/events/{world.event_id}"),
               owner.get(f"/events/{world.event_id}/versions/1/schedule.csv"),
               owner.get("/events/999999"),
               anonymous.get("/", headers={"Host": "evil.example"})]
    assert {r.status_code for r in answers} >= {200, 302, 400, 401, 404}
    for r in answers:
        for name, value in HEADERS.items():
            assert r.headers.get(name) == value, (r.url, r.status_code, name)
        csp = r.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, r.url
        assert "unsafe-inline" not in csp


def test_answers_about_people_are_kept_by_no_cache(app: Flask, world: World,
                                                   visit: Visit) -> None:
    from tests.webapp.conftest import new_session
    from web.db.models import Participant
    from web.participants.links import token_for

    with app.test_request_context(), new_session(app) as session:
        token = token_for(session.query(Participant).filter_by(event_id=world.event_id).first())
    owner, api = visit(), visit(token=world.tokens[EMAIL])
    owner.login(EMAIL)
    private = [visit().get(f"/p/{token}"), visit().get(f"/p/{token}/meetings.ics"),
               owner.get(f"/events/{world.event_id}"),
               owner.get(f"/events/{world.event_id}/links.csv"),
               owner.get(f"/events/{world.event_id}/versions/{world.number}/schedule.csv"),
               api.get(f"/api/events/{world.event_id}/participants")]
    assert all(r.status_code == 200 for r in private)
    for r in private:
        assert r.headers.get("Cache-Control") == "no-store", r.url
    assert "no-store" not in visit().get("/static/style.css").headers.get("Cache-Control", "")


def test_hsts_over_https(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/", base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/").headers


def login_cookie(app: Flask, organiser: str) -> str:
    """The Set-Cookie header of a login."""
    r = app.test_client().post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 302
    return r.headers["Set-Cookie"]


def test_cookie_flags_follow_the_settings(app: Flask, organiser: str) -> None:
    cookie = login_cookie(app, organiser)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_NAME="__Host-session")
    cookie = login_cookie(app, organiser)
    assert cookie.startswith("__Host-session=") and "Secure" in cookie
    assert "SameSite=Strict" in cookie


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "False Lax ['localhost', '127.0.0.1', '::1']"),
    ({"PUBLIC_URL": "https://matcher.example.org"}, "True Lax None"),
    ({"PUBLIC_URL": "https://matcher.example.org", "SESSION_COOKIE_SECURE": "false",
      "SESSION_COOKIE_SAMESITE": "Strict"}, "False Strict None"),
    ({"SESSION_COOKIE_SECURE": "yes", "TRUSTED_HOSTS": "matcher.example.org, 10.0.0.5"},
     "True Lax ['matcher.example.org', '10.0.0.5']"),
])
def test_settings_come_from_the_environment(env: dict[str, str], expected: str) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in (
        "PUBLIC_URL", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_SAMESITE", "TRUSTED_HOSTS")}
    code = ("from web.config import Config as C; "
            "print(C.SESSION_COOKIE_SECURE, C.SESSION_COOKIE_SAMESITE, C.TRUSTED_HOSTS)")
    run = subprocess.run([sys.executable, "-c", code], env=clean | env, capture_output=True,
                         text=True, timeout=60, check=True)
    assert run.stdout.strip() == expected


def test_a_forged_host_gets_400_and_no_links(world: World, visit: Visit) -> None:
    owner = visit()
    owner.login(EMAIL)
    forged = {"Host": "evil.example", "Cookie": f"session={owner.http.cookies['session']}"}
    r = owner.get(f"/events/{world.event_id}", headers=forged)
    assert r.status_code == 400 and "/p/" not in r.text
    api = visit(token=world.tokens[EMAIL])
    r = api.get(f"/api/events/{world.event_id}/participants", headers={"Host": "evil.example"})
    assert r.status_code == 400 and "evil.example/p/" not in r.text


def test_links_use_a_trusted_host(app: Flask, world: World, visit: Visit) -> None:
    app.config["TRUSTED_HOSTS"] = ["matcher.example.org"]
    api = visit(token=world.tokens[EMAIL])
    people = api.get(f"/api/events/{world.event_id}/participants",
                     headers={"Host": "matcher.example.org"}).json()
    assert all(p["link"].startswith("http://matcher.example.org/p/") for p in people)
    assert api.get("/api/events", headers={"Host": "127.0.0.1"}).status_code == 400


def test_links_use_public_url_whatever_the_host(app: Flask, world: World,
                                                visit: Visit) -> None:
    app.config.update(PUBLIC_URL="https://matcher.example.org", TRUSTED_HOSTS=None)
    owner, api = visit(), visit(token=world.tokens[EMAIL])
    owner.login(EMAIL)
    # A client sends its cookies for the host it names, so this one is sent by hand.
    forged = {"Host": "evil.example", "Cookie": f"session={owner.http.cookies['session']}"}
    page = owner.get(f"/events/{world.event_id}", headers=forged).text
    assert "https://matcher.example.org/p/" in page and "evil.example" not in page
    people = api.get(f"/api/events/{world.event_id}/participants",
                     headers={"Host": "evil.example"}).json()
    assert all(p["link"].startswith("https://matcher.example.org/p/") for p in people)
