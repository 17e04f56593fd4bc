"""initial schema

Revision ID: f3b263052e8c
Revises: 
Create Date: 2026-11-24 22:01:44.543401
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate emits sqlmodel.sql.sqltypes.AutoString)
from alembic import op


import civic.db  # noqa: F401  (UTCDateTime columns)

revision: str = 'f3b263052e8c'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('auditevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('object_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('object_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('payload', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auditevent')),
    sa.UniqueConstraint('hash', name=op.f('uq_auditevent_hash')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_auditevent_prev_hash'))
    )
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditevent_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditevent_actor_id'), ['actor_id'], unique=False)

    op.create_table('loginfailure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loginfailure'))
    )
    with op.batch_alter_table('loginfailure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loginfailure_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_loginfailure_key'), ['key'], unique=False)

    op.create_table('outboxmail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_address', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', civic.db.UTCDateTime(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outboxmail'))
    )
    with op.batch_alter_table('outboxmail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outboxmail_status'), ['status'], unique=False)

    op.create_table('place',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('geojson', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['place.id'], name=op.f('fk_place_parent_id_place')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place')),
    sa.UniqueConstraint('code', name=op.f('uq_place_code'))
    )
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_place_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_place_path'), ['path'], unique=False)

    op.create_table('grid',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['place.id'], name=op.f('fk_grid_community_id_place')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid'))
    )
    with op.batch_alter_table('grid', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_community_id'), ['community_id'], unique=False)

    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=True),
    sa.Column('area_dm2', sa.Integer(), nullable=False),
    sa.Column('area_source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('use', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('external_ref', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.CheckConstraint('area_dm2 > 0', name=op.f('ck_unit_area_positive')),
    sa.ForeignKeyConstraint(['building_id'], ['place.id'], name=op.f('fk_unit_building_id_place')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('building_id', 'number', name=op.f('uq_unit_building_id_number')),
    sa.UniqueConstraint('external_ref', name=op.f('uq_unit_external_ref'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_building_id'), ['building_id'], unique=False)

    op.create_table('household',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], name=op.f('fk_household_grid_id_grid')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_household_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household'))
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_unit_id'), ['unit_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('external_ref', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_person_household_id_household')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('external_ref', name=op.f('uq_person_external_ref'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_household_id'), ['household_id'], unique=False)

    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('last_login_at', civic.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_account_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account')),
    sa.UniqueConstraint('email', name=op.f('uq_account_email')),
    sa.UniqueConstraint('person_id', name=op.f('uq_account_person_id')),
    sa.UniqueConstraint('phone', name=op.f('uq_account_phone'))
    )
    op.create_table('unitlink',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('is_representative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_unitlink_person_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unitlink_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unitlink')),
    sa.UniqueConstraint('unit_id', 'person_id', 'kind', 'since', name=op.f('uq_unitlink_unit_id_person_id_kind_since'))
    )
    with op.batch_alter_table('unitlink', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unitlink_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unitlink_unit_id'), ['unit_id'], unique=False)

    op.create_table('linkrequest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('decided_at', civic.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_linkrequest_account_id_account')),
    sa.ForeignKeyConstraint(['decided_by'], ['account.id'], name=op.f('fk_linkrequest_decided_by_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_linkrequest_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_linkrequest'))
    )
    with op.batch_alter_table('linkrequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_linkrequest_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_linkrequest_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_linkrequest_unit_id'), ['unit_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.Column('read_at', civic.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_notification_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_account_id'), ['account_id'], unique=False)

    op.create_table('oidcidentity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_oidcidentity_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidcidentity')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_oidcidentity_issuer_subject'))
    )
    with op.batch_alter_table('oidcidentity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oidcidentity_account_id'), ['account_id'], unique=False)

    op.create_table('rolegrant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('scope_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('granted_by', sa.Integer(), nullable=True),
    sa.Column('created_at', civic.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_rolegrant_account_id_account')),
    sa.ForeignKeyConstraint(['granted_by'], ['account.id'], name=op.f('fk_rolegrant_granted_by_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rolegrant')),
    sa.UniqueConstraint('account_id', 'role', 'scope_type', 'scope_id', name=op.f('uq_rolegrant_account_id_role_scope_type_scope_id'))
    )
    with op.batch_alter_table('rolegrant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rolegrant_account_id'), ['account_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rolegrant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rolegrant_account_id'))

    op.drop_table('rolegrant')
    with op.batch_alter_table('oidcidentity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oidcidentity_account_id'))

    op.drop_table('oidcidentity')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_account_id'))

    op.drop_table('notification')
    with op.batch_alter_table('linkrequest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_linkrequest_unit_id'))
        batch_op.drop_index(batch_op.f('ix_linkrequest_status'))
        batch_op.drop_index(batch_op.f('ix_linkrequest_account_id'))

    op.drop_table('linkrequest')
    with op.batch_alter_table('unitlink', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unitlink_unit_id'))
        batch_op.drop_index(batch_op.f('ix_unitlink_person_id'))

    op.drop_table('unitlink')
    op.drop_table('account')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_household_id'))

    op.drop_table('person')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_unit_id'))
        batch_op.drop_index(batch_op.f('ix_household_grid_id'))

    op.drop_table('household')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_building_id'))

    op.drop_table('unit')
    with op.batch_alter_table('grid', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grid_community_id'))

    op.drop_table('grid')
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_path'))
        batch_op.drop_index(batch_op.f('ix_place_parent_id'))
        batch_op.drop_index(batch_op.f('ix_place_kind'))

    op.drop_table('place')
    with op.batch_alter_table('outboxmail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outboxmail_status'))

    op.drop_table('outboxmail')
    with op.batch_alter_table('loginfailure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loginfailure_key'))
        batch_op.drop_index(batch_op.f('ix_loginfailure_created_at'))

    op.drop_table('loginfailure')
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditevent_actor_id'))
        batch_op.drop_index(batch_op.f('ix_auditevent_action'))

    op.drop_table('auditevent')
