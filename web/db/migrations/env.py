"""Alembic's entry: run migrations on the connection given by `web.db.schema`, or on the URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from web.db import (
    Base,
    models,  # noqa: F401  (registers the tables on Base.metadata)
)
from web.db.schema import ours

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    with create_engine(config.get_main_option("sqlalchemy.url", "")).begin() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=True, include_name=ours)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      include_name=ours)
    context.run_migrations()
