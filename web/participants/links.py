"""Personal links: signed, unguessable tokens naming one participant, revocable by the organiser.

Each participant has two: the personal page (answers and agenda), and the calendar feed that
calendar apps fetch on their own. They differ, so that a feed address shared with a calendar
service opens no more than the meetings; a new personal link revokes both.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from web.db.models import Participant

SALT = "participant-link"
FEED_SALT = "participant-feed"


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def token_for(participant: Participant, salt: str = SALT) -> str:
    """The token of a participant's personal link (or, with FEED_SALT, of their feed)."""
    return str(_serializer(salt).dumps([participant.id, participant.link_nonce]))


def participant_for(session: Session, token: str, salt: str = SALT) -> Participant | None:
    """The participant a token names, or None for a forged, malformed or revoked token."""
    try:
        pid, nonce = _serializer(salt).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(pid, int) or not isinstance(nonce, str):
        return None
    participant = session.get(Participant, pid)
    if participant is None or not hmac.compare_digest(participant.link_nonce, nonce):
        return None
    return participant


def site_url() -> str:
    """The base of every address given to people: PUBLIC_URL, else this request's host, which
    Flask has checked against TRUSTED_HOSTS (a forged Host header never gets this far)."""
    return current_app.config.get("PUBLIC_URL") or request.host_url


def external(endpoint: str, **values: Any) -> str:
    """A full address on this site, as people outside it use it (see `site_url`)."""
    if current_app.config.get("PUBLIC_URL"):
        return site_url().rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def link_for(participant: Participant) -> str:
    """The full personal link, as an organiser copies it."""
    return external("participant.form", token=token_for(participant))


def feed_for(participant: Participant) -> str:
    """The https address of a participant's calendar feed."""
    return external("participant.feed", token=token_for(participant, FEED_SALT))


def webcal(address: str) -> str:
    """The webcal:// form of an http(s) address, which calendar apps open as a subscription."""
    return "webcal://" + address.split("://", 1)[1]
