"""Personal links: signed, unguessable tokens naming one participant, revocable by the organiser."""

from __future__ import annotations

import hmac

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from web.models import Participant

SALT = "participant-link"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(participant: Participant) -> str:
    """The token of a participant's personal link."""
    return str(_serializer().dumps([participant.id, participant.link_nonce]))


def participant_for(session: Session, token: str) -> Participant | None:
    """The participant a token names, or None for a forged, malformed or revoked token."""
    try:
        pid, nonce = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(pid, int) or not isinstance(nonce, str):
        return None
    participant = session.get(Participant, pid)
    if participant is None or not hmac.compare_digest(participant.link_nonce, nonce):
        return None
    return participant


def link_for(participant: Participant) -> str:
    """The full personal link, as an organiser copies it (PUBLIC_URL overrides the host)."""
    base = current_app.config.get("PUBLIC_URL")
    path = url_for("participant.form", token=token_for(participant))
    return f"{base.rstrip('/')}{path}" if base else url_for("participant.form",
                                                            token=token_for(participant),
                                                            _external=True)
