"""Languages: the language an organiser chose for the pages, and each participant's language
for their page, e-mails and calendar texts

Revision ID: 0004
Revises: 0003
Created: 2026-11-30 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.drop_column('language')
