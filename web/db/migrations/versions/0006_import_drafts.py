"""Import drafts: a previewed file of participants, kept until the organiser confirms it

Revision ID: 0006
Revises: 0005
Created: 2026-11-30 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('import_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('separator', sa.String(length=16), nullable=True),
    sa.Column('header', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_import_drafts_event_id'), 'import_drafts', ['event_id'], unique=False)
    op.create_index(op.f('ix_import_drafts_created_at'), 'import_drafts', ['created_at'],
                    unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f('ix_import_drafts_created_at'), table_name='import_drafts')
    op.drop_index(op.f('ix_import_drafts_event_id'), table_name='import_drafts')
    op.drop_table('import_drafts')
