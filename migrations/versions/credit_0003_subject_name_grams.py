"""name search: positions of each bigram in a firm's name

Revision ID: credit_0003
Revises: credit_0002
Create Date: 2026-11-27 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'credit_0003'
down_revision = 'credit_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credit_subject_name_gram',
    sa.Column('gram', sa.String(length=8), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_length', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['subject_id'], ['credit_subject.id'], name=op.f('fk_credit_subject_name_gram_subject_id_credit_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gram', 'position', 'name_length', 'subject_id', name=op.f('pk_credit_subject_name_gram'))
    )
    with op.batch_alter_table('credit_subject_name_gram', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_subject_name_gram_subject_id'), ['subject_id'], unique=False)

    conn = op.get_bind()
    if conn.dialect.name == 'postgresql':
        conn.execute(sa.text(
            "INSERT INTO credit_subject_name_gram (gram, position, name_length, subject_id) "
            "SELECT substr(s.name, i, 2), i, length(s.name), s.id "
            "FROM credit_subject s, generate_series(1, length(s.name) - 1) AS i"
        ))
    else:
        rows = conn.execute(sa.text("SELECT id, name FROM credit_subject")).all()
        grams = [{"g": name[i:i + 2], "p": i + 1, "n": len(name), "s": sid}
                 for sid, name in rows for i in range(len(name) - 1)]
        if grams:
            conn.execute(sa.text("INSERT INTO credit_subject_name_gram (gram, position, name_length, subject_id) "
                                 "VALUES (:g, :p, :n, :s)"), grams)


def downgrade():
    with op.batch_alter_table('credit_subject_name_gram', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_subject_name_gram_subject_id'))

    op.drop_table('credit_subject_name_gram')
