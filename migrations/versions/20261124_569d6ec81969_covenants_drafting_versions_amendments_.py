"""Covenants: drafting clause by clause — covenants, drafters, clauses with immutable versions, amendments,
threaded comments with reports, follows.

Revision ID: 569d6ec81969
Revises: a0c5aad55d3f
Create Date: 2026-11-24 23:52:23.113757
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate emits sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import civic.db  # noqa: F401  (UTCDateTime columns)

revision: str = '569d6ec81969'
down_revision: str | None = 'a0c5aad55d3f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('covenant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_place_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('preamble', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('status_changed_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('frozen_version_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('frozen_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('ratification_vote_id', sa.Integer(), nullable=True),
    sa.Column('adopted_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['account.id'], name=op.f('fk_covenant_created_by_account')),
    sa.ForeignKeyConstraint(['ratification_vote_id'], ['vote.id'], name=op.f('fk_covenant_ratification_vote_id_vote')),
    sa.ForeignKeyConstraint(['scope_place_id'], ['place.id'], name=op.f('fk_covenant_scope_place_id_place')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['covenant.id'], name=op.f('fk_covenant_supersedes_id_covenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covenant'))
    )
    with op.batch_alter_table('covenant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_covenant_ratification_vote_id'), ['ratification_vote_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_covenant_scope_place_id'), ['scope_place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_covenant_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_covenant_supersedes_id'), ['supersedes_id'], unique=False)

    op.create_table('clause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('covenant_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('heading', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('current_number', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('removed_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('removed_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('current_number >= 1', name=op.f('ck_clause_has_a_version')),
    sa.ForeignKeyConstraint(['covenant_id'], ['covenant.id'], name=op.f('fk_clause_covenant_id_covenant')),
    sa.ForeignKeyConstraint(['created_by'], ['account.id'], name=op.f('fk_clause_created_by_account')),
    sa.ForeignKeyConstraint(['removed_by'], ['account.id'], name=op.f('fk_clause_removed_by_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clause'))
    )
    with op.batch_alter_table('clause', schema=None) as batch_op:
        batch_op.create_index('ix_clause_covenant_position', ['covenant_id', 'position'], unique=False)

    op.create_table('covenantdrafter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('covenant_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('appointed_by', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('decided_at', civic.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_covenantdrafter_account_id_account')),
    sa.ForeignKeyConstraint(['appointed_by'], ['account.id'], name=op.f('fk_covenantdrafter_appointed_by_account')),
    sa.ForeignKeyConstraint(['covenant_id'], ['covenant.id'], name=op.f('fk_covenantdrafter_covenant_id_covenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covenantdrafter')),
    sa.UniqueConstraint('covenant_id', 'account_id', name=op.f('uq_covenantdrafter_covenant_id_account_id'))
    )
    with op.batch_alter_table('covenantdrafter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_covenantdrafter_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_covenantdrafter_covenant_id'), ['covenant_id'], unique=False)

    op.create_table('clausecomment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clause_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('root_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.Column('hidden_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('hidden_by', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['account.id'], name=op.f('fk_clausecomment_author_id_account')),
    sa.ForeignKeyConstraint(['clause_id'], ['clause.id'], name=op.f('fk_clausecomment_clause_id_clause')),
    sa.ForeignKeyConstraint(['hidden_by'], ['account.id'], name=op.f('fk_clausecomment_hidden_by_account')),
    sa.ForeignKeyConstraint(['parent_id'], ['clausecomment.id'], name=op.f('fk_clausecomment_parent_id_clausecomment')),
    sa.ForeignKeyConstraint(['root_id'], ['clausecomment.id'], name=op.f('fk_clausecomment_root_id_clausecomment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clausecomment'))
    )
    with op.batch_alter_table('clausecomment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clausecomment_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_clausecomment_clause_root_created', ['clause_id', 'root_id', 'created_at'], unique=False)
        batch_op.create_index('ix_clausecomment_root_created', ['root_id', 'created_at'], unique=False)

    op.create_table('clausefollow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clause_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_clausefollow_account_id_account')),
    sa.ForeignKeyConstraint(['clause_id'], ['clause.id'], name=op.f('fk_clausefollow_clause_id_clause')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clausefollow')),
    sa.UniqueConstraint('clause_id', 'account_id', name=op.f('uq_clausefollow_clause_id_account_id'))
    )
    with op.batch_alter_table('clausefollow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clausefollow_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clausefollow_clause_id'), ['clause_id'], unique=False)

    op.create_table('clauseversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clause_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('saved_by', sa.Integer(), nullable=True),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('based_on_version_id', sa.Integer(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['account.id'], name=op.f('fk_clauseversion_author_id_account')),
    sa.ForeignKeyConstraint(['based_on_version_id'], ['clauseversion.id'], name=op.f('fk_clauseversion_based_on_version_id_clauseversion')),
    sa.ForeignKeyConstraint(['clause_id'], ['clause.id'], name=op.f('fk_clauseversion_clause_id_clause')),
    sa.ForeignKeyConstraint(['saved_by'], ['account.id'], name=op.f('fk_clauseversion_saved_by_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clauseversion')),
    sa.UniqueConstraint('clause_id', 'number', name=op.f('uq_clauseversion_clause_id_number'))
    )
    op.create_table('amendment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clause_id', sa.Integer(), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=False),
    sa.Column('based_on_version_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('decision_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('resulting_version_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['based_on_version_id'], ['clauseversion.id'], name=op.f('fk_amendment_based_on_version_id_clauseversion')),
    sa.ForeignKeyConstraint(['clause_id'], ['clause.id'], name=op.f('fk_amendment_clause_id_clause')),
    sa.ForeignKeyConstraint(['decided_by'], ['account.id'], name=op.f('fk_amendment_decided_by_account')),
    sa.ForeignKeyConstraint(['proposed_by'], ['account.id'], name=op.f('fk_amendment_proposed_by_account')),
    sa.ForeignKeyConstraint(['resulting_version_id'], ['clauseversion.id'], name=op.f('fk_amendment_resulting_version_id_clauseversion')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment'))
    )
    with op.batch_alter_table('amendment', schema=None) as batch_op:
        batch_op.create_index('ix_amendment_clause_status', ['clause_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_amendment_proposed_by'), ['proposed_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_amendment_resulting_version_id'), ['resulting_version_id'], unique=False)

    op.create_table('clausecommentreport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_clausecommentreport_account_id_account')),
    sa.ForeignKeyConstraint(['comment_id'], ['clausecomment.id'], name=op.f('fk_clausecommentreport_comment_id_clausecomment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clausecommentreport')),
    sa.UniqueConstraint('comment_id', 'account_id', name=op.f('uq_clausecommentreport_comment_id_account_id'))
    )
    with op.batch_alter_table('clausecommentreport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clausecommentreport_comment_id'), ['comment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('clausecommentreport', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clausecommentreport_comment_id'))

    op.drop_table('clausecommentreport')
    with op.batch_alter_table('amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendment_resulting_version_id'))
        batch_op.drop_index(batch_op.f('ix_amendment_proposed_by'))
        batch_op.drop_index('ix_amendment_clause_status')

    op.drop_table('amendment')
    op.drop_table('clauseversion')
    with op.batch_alter_table('clausefollow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clausefollow_clause_id'))
        batch_op.drop_index(batch_op.f('ix_clausefollow_account_id'))

    op.drop_table('clausefollow')
    with op.batch_alter_table('clausecomment', schema=None) as batch_op:
        batch_op.drop_index('ix_clausecomment_root_created')
        batch_op.drop_index('ix_clausecomment_clause_root_created')
        batch_op.drop_index(batch_op.f('ix_clausecomment_author_id'))

    op.drop_table('clausecomment')
    with op.batch_alter_table('covenantdrafter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_covenantdrafter_covenant_id'))
        batch_op.drop_index(batch_op.f('ix_covenantdrafter_account_id'))

    op.drop_table('covenantdrafter')
    with op.batch_alter_table('clause', schema=None) as batch_op:
        batch_op.drop_index('ix_clause_covenant_position')

    op.drop_table('clause')
    with op.batch_alter_table('covenant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_covenant_supersedes_id'))
        batch_op.drop_index(batch_op.f('ix_covenant_status'))
        batch_op.drop_index(batch_op.f('ix_covenant_scope_place_id'))
        batch_op.drop_index(batch_op.f('ix_covenant_ratification_vote_id'))

    op.drop_table('covenant')
