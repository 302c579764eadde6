"""Link mailings: a mailing is of invitations (of a version) or of every participant's personal
link (no version)

Revision ID: 0009
Revises: 0008
Created: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('mailings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False,
                                      server_default='invitations'))
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    """Revert this revision: link mailings go (they have no version)."""
    op.execute(sa.text("DELETE FROM mailings WHERE version_id IS NULL"))
    with op.batch_alter_table('mailings', schema=None) as batch_op:
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('kind')
