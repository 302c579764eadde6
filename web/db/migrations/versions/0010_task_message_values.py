"""Generations and mailings keep their messages' values apart from their English words, so that
each reader reads a failure in their language (NULL for the rows stored before: shown as written)

Revision ID: 0010
Revises: 0009
Created: 2026-11-30 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLES = ('solve_jobs', 'mailings')


def upgrade() -> None:
    """Apply this revision."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('message_values', sa.JSON(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('message_values')
