"""The migration that brings ownership gives each existing event one owner, and every account a
session nonce; on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, select, text

from web.db.models import Member, Organiser
from web.db.schema import alembic_config


def test_existing_events_get_an_owner(blank_db_url: str) -> None:
    engine = create_engine(blank_db_url)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        for email in ("first@example.com", "creator@example.com", "other@example.com"):
            connection.execute(text("INSERT INTO organisers (email, password_hash, created_at) "
                                    "VALUES (:e, 'x', CURRENT_TIMESTAMP)"), {"e": email})
        for name, organiser in (("by the creator", "Creator@Example.com"),
                                ("by nobody we know", "desk@example.org"), ("by no one", None)):
            connection.execute(text(
                "INSERT INTO events (name, timezone, day, meeting_minutes, changeover_minutes, "
                "sessions, slots, tables, fields, required, pinned, form_open, created_at, "
                "version, organiser_email) VALUES (:n, 'UTC', '2024-01-01', 20, 5, '[]', '[]', "
                "'[]', '[]', '[]', '[]', true, CURRENT_TIMESTAMP, 1, :o)"),
                {"n": name, "o": organiser})
        command.upgrade(config, "head")
    with engine.connect() as connection:
        owners = dict(connection.execute(text(
            "SELECT e.name, o.email FROM event_members m JOIN events e ON e.id = m.event_id "
            "JOIN organisers o ON o.id = m.organiser_id WHERE m.role = 'owner'")).all())
        nonces = connection.scalars(select(Organiser.session_nonce)).all()
        members = connection.scalars(select(Member.id)).all()
    engine.dispose()
    # The account whose address the event names (its creator), else the oldest account.
    assert owners == {"by the creator": "creator@example.com",
                      "by nobody we know": "first@example.com",
                      "by no one": "first@example.com"}
    assert len(members) == 3
    assert len(set(nonces)) == 3 and all(len(n) >= 16 for n in nonces)
