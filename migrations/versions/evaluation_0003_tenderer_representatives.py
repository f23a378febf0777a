"""the tenderer's representatives on the panel: invitations without a drawn seat

Revision ID: evaluation_0003
Revises: evaluation_0002
Create Date: 2026-12-02 12:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'evaluation_0003'
down_revision = 'evaluation_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evaluation_invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('representative', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.alter_column('seat_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM evaluation_invitation WHERE seat_id IS NULL")
    with op.batch_alter_table('evaluation_invitation', schema=None) as batch_op:
        batch_op.alter_column('seat_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('representative')
