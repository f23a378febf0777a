"""The business clock's setting (one row): how far rules and deadlines run ahead of the real time.

Revision ID: clock_0001
Revises: 0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'clock_0001'
down_revision = '0001'
branch_labels = ('clock',)
depends_on = None


def upgrade():
    op.create_table('business_clock',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('offset_seconds', sa.BigInteger(), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_business_clock_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_clock'))
    )


def downgrade():
    op.drop_table('business_clock')
