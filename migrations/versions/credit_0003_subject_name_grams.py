"""name search: positions of each bigram in a firm's name (replacing the array of bigrams)

Revision ID: credit_0003
Revises: credit_0002
Create Date: 2026-11-27 03:20:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


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

    with op.batch_alter_table('credit_subject', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_subject_name_grams', postgresql_using='gin')
        batch_op.drop_column('name_grams')


def downgrade():
    gram_array = sa.JSON().with_variant(postgresql.ARRAY(sa.String(length=8)), 'postgresql')
    with op.batch_alter_table('credit_subject', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_grams', gram_array, nullable=True))
    conn = op.get_bind()
    subjects = sa.table('credit_subject', sa.column('id', sa.Integer), sa.column('name', sa.String),
                        sa.column('name_grams', gram_array))
    for sid, name in conn.execute(sa.select(subjects.c.id, subjects.c.name)).all():
        text = "".join((name or "").split())
        grams = sorted({text[i:i + 2] for i in range(len(text) - 1)})
        conn.execute(subjects.update().where(subjects.c.id == sid).values(name_grams=grams))
    with op.batch_alter_table('credit_subject', schema=None) as batch_op:
        batch_op.alter_column('name_grams', existing_type=gram_array, nullable=False)
        batch_op.create_index('ix_credit_subject_name_grams', ['name_grams'], unique=False, postgresql_using='gin')

    with op.batch_alter_table('credit_subject_name_gram', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_subject_name_gram_subject_id'))

    op.drop_table('credit_subject_name_gram')
