"""complaint drafts kept on the server

Revision ID: credit_0002
Revises: credit_0001
Create Date: 2026-11-27 03:20:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'credit_0002'
down_revision = 'credit_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credit_complaint_draft',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_credit_complaint_draft'))
    )


def downgrade():
    op.drop_table('credit_complaint_draft')
