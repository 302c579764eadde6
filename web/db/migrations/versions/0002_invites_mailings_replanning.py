"""Calendar invites, mailings and re-planning: the event's organiser address, mail jobs, and
re-planning jobs that continue a published version

Revision ID: 0002
Revises: 0001
Created: 2026-11-27 09:39:28.463244
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None
BASE_FK = 'fk_solve_jobs_base_version_id'


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('mailings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('previous_version_id', sa.Integer(), nullable=True),
    sa.Column('retry_of_id', sa.Integer(), nullable=True),
    sa.Column('base_url', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('no_address', sa.JSON(), nullable=False),
    sa.Column('skip', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['previous_version_id'], ['schedule_versions.id'], ),
    sa.ForeignKeyConstraint(['retry_of_id'], ['mailings.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['schedule_versions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mailings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailings_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organiser_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('organiser_name', sa.String(length=500), nullable=True))

    with op.batch_alter_table('solve_jobs', schema=None) as batch_op:
        # Jobs from before this revision were all generations.
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False,
                                      server_default='generate'))
        batch_op.add_column(sa.Column('base_version_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('now_slot', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(BASE_FK, 'schedule_versions', ['base_version_id'], ['id'])


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table('solve_jobs', schema=None) as batch_op:
        batch_op.drop_constraint(BASE_FK, type_='foreignkey')
        batch_op.drop_column('now_slot')
        batch_op.drop_column('base_version_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('organiser_name')
        batch_op.drop_column('organiser_email')

    with op.batch_alter_table('mailings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailings_event_id'))

    op.drop_table('mailings')
