"""ballot board linked in batches, roll size on the vote

Revision ID: e8ceae65c90b
Revises: 6dd6470c725f
Create Date: 2026-11-24 23:06:08.222096
"""
import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate emits sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import civic.db  # noqa: F401  (UTCDateTime columns)

revision: str = 'e8ceae65c90b'
down_revision: str | None = '6dd6470c725f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ballotevent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                      server_default=''))
        batch_op.alter_column('seq',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('prev_hash',
               existing_type=sa.VARCHAR(length=64),
               nullable=True)
        batch_op.alter_column('hash',
               existing_type=sa.VARCHAR(length=64),
               nullable=True)
        batch_op.drop_index(batch_op.f('ix_ballotevent_hash'))
        batch_op.create_index('ix_ballotevent_vote_receipt', ['vote_id', 'receipt'], unique=False)

    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roll_heads', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('roll_area_dm2', sa.Integer(), nullable=False, server_default='0'))
    _fill_existing_rows()


def _fill_existing_rows() -> None:
    """Votes and events written before this revision: the roll size from the roll, each event's receipt
    (the sha256 of its body), and each ballot's receipt code moved from the old link hash to it."""
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE vote SET roll_heads = (SELECT count(*) FROM rollentry r WHERE r.vote_id = vote.id), "
                         "roll_area_dm2 = (SELECT coalesce(sum(r.area_dm2), 0) FROM rollentry r "
                         "WHERE r.vote_id = vote.id)"))
    moved: dict[tuple[int, str], str] = {}
    for event_id, vote_id, link, body in conn.execute(sa.text("SELECT id, vote_id, hash, body FROM ballotevent")).all():
        receipt = hashlib.sha256(body.encode("utf-8")).hexdigest()
        conn.execute(sa.text("UPDATE ballotevent SET receipt = :r WHERE id = :i"), {"r": receipt, "i": event_id})
        moved[(vote_id, link[:16])] = receipt[:16]
    for ballot_id, vote_id, old in conn.execute(sa.text("SELECT id, vote_id, receipt FROM ballot")).all():
        if (vote_id, old) in moved:
            conn.execute(sa.text("UPDATE ballot SET receipt = :r WHERE id = :i"), {"r": moved[vote_id, old], "i": ballot_id})



def downgrade() -> None:
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_column('roll_area_dm2')
        batch_op.drop_column('roll_heads')

    with op.batch_alter_table('ballotevent', schema=None) as batch_op:
        batch_op.drop_index('ix_ballotevent_vote_receipt')
        batch_op.create_index(batch_op.f('ix_ballotevent_hash'), ['hash'], unique=False)
        batch_op.alter_column('hash',
               existing_type=sa.VARCHAR(length=64),
               nullable=False)
        batch_op.alter_column('prev_hash',
               existing_type=sa.VARCHAR(length=64),
               nullable=False)
        batch_op.alter_column('seq',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('receipt')

