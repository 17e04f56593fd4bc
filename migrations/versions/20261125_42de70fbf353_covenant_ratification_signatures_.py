"""covenant ratification, signatures, breaches

Revision ID: 42de70fbf353
Revises: 569d6ec81969
Create Date: 2026-11-25 00:27:25.532701
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate emits sqlmodel.sql.sqltypes.AutoString)
from alembic import op


import civic.db  # noqa: F401  (UTCDateTime columns)

revision: str = '42de70fbf353'
down_revision: str | None = '569d6ec81969'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('covenantsignature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('covenant_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('withdrawn_at', civic.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_covenantsignature_account_id_account')),
    sa.ForeignKeyConstraint(['covenant_id'], ['covenant.id'], name=op.f('fk_covenantsignature_covenant_id_covenant')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_covenantsignature_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covenantsignature')),
    sa.UniqueConstraint('covenant_id', 'account_id', name=op.f('uq_covenantsignature_covenant_id_account_id'))
    )
    with op.batch_alter_table('covenantsignature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_covenantsignature_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_covenantsignature_covenant_withdrawn', ['covenant_id', 'withdrawn_at'], unique=False)

    op.create_table('frozentext',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('covenant_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('preamble', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('clause_version_ids', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('frozen_by', sa.Integer(), nullable=True),
    sa.Column('frozen_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('decided_at', civic.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['covenant_id'], ['covenant.id'], name=op.f('fk_frozentext_covenant_id_covenant')),
    sa.ForeignKeyConstraint(['frozen_by'], ['account.id'], name=op.f('fk_frozentext_frozen_by_account')),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_frozentext_vote_id_vote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_frozentext')),
    sa.UniqueConstraint('covenant_id', 'number', name=op.f('uq_frozentext_covenant_id_number'))
    )
    with op.batch_alter_table('frozentext', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_frozentext_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_frozentext_vote_id'), ['vote_id'], unique=False)

    op.create_table('covenantbreach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('covenant_id', sa.Integer(), nullable=False),
    sa.Column('clause_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('evidence', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('dispute_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('disputed_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('resolved_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_covenantbreach_account_id_account')),
    sa.ForeignKeyConstraint(['clause_id'], ['clause.id'], name=op.f('fk_covenantbreach_clause_id_clause')),
    sa.ForeignKeyConstraint(['covenant_id'], ['covenant.id'], name=op.f('fk_covenantbreach_covenant_id_covenant')),
    sa.ForeignKeyConstraint(['recorded_by'], ['account.id'], name=op.f('fk_covenantbreach_recorded_by_account')),
    sa.ForeignKeyConstraint(['resolved_by'], ['account.id'], name=op.f('fk_covenantbreach_resolved_by_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covenantbreach'))
    )
    with op.batch_alter_table('covenantbreach', schema=None) as batch_op:
        batch_op.create_index('ix_covenantbreach_covenant_account', ['covenant_id', 'account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_covenantbreach_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('covenantbreach', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_covenantbreach_status'))
        batch_op.drop_index('ix_covenantbreach_covenant_account')

    op.drop_table('covenantbreach')
    with op.batch_alter_table('frozentext', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_frozentext_vote_id'))
        batch_op.drop_index(batch_op.f('ix_frozentext_sha256'))

    op.drop_table('frozentext')
    with op.batch_alter_table('covenantsignature', schema=None) as batch_op:
        batch_op.drop_index('ix_covenantsignature_covenant_withdrawn')
        batch_op.drop_index(batch_op.f('ix_covenantsignature_account_id'))

    op.drop_table('covenantsignature')
