"""Job workers: who runs each solve and mailing, its heartbeat and queue job; one active solve
and one active mailing per event; progress of the timing stage; on PostgreSQL, the job queue's
own tables (procrastinate)

Revision ID: 0011
Revises: 0010
Created: 2026-11-30 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None
TABLES = ('solve_jobs', 'mailings')
ACTIVE = "status IN ('queued', 'running')"
# Work left unfinished by the code before this revision has no worker that will ever finish it.
LEFT_OVER = {
    'solve_jobs': "interrupted: the server was upgraded before it finished",
    'mailings': "interrupted: the server was upgraded before every message was sent; "
                "retrying sends the rest",
}


def upgrade() -> None:
    """Apply this revision."""
    for table in TABLES:
        op.execute(sa.text(f"UPDATE {table} SET status = 'failed', message = :message, "
                           f"finished_at = CURRENT_TIMESTAMP WHERE {ACTIVE}")
                   .bindparams(message=LEFT_OVER[table]))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('worker', sa.String(length=100), nullable=True))
            batch_op.add_column(sa.Column('started_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('queue_job_id', sa.Integer(), nullable=True))
            batch_op.create_index(f'ix_{table}_one_active_per_event', ['event_id'], unique=True,
                                  sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
    with op.batch_alter_table('solve_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('breaks', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('breaks_bound', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        from procrastinate.schema import SchemaManager

        # The queue's schema as the pinned procrastinate version defines it; it runs on the
        # driver's connection, inside this migration's transaction, so no '%' is a parameter.
        driver = op.get_bind().connection.driver_connection
        assert driver is not None  # a live connection: the migration runs on it
        driver.execute(SchemaManager.get_schema())


def downgrade() -> None:
    """Undo this revision."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(DROP_QUEUE)
    with op.batch_alter_table('solve_jobs', schema=None) as batch_op:
        batch_op.drop_column('breaks_bound')
        batch_op.drop_column('breaks')
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_one_active_per_event')
            batch_op.drop_column('queue_job_id')
            batch_op.drop_column('heartbeat_at')
            batch_op.drop_column('started_at')
            batch_op.drop_column('worker')


# Everything procrastinate's schema created: its tables, then its functions and types.
DROP_QUEUE = """
DO $$
DECLARE item record;
BEGIN
    FOR item IN SELECT tablename FROM pg_tables
                WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%' LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%' LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
    END LOOP;
    FOR item IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%'
                  AND t.typtype IN ('e', 'c') LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
    END LOOP;
END $$;
"""
