"""votes

Revision ID: c4b53181bce2
Revises: f3b263052e8c
Create Date: 2026-11-24 22:04:55.843016
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate emits sqlmodel.sql.sqltypes.AutoString)
from alembic import op


import civic.db  # noqa: F401  (UTCDateTime columns)

revision: str = 'c4b53181bce2'
down_revision: str | None = 'f3b263052e8c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('scope_place_id', sa.Integer(), nullable=False),
    sa.Column('matter', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('rule_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('opens_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('closes_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('roll_fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('roll_frozen_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('chain_head', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('closed_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('result_json', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('subject_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('subject_ref', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['account.id'], name=op.f('fk_vote_created_by_account')),
    sa.ForeignKeyConstraint(['scope_place_id'], ['place.id'], name=op.f('fk_vote_scope_place_id_place')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote'))
    )
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_vote_scope_place_id'), ['scope_place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vote_status'), ['status'], unique=False)

    op.create_table('ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('choice', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('area_dm2', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('cast_by', sa.Integer(), nullable=True),
    sa.Column('cast_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('receipt', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('changes', sa.Integer(), nullable=False),
    sa.CheckConstraint('area_dm2 >= 0', name=op.f('ck_ballot_area_not_negative')),
    sa.ForeignKeyConstraint(['cast_by'], ['account.id'], name=op.f('fk_ballot_cast_by_account')),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_ballot_vote_id_vote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
    sa.UniqueConstraint('vote_id', 'voter_key', name=op.f('uq_ballot_vote_id_voter_key'))
    )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index('ix_ballot_vote_choice', ['vote_id', 'choice'], unique=False)

    op.create_table('ballotevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_ballotevent_vote_id_vote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballotevent')),
    sa.UniqueConstraint('vote_id', 'prev_hash', name=op.f('uq_ballotevent_vote_id_prev_hash')),
    sa.UniqueConstraint('vote_id', 'seq', name=op.f('uq_ballotevent_vote_id_seq'))
    )
    with op.batch_alter_table('ballotevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballotevent_hash'), ['hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballotevent_vote_id'), ['vote_id'], unique=False)

    op.create_table('paperbatch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('entered_by', sa.Integer(), nullable=False),
    sa.Column('entered_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('confirmed_by', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by'], ['account.id'], name=op.f('fk_paperbatch_confirmed_by_account')),
    sa.ForeignKeyConstraint(['entered_by'], ['account.id'], name=op.f('fk_paperbatch_entered_by_account')),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_paperbatch_vote_id_vote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paperbatch'))
    )
    with op.batch_alter_table('paperbatch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paperbatch_vote_id'), ['vote_id'], unique=False)

    op.create_table('proxymandate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('proxy_account_id', sa.Integer(), nullable=False),
    sa.Column('evidence', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('used_at', civic.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['proxy_account_id'], ['account.id'], name=op.f('fk_proxymandate_proxy_account_id_account')),
    sa.ForeignKeyConstraint(['recorded_by'], ['account.id'], name=op.f('fk_proxymandate_recorded_by_account')),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_proxymandate_vote_id_vote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proxymandate'))
    )
    with op.batch_alter_table('proxymandate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proxymandate_proxy_account_id'), ['proxy_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proxymandate_vote_id'), ['vote_id'], unique=False)

    op.create_table('rollentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('pseudonym', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('representative_person_id', sa.Integer(), nullable=True),
    sa.Column('area_dm2', sa.Integer(), nullable=False),
    sa.Column('unit_ids', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('unit_labels', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['representative_person_id'], ['person.id'], name=op.f('fk_rollentry_representative_person_id_person')),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_rollentry_vote_id_vote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollentry')),
    sa.UniqueConstraint('vote_id', 'pseudonym', name=op.f('uq_rollentry_vote_id_pseudonym')),
    sa.UniqueConstraint('vote_id', 'voter_key', name=op.f('uq_rollentry_vote_id_voter_key'))
    )
    with op.batch_alter_table('rollentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rollentry_representative_person_id'), ['representative_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rollentry_vote_id'), ['vote_id'], unique=False)

    op.create_table('turnoutshard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('choice', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('shard', sa.Integer(), nullable=False),
    sa.Column('heads', sa.Integer(), nullable=False),
    sa.Column('area_dm2', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_turnoutshard_vote_id_vote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_turnoutshard')),
    sa.UniqueConstraint('vote_id', 'choice', 'shard', name=op.f('uq_turnoutshard_vote_id_choice_shard'))
    )
    with op.batch_alter_table('turnoutshard', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_turnoutshard_vote_id'), ['vote_id'], unique=False)

    op.create_table('voteoption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_voteoption_vote_id_vote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voteoption')),
    sa.UniqueConstraint('vote_id', 'position', name=op.f('uq_voteoption_vote_id_position'))
    )
    with op.batch_alter_table('voteoption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voteoption_vote_id'), ['vote_id'], unique=False)

    op.create_table('voteproposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_place_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['proposed_by'], ['account.id'], name=op.f('fk_voteproposal_proposed_by_account')),
    sa.ForeignKeyConstraint(['scope_place_id'], ['place.id'], name=op.f('fk_voteproposal_scope_place_id_place')),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_voteproposal_vote_id_vote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voteproposal'))
    )
    with op.batch_alter_table('voteproposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voteproposal_scope_place_id'), ['scope_place_id'], unique=False)

    op.create_table('paperentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('choice', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['paperbatch.id'], name=op.f('fk_paperentry_batch_id_paperbatch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paperentry')),
    sa.UniqueConstraint('batch_id', 'voter_key', name=op.f('uq_paperentry_batch_id_voter_key'))
    )
    with op.batch_alter_table('paperentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paperentry_batch_id'), ['batch_id'], unique=False)

    op.create_table('proposalsupport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_proposalsupport_account_id_account')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_proposalsupport_household_id_household')),
    sa.ForeignKeyConstraint(['proposal_id'], ['voteproposal.id'], name=op.f('fk_proposalsupport_proposal_id_voteproposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposalsupport')),
    sa.UniqueConstraint('proposal_id', 'household_id', name=op.f('uq_proposalsupport_proposal_id_household_id'))
    )
    with op.batch_alter_table('proposalsupport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposalsupport_proposal_id'), ['proposal_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('proposalsupport', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposalsupport_proposal_id'))

    op.drop_table('proposalsupport')
    with op.batch_alter_table('paperentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paperentry_batch_id'))

    op.drop_table('paperentry')
    with op.batch_alter_table('voteproposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voteproposal_scope_place_id'))

    op.drop_table('voteproposal')
    with op.batch_alter_table('voteoption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voteoption_vote_id'))

    op.drop_table('voteoption')
    with op.batch_alter_table('turnoutshard', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_turnoutshard_vote_id'))

    op.drop_table('turnoutshard')
    with op.batch_alter_table('rollentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rollentry_vote_id'))
        batch_op.drop_index(batch_op.f('ix_rollentry_representative_person_id'))

    op.drop_table('rollentry')
    with op.batch_alter_table('proxymandate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proxymandate_vote_id'))
        batch_op.drop_index(batch_op.f('ix_proxymandate_proxy_account_id'))

    op.drop_table('proxymandate')
    with op.batch_alter_table('paperbatch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paperbatch_vote_id'))

    op.drop_table('paperbatch')
    with op.batch_alter_table('ballotevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballotevent_vote_id'))
        batch_op.drop_index(batch_op.f('ix_ballotevent_hash'))

    op.drop_table('ballotevent')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index('ix_ballot_vote_choice')

    op.drop_table('ballot')
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_status'))
        batch_op.drop_index(batch_op.f('ix_vote_scope_place_id'))
        batch_op.drop_index(batch_op.f('ix_vote_closes_at'))

    op.drop_table('vote')
