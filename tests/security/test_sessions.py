"""Login sessions end on the server: after logging out, a copy of the session cookie no longer
opens any page."""

from __future__ import annotations

from collections.abc import Callable

from tests.security.conftest import Visitor, World
from tests.webapp.conftest import EMAIL

Visit = Callable[..., Visitor]


def test_a_copied_cookie_stops_working_at_logout(world: World, visit: Visit) -> None:
    owner, thief = visit(), visit()
    assert owner.login(EMAIL).status_code == 302
    thief.http.cookies.update(owner.http.cookies)
    assert thief.get(f"/events/{world.event_id}").status_code == 200
    owner.post("/logout")
    assert thief.get(f"/events/{world.event_id}").status_code == 302
    assert thief.get("/account").headers["Location"].startswith("/login")
    again = visit()
    assert again.login(EMAIL).status_code == 302  # the account itself still logs in
    assert again.get(f"/events/{world.event_id}").status_code == 200
