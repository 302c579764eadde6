"""Events keep the event file's halls: the venue's halls and their tables, to read a large
timetable hall by hall (none for the events stored before)

Revision ID: 0012
Revises: 0011
Created: 2026-11-30 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('halls', sa.JSON(), nullable=False,
                                   server_default=sa.text("'[]'")))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('events') as batch:
        batch.drop_column('halls')
