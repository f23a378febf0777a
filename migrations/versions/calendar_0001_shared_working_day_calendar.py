"""The working-day calendar moves from credit to core (shared by credit and tendering); years can be
marked provisional.

Revision ID: calendar_0001
Revises: 0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'calendar_0001'
down_revision = '0001'
branch_labels = ('calendar',)
depends_on = ('credit_0001',)

RENAMES = (("credit_calendar_day", "calendar_day"), ("credit_calendar_year", "calendar_year"))


def _rename(old: str, new: str) -> None:
    op.rename_table(old, new)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'ALTER TABLE "{new}" RENAME CONSTRAINT "pk_{old}" TO "pk_{new}"')


def upgrade():
    for old, new in RENAMES:
        _rename(old, new)
    with op.batch_alter_table('calendar_year', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provisional', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('calendar_year', schema=None) as batch_op:
        batch_op.drop_column('provisional')
    for old, new in RENAMES:
        _rename(new, old)
