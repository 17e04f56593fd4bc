"""planning

Revision ID: 00eaf1b6c217
Revises: 5f0e0052a57b
Create Date: 2026-11-25 04:35:43.082086
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate emits sqlmodel.sql.sqltypes.AutoString)
from alembic import op


import civic.db  # noqa: F401  (UTCDateTime columns)

revision: str = '00eaf1b6c217'
down_revision: str | None = '5f0e0052a57b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('planningproject',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('boundary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('discovery_opens_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('proposals_opens_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('feedback_opens_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('closes_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('base_layers', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('published_at', civic.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint('min_lon <= max_lon AND min_lat <= max_lat', name=op.f('ck_planningproject_bbox_ordered')),
    sa.ForeignKeyConstraint(['created_by'], ['account.id'], name=op.f('fk_planningproject_created_by_account')),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_planningproject_place_id_place')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planningproject'))
    )
    with op.batch_alter_table('planningproject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planningproject_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planningproject_status'), ['status'], unique=False)

    op.create_table('planningannotation',
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('geometry', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['account.id'], name=op.f('fk_planningannotation_author_id_account')),
    sa.ForeignKeyConstraint(['project_id'], ['planningproject.id'], name=op.f('fk_planningannotation_project_id_planningproject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planningannotation'))
    )
    with op.batch_alter_table('planningannotation', schema=None) as batch_op:
        batch_op.create_index('ix_planningannotation_project_bbox', ['project_id', 'min_lon', 'max_lon'], unique=False)

    op.create_table('planningcategory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('colour', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['planningproject.id'], name=op.f('fk_planningcategory_project_id_planningproject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planningcategory')),
    sa.UniqueConstraint('project_id', 'key', 'label', name=op.f('uq_planningcategory_project_id_key_label'))
    )
    with op.batch_alter_table('planningcategory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planningcategory_project_id'), ['project_id'], unique=False)

    op.create_table('planningtheme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['planningproject.id'], name=op.f('fk_planningtheme_project_id_planningproject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planningtheme'))
    )
    with op.batch_alter_table('planningtheme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planningtheme_project_id'), ['project_id'], unique=False)

    op.create_table('planningproposal',
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('geometry', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('place_label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('phase', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', civic.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('support_count >= 0 AND comment_count >= 0', name=op.f('ck_planningproposal_counts_not_negative')),
    sa.ForeignKeyConstraint(['author_id'], ['account.id'], name=op.f('fk_planningproposal_author_id_account')),
    sa.ForeignKeyConstraint(['category_id'], ['planningcategory.id'], name=op.f('fk_planningproposal_category_id_planningcategory')),
    sa.ForeignKeyConstraint(['project_id'], ['planningproject.id'], name=op.f('fk_planningproposal_project_id_planningproject')),
    sa.ForeignKeyConstraint(['theme_id'], ['planningtheme.id'], name=op.f('fk_planningproposal_theme_id_planningtheme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planningproposal'))
    )
    with op.batch_alter_table('planningproposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planningproposal_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planningproposal_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_planningproposal_project_bbox', ['project_id', 'min_lon', 'max_lon'], unique=False)
        batch_op.create_index('ix_planningproposal_project_status', ['project_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_planningproposal_theme_id'), ['theme_id'], unique=False)

    op.create_table('planningcomment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('hidden_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('hidden_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['account.id'], name=op.f('fk_planningcomment_author_id_account')),
    sa.ForeignKeyConstraint(['hidden_by'], ['account.id'], name=op.f('fk_planningcomment_hidden_by_account')),
    sa.ForeignKeyConstraint(['proposal_id'], ['planningproposal.id'], name=op.f('fk_planningcomment_proposal_id_planningproposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planningcomment'))
    )
    with op.batch_alter_table('planningcomment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planningcomment_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('planningfollow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_planningfollow_account_id_account')),
    sa.ForeignKeyConstraint(['proposal_id'], ['planningproposal.id'], name=op.f('fk_planningfollow_proposal_id_planningproposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planningfollow')),
    sa.UniqueConstraint('proposal_id', 'account_id', name=op.f('uq_planningfollow_proposal_id_account_id'))
    )
    with op.batch_alter_table('planningfollow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planningfollow_account_id'), ['account_id'], unique=False)

    op.create_table('planningphoto',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('alt', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['storedfile.id'], name=op.f('fk_planningphoto_file_id_storedfile')),
    sa.ForeignKeyConstraint(['proposal_id'], ['planningproposal.id'], name=op.f('fk_planningphoto_proposal_id_planningproposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planningphoto'))
    )
    with op.batch_alter_table('planningphoto', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planningphoto_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('planningstatuschange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=False),
    sa.Column('changed_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by'], ['account.id'], name=op.f('fk_planningstatuschange_changed_by_account')),
    sa.ForeignKeyConstraint(['proposal_id'], ['planningproposal.id'], name=op.f('fk_planningstatuschange_proposal_id_planningproposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planningstatuschange'))
    )
    with op.batch_alter_table('planningstatuschange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planningstatuschange_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('planningsupport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_planningsupport_account_id_account')),
    sa.ForeignKeyConstraint(['proposal_id'], ['planningproposal.id'], name=op.f('fk_planningsupport_proposal_id_planningproposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planningsupport')),
    sa.UniqueConstraint('proposal_id', 'account_id', name=op.f('uq_planningsupport_proposal_id_account_id'))
    )
    with op.batch_alter_table('planningsupport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planningsupport_account_id'), ['account_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('planningsupport', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planningsupport_account_id'))

    op.drop_table('planningsupport')
    with op.batch_alter_table('planningstatuschange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planningstatuschange_proposal_id'))

    op.drop_table('planningstatuschange')
    with op.batch_alter_table('planningphoto', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planningphoto_proposal_id'))

    op.drop_table('planningphoto')
    with op.batch_alter_table('planningfollow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planningfollow_account_id'))

    op.drop_table('planningfollow')
    with op.batch_alter_table('planningcomment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planningcomment_proposal_id'))

    op.drop_table('planningcomment')
    with op.batch_alter_table('planningproposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planningproposal_theme_id'))
        batch_op.drop_index('ix_planningproposal_project_status')
        batch_op.drop_index('ix_planningproposal_project_bbox')
        batch_op.drop_index(batch_op.f('ix_planningproposal_category_id'))
        batch_op.drop_index(batch_op.f('ix_planningproposal_author_id'))

    op.drop_table('planningproposal')
    with op.batch_alter_table('planningtheme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planningtheme_project_id'))

    op.drop_table('planningtheme')
    with op.batch_alter_table('planningcategory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planningcategory_project_id'))

    op.drop_table('planningcategory')
    with op.batch_alter_table('planningannotation', schema=None) as batch_op:
        batch_op.drop_index('ix_planningannotation_project_bbox')

    op.drop_table('planningannotation')
    with op.batch_alter_table('planningproject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planningproject_status'))
        batch_op.drop_index(batch_op.f('ix_planningproject_place_id'))

    op.drop_table('planningproject')
