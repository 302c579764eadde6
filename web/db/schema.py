"""The database schema, created and upgraded by Alembic (`flask --app web init-db`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def ours(name: str | None, type_: str, parent_names: object) -> bool:
    """Whether a database object belongs to our models: not the job queue's own tables
    (procrastinate's, created by migration 0003 on PostgreSQL), for autogenerate to ignore."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def alembic_config(engine: Engine) -> AlembicConfig:
    """Alembic's settings, pointing at our migrations and the app's database."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url",
                           engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Create the schema, or bring it up to date; does nothing when it already is."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def head() -> str:
    """The newest revision of our migrations: the schema this code needs."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()  # type: ignore[return-value]


def current(connection: Connection) -> str | None:
    """The revision the database's schema is at (None before `init-db`)."""
    return MigrationContext.configure(connection).get_current_revision()
