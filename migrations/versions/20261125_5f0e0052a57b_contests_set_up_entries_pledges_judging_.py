"""contests: set-up, entries, pledges, judging, results; stored files

Revision ID: 5f0e0052a57b
Revises: 42de70fbf353
Create Date: 2026-11-25 02:56:36.181221
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate emits sqlmodel.sql.sqltypes.AutoString)
from alembic import op


import civic.db  # noqa: F401  (UTCDateTime columns)

revision: str = '5f0e0052a57b'
down_revision: str | None = '42de70fbf353'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('contest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('prize_pool_fen', sa.Integer(), nullable=False),
    sa.Column('advance_count', sa.Integer(), nullable=False),
    sa.Column('winner_count', sa.Integer(), nullable=False),
    sa.Column('submission_opens_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('submission_closes_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('backing_opens_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('backing_closes_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('judging_closes_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('normalize', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('jury_weight', sa.Integer(), nullable=False),
    sa.Column('support_weight', sa.Integer(), nullable=False),
    sa.Column('tie_rule', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('matching_method', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('matching_cap_percent', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('published_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('backing_settled_at', civic.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint('jury_weight + support_weight = 100', name=op.f('ck_contest_weights_add_up')),
    sa.CheckConstraint('prize_pool_fen >= 0', name=op.f('ck_contest_pool_not_negative')),
    sa.CheckConstraint('winner_count <= advance_count', name=op.f('ck_contest_winners_advance')),
    sa.ForeignKeyConstraint(['created_by'], ['account.id'], name=op.f('fk_contest_created_by_account')),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_contest_place_id_place')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest'))
    )
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contest_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contest_status'), ['status'], unique=False)

    op.create_table('storedfile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by'], ['account.id'], name=op.f('fk_storedfile_uploaded_by_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storedfile'))
    )
    with op.batch_alter_table('storedfile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storedfile_sha256'), ['sha256'], unique=False)

    op.create_table('contestentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('beneficiaries', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('plan', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('money_goal_fen', sa.Integer(), nullable=False),
    sa.Column('hours_goal', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('screening_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('screened_by', sa.Integer(), nullable=True),
    sa.Column('screened_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('submitted_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('funding', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('advances', sa.Boolean(), nullable=False),
    sa.Column('wins', sa.Boolean(), nullable=False),
    sa.Column('match_fen', sa.Integer(), nullable=True),
    sa.CheckConstraint('hours_goal >= 0', name=op.f('ck_contestentry_hours_not_negative')),
    sa.CheckConstraint('money_goal_fen >= 0', name=op.f('ck_contestentry_goal_not_negative')),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_contestentry_contest_id_contest')),
    sa.ForeignKeyConstraint(['created_by'], ['account.id'], name=op.f('fk_contestentry_created_by_account')),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_contestentry_place_id_place')),
    sa.ForeignKeyConstraint(['screened_by'], ['account.id'], name=op.f('fk_contestentry_screened_by_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contestentry'))
    )
    with op.batch_alter_table('contestentry', schema=None) as batch_op:
        batch_op.create_index('ix_contestentry_contest_status', ['contest_id', 'status'], unique=False)

    op.create_table('contestresult',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('computed_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('document', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('judges', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_contestresult_contest_id_contest')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contestresult')),
    sa.UniqueConstraint('contest_id', name=op.f('uq_contestresult_contest_id'))
    )
    op.create_table('rubriccriterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.CheckConstraint('weight > 0', name=op.f('ck_rubriccriterion_weight_positive')),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_rubriccriterion_contest_id_contest')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubriccriterion'))
    )
    with op.batch_alter_table('rubriccriterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rubriccriterion_contest_id'), ['contest_id'], unique=False)

    op.create_table('budgetline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount_fen >= 0', name=op.f('ck_budgetline_amount_not_negative')),
    sa.ForeignKeyConstraint(['entry_id'], ['contestentry.id'], name=op.f('fk_budgetline_entry_id_contestentry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budgetline'))
    )
    with op.batch_alter_table('budgetline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budgetline_entry_id'), ['entry_id'], unique=False)

    op.create_table('entrycomment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('hidden_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('hidden_by', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['account.id'], name=op.f('fk_entrycomment_author_id_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['contestentry.id'], name=op.f('fk_entrycomment_entry_id_contestentry')),
    sa.ForeignKeyConstraint(['hidden_by'], ['account.id'], name=op.f('fk_entrycomment_hidden_by_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entrycomment'))
    )
    with op.batch_alter_table('entrycomment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entrycomment_entry_id'), ['entry_id'], unique=False)

    op.create_table('entryimage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('alt', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['contestentry.id'], name=op.f('fk_entryimage_entry_id_contestentry')),
    sa.ForeignKeyConstraint(['file_id'], ['storedfile.id'], name=op.f('fk_entryimage_file_id_storedfile')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entryimage'))
    )
    with op.batch_alter_table('entryimage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entryimage_entry_id'), ['entry_id'], unique=False)

    op.create_table('entrymember',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('is_lead', sa.Boolean(), nullable=False),
    sa.Column('added_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_entrymember_account_id_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['contestentry.id'], name=op.f('fk_entrymember_entry_id_contestentry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entrymember')),
    sa.UniqueConstraint('entry_id', 'account_id', name=op.f('uq_entrymember_entry_id_account_id'))
    )
    with op.batch_alter_table('entrymember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entrymember_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrymember_entry_id'), ['entry_id'], unique=False)

    op.create_table('entryupdate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['account.id'], name=op.f('fk_entryupdate_author_id_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['contestentry.id'], name=op.f('fk_entryupdate_entry_id_contestentry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entryupdate'))
    )
    with op.batch_alter_table('entryupdate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entryupdate_entry_id'), ['entry_id'], unique=False)

    op.create_table('judgeconflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('declared_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_judgeconflict_contest_id_contest')),
    sa.ForeignKeyConstraint(['entry_id'], ['contestentry.id'], name=op.f('fk_judgeconflict_entry_id_contestentry')),
    sa.ForeignKeyConstraint(['judge_id'], ['account.id'], name=op.f('fk_judgeconflict_judge_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judgeconflict')),
    sa.UniqueConstraint('entry_id', 'judge_id', name=op.f('uq_judgeconflict_entry_id_judge_id'))
    )
    with op.batch_alter_table('judgeconflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judgeconflict_contest_id'), ['contest_id'], unique=False)

    op.create_table('materialneed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_materialneed_quantity_positive')),
    sa.ForeignKeyConstraint(['entry_id'], ['contestentry.id'], name=op.f('fk_materialneed_entry_id_contestentry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_materialneed'))
    )
    with op.batch_alter_table('materialneed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_materialneed_entry_id'), ['entry_id'], unique=False)

    op.create_table('rubriclevel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubriccriterion.id'], name=op.f('fk_rubriclevel_criterion_id_rubriccriterion')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubriclevel')),
    sa.UniqueConstraint('criterion_id', 'score', name=op.f('uq_rubriclevel_criterion_id_score'))
    )
    with op.batch_alter_table('rubriclevel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rubriclevel_criterion_id'), ['criterion_id'], unique=False)

    op.create_table('scoresheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_scoresheet_contest_id_contest')),
    sa.ForeignKeyConstraint(['entry_id'], ['contestentry.id'], name=op.f('fk_scoresheet_entry_id_contestentry')),
    sa.ForeignKeyConstraint(['judge_id'], ['account.id'], name=op.f('fk_scoresheet_judge_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoresheet')),
    sa.UniqueConstraint('entry_id', 'judge_id', name=op.f('uq_scoresheet_entry_id_judge_id'))
    )
    with op.batch_alter_table('scoresheet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scoresheet_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scoresheet_judge_id'), ['judge_id'], unique=False)

    op.create_table('pledge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('material_need_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('cancelled_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('released_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('confirmed_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('confirmed_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_fen >= 0 AND hours >= 0 AND quantity >= 0', name=op.f('ck_pledge_amounts_not_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_pledge_account_id_account')),
    sa.ForeignKeyConstraint(['confirmed_by'], ['account.id'], name=op.f('fk_pledge_confirmed_by_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['contestentry.id'], name=op.f('fk_pledge_entry_id_contestentry')),
    sa.ForeignKeyConstraint(['material_need_id'], ['materialneed.id'], name=op.f('fk_pledge_material_need_id_materialneed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge'))
    )
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledge_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_pledge_entry_status', ['entry_id', 'status'], unique=False)

    op.create_table('scoreitem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubriccriterion.id'], name=op.f('fk_scoreitem_criterion_id_rubriccriterion')),
    sa.ForeignKeyConstraint(['sheet_id'], ['scoresheet.id'], name=op.f('fk_scoreitem_sheet_id_scoresheet')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoreitem')),
    sa.UniqueConstraint('sheet_id', 'criterion_id', name=op.f('uq_scoreitem_sheet_id_criterion_id'))
    )
    with op.batch_alter_table('scoreitem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scoreitem_sheet_id'), ['sheet_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('scoreitem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scoreitem_sheet_id'))

    op.drop_table('scoreitem')
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.drop_index('ix_pledge_entry_status')
        batch_op.drop_index(batch_op.f('ix_pledge_account_id'))

    op.drop_table('pledge')
    with op.batch_alter_table('scoresheet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scoresheet_judge_id'))
        batch_op.drop_index(batch_op.f('ix_scoresheet_contest_id'))

    op.drop_table('scoresheet')
    with op.batch_alter_table('rubriclevel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rubriclevel_criterion_id'))

    op.drop_table('rubriclevel')
    with op.batch_alter_table('materialneed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_materialneed_entry_id'))

    op.drop_table('materialneed')
    with op.batch_alter_table('judgeconflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judgeconflict_contest_id'))

    op.drop_table('judgeconflict')
    with op.batch_alter_table('entryupdate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entryupdate_entry_id'))

    op.drop_table('entryupdate')
    with op.batch_alter_table('entrymember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entrymember_entry_id'))
        batch_op.drop_index(batch_op.f('ix_entrymember_account_id'))

    op.drop_table('entrymember')
    with op.batch_alter_table('entryimage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entryimage_entry_id'))

    op.drop_table('entryimage')
    with op.batch_alter_table('entrycomment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entrycomment_entry_id'))

    op.drop_table('entrycomment')
    with op.batch_alter_table('budgetline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budgetline_entry_id'))

    op.drop_table('budgetline')
    with op.batch_alter_table('rubriccriterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rubriccriterion_contest_id'))

    op.drop_table('rubriccriterion')
    op.drop_table('contestresult')
    with op.batch_alter_table('contestentry', schema=None) as batch_op:
        batch_op.drop_index('ix_contestentry_contest_status')

    op.drop_table('contestentry')
    with op.batch_alter_table('storedfile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_storedfile_sha256'))

    op.drop_table('storedfile')
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contest_status'))
        batch_op.drop_index(batch_op.f('ix_contest_place_id'))

    op.drop_table('contest')
