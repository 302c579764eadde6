"""After logging in, `next` leads only to a path of this site: whatever a phishing link puts
there (tabs, newlines, backslashes, schemes, encoded forms), the organiser stays here."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.security.conftest import Visitor
from tests.webapp.conftest import EMAIL, PASSWORD

Visit = Callable[..., Visitor]
# Query strings as a hostile link carries them (already percent-encoded where a browser would).
HOSTILE = [
    "//evil.example/", "///evil.example/", "/%09/evil.example/phish", "/%0a/evil.example",
    "/%0d%0a/evil.example", "/%5Cevil.example", "/%5C%5Cevil.example", "%2F%2Fevil.example",
    "/%252F%252Fevil.example", "https://evil.example/", "http:evil.example",
    "javascript:alert(1)", "/%E3%80%80/evil.example", "/%00/evil.example", "%09//evil.example",
    "/%2F/evil.example", "evil.example",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_redirects_off_the_site(organiser: str, visit: Visit, target: str) -> None:
    visitor = visit()
    r = visitor.post(f"/login?next={target}", data={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/events/1", "/events/1/schedule?version=2", "/account"])
def test_login_returns_to_the_page_asked_for(organiser: str, visit: Visit, target: str) -> None:
    visitor = visit()
    r = visitor.post(f"/login?next={target}", data={"email": EMAIL, "password": PASSWORD})
    assert r.headers["Location"] == target
