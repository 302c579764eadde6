"""Event owners and login sessions: each event's team of organiser accounts with their roles,
and a session nonce per account that logging out replaces

Existing events each get one owner: the account whose e-mail is the event's organiser address
(the form and the API fill it in with the creator's), else the oldest account (the one that
set the server up). Other accounts lose access until the owner adds them to the team. With no
account at all, events stay without owner until the next account is created (`matcher
create-organiser` or `flask --app web demo-organiser`), which adopts them.

Revision ID: 0003
Revises: 0002
Created: 2026-11-28 10:00:00.000000
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('event_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'organiser_id')
    )
    with op.batch_alter_table('event_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_members_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_members_organiser_id'), ['organiser_id'],
                              unique=False)

    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_nonce', sa.String(length=32), nullable=True))
    connection = op.get_bind()
    organisers = sa.table('organisers', sa.column('id', sa.Integer),
                          sa.column('email', sa.String), sa.column('session_nonce', sa.String))
    accounts = connection.execute(sa.select(organisers.c.id, organisers.c.email)
                                  .order_by(organisers.c.id)).all()
    for account_id, _ in accounts:
        connection.execute(organisers.update().where(organisers.c.id == account_id)
                           .values(session_nonce=secrets.token_urlsafe(12)))
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.alter_column('session_nonce', existing_type=sa.String(length=32), nullable=False)

    if not accounts:
        return
    by_email = {email.lower(): account_id for account_id, email in accounts}
    events = sa.table('events', sa.column('id', sa.Integer),
                      sa.column('organiser_email', sa.String))
    members = sa.table('event_members', sa.column('event_id', sa.Integer),
                       sa.column('organiser_id', sa.Integer), sa.column('role', sa.String),
                       sa.column('created_at', sa.DateTime))
    now = sa.func.current_timestamp()
    for event_id, email in connection.execute(sa.select(events.c.id, events.c.organiser_email)):
        owner = by_email.get((email or '').lower(), accounts[0][0])
        connection.execute(members.insert().values(event_id=event_id, organiser_id=owner,
                                                   role='owner', created_at=now))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.drop_column('session_nonce')

    with op.batch_alter_table('event_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_members_organiser_id'))
        batch_op.drop_index(batch_op.f('ix_event_members_event_id'))

    op.drop_table('event_members')
