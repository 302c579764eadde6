"""How each schedule version came about, as data (told in the reader's language and with names,
not as a stored English note), and display names of an event's fields

Revision ID: 0005
Revises: 0004
Created: 2026-11-30 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('schedule_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
    with op.batch_alter_table('events', schema=None) as batch_op:
        # Existing events have no display names: their fields show by their ids' defaults.
        batch_op.add_column(sa.Column('field_names', sa.JSON(), nullable=False,
                                      server_default=sa.text("'{}'")))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('field_names')
    with op.batch_alter_table('schedule_versions', schema=None) as batch_op:
        batch_op.drop_column('details')
