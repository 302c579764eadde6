"""Hostile input found by fuzzing the served app: each gets a clear refusal (4xx naming the
field), never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.security.conftest import Visitor, World
from tests.webapp.conftest import EMAIL, tiny_event
from tests.webapp.test_views import event_form

Visit = Callable[..., Visitor]
# Names the zone database cannot open as a file: a folder of it, and a name too long for a file.
ZONES = ["America", "Europe", "x" * 300]


@pytest.mark.parametrize("zone", ZONES)
def test_a_time_zone_that_is_no_zone_file_is_refused_at_every_entrance(
        world: World, visit: Visit, zone: str) -> None:
    web, api = visit(), visit(token=world.tokens[EMAIL])
    web.login(EMAIL)
    for path in ("/events/new", f"/events/{world.event_id}/edit"):
        r = web.post(path, data=event_form(timezone=zone))
        assert r.status_code in (200, 422) and "is not a time zone" in r.text, path
    r = api.post("/api/events", json=tiny_event().model_dump(mode="json") | {"timezone": zone})
    assert r.status_code == 422 and "is not a time zone" in str(r.json()["problems"])
