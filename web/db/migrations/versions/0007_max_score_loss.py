"""Events keep the event file's fairness.max_score_loss: the share of the score an organiser
gives up for fairer shares of the meetings (0 for the events stored before)

Revision ID: 0007
Revises: 0006
Created: 2026-11-30 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('max_score_loss', sa.Float(), nullable=False,
                                   server_default='0'))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('events') as batch:
        batch.drop_column('max_score_loss')
