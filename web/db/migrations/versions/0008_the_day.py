"""The day itself: arrivals and absences marked at the desk, and participants' ratings of their
meetings (with no-shows)

Revision ID: 0008
Revises: 0007
Created: 2026-11-30 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.Column('marked_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by'], ['organisers.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('participant_id')
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_event_id'), ['event_id'], unique=False)

    op.create_table('meeting_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=255), nullable=False),
    sa.Column('other', sa.String(length=64), nullable=False),
    sa.Column('rating', sa.String(length=16), nullable=False),
    sa.Column('no_show', sa.Boolean(), nullable=False),
    sa.Column('rated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('participant_id', 'uid')
    )
    with op.batch_alter_table('meeting_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_ratings_event_id'), ['event_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_ratings_participant_id'),
                              ['participant_id'], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table('meeting_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_ratings_participant_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_ratings_event_id'))
    op.drop_table('meeting_ratings')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_event_id'))
    op.drop_table('attendance')
