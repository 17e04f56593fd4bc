"""vote notices, per-unit roll areas, proposal matter

Revision ID: 6dd6470c725f
Revises: c4b53181bce2
Create Date: 2026-11-24 22:30:31.801781
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate emits sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import civic.db  # noqa: F401  (UTCDateTime columns)

revision: str = '6dd6470c725f'
down_revision: str | None = 'c4b53181bce2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('rollentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_areas', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))

    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announced_at', civic.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', civic.db.UTCDateTime(), nullable=True))

    with op.batch_alter_table('voteproposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('matter', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False,
                                      server_default='residents-matter'))


def downgrade() -> None:
    with op.batch_alter_table('voteproposal', schema=None) as batch_op:
        batch_op.drop_column('matter')

    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('announced_at')

    with op.batch_alter_table('rollentry', schema=None) as batch_op:
        batch_op.drop_column('unit_areas')
