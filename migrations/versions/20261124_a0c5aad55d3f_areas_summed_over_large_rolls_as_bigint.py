"""areas summed over large rolls as bigint

Revision ID: a0c5aad55d3f
Revises: e8ceae65c90b
Create Date: 2026-11-24 23:36:08.031580
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate emits sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import civic.db  # noqa: F401  (UTCDateTime columns)

revision: str = 'a0c5aad55d3f'
down_revision: str | None = 'e8ceae65c90b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('turnoutshard', schema=None) as batch_op:
        batch_op.alter_column('area_dm2',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)

    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.alter_column('roll_area_dm2',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False,
               existing_server_default=sa.text('0'))


def downgrade() -> None:
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.alter_column('roll_area_dm2',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False,
               existing_server_default=sa.text('0'))

    with op.batch_alter_table('turnoutshard', schema=None) as batch_op:
        batch_op.alter_column('area_dm2',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)
