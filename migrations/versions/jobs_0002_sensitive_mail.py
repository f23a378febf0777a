"""outgoing mail: sensitive flag (bodies holding a live secret)

Revision ID: jobs_0002
Revises: jobs_0001
Create Date: 2026-11-27 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'jobs_0002'
down_revision = 'jobs_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sensitive', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Reset mails recorded before the flag existed hold reset links too.
    op.execute(sa.text("UPDATE outgoing_mail SET sensitive = :yes WHERE kind = 'password_reset'").bindparams(yes=True))


def downgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_column('sensitive')
