"""dated policy and grade scale with a listing cap; decision numbers; agencies as subjects; export
batches kept before delivery; what a report said of a listing; example items for tender agencies

Revision ID: credit_0004
Revises: credit_0003
Create Date: 2026-12-01 22:30:00

"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa


revision = 'credit_0004'
down_revision = 'credit_0003'
branch_labels = None
depends_on = None

# Rows that existed before rule values were dated held from the registry's start.
REGISTRY_START = datetime(2000, 1, 1, tzinfo=timezone.utc)
# Example items for tender agencies: no official catalogue text for agencies was confirmed, so they
# are labelled as examples (is_example) like the other EX- items.
AGENCY_ITEMS = (
    ('EX-A-18-01', 'serious', 18, '代理机构参与投标或为投标人提供咨询', 'Agency bidding itself or advising bidders on a tender it runs', 36, 12),
    ('EX-A-18-02', 'serious', 18, '泄露应当保密的招标投标信息', 'Disclosing tender information that must be kept confidential', 36, 12),
    ('EX-A-06-01', 'general', 6, '未按规定程序组织招标投标活动', 'Running a tender procedure in breach of the required steps', 12, 3),
)


def upgrade():
    with op.batch_alter_table('credit_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('listed_grade_cap', sa.String(length=8), nullable=True))
    policy = sa.table('credit_policy', sa.column('valid_from', sa.DateTime(timezone=True)),
                      sa.column('listed_grade_cap', sa.String))
    op.execute(policy.update().values(valid_from=REGISTRY_START, listed_grade_cap='D'))
    with op.batch_alter_table('credit_policy', schema=None) as batch_op:
        batch_op.alter_column('valid_from', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_credit_policy_valid_from'), ['valid_from'])

    with op.batch_alter_table('credit_grade_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.table('credit_grade_rule', sa.column('valid_from', sa.DateTime(timezone=True)))
               .update().values(valid_from=REGISTRY_START))
    with op.batch_alter_table('credit_grade_rule', schema=None) as batch_op:
        batch_op.alter_column('valid_from', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_constraint('uq_credit_grade_rule_grade', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_credit_grade_rule_valid_from'), ['valid_from', 'grade'])
        batch_op.create_index(batch_op.f('ix_credit_grade_rule_valid_from'), ['valid_from'], unique=False)

    op.create_table('credit_decision_counter',
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('district_code', 'year', name=op.f('pk_credit_decision_counter'))
    )
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_no', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_credit_record_decision_no'), ['decision_no'])
    _number_past_decisions()

    with op.batch_alter_table('credit_subject', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('firm', 'project_manager', 'agency', 'both', name='subjectkind',
                                                      native_enum=False, length=16),
                                      server_default='firm', nullable=False))

    with op.batch_alter_table('credit_exchange_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jsonl', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('csv', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('status', existing_type=sa.Enum('sent', 'failed', name='batchstatus', native_enum=False,
                                                              length=8),
                              type_=sa.Enum('pending', 'sent', 'failed', name='batchstatus', native_enum=False, length=8),
                              existing_nullable=False)

    with op.batch_alter_table('credit_report_certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listing', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('may_bid', sa.Boolean(), nullable=True))

    _add_agency_items()


def _number_past_decisions():
    """Give every decision already taken its number, in the order taken, per district and year."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, district_code, decided_at FROM credit_record WHERE decided_at IS NOT NULL ORDER BY decided_at, id"
    )).all()
    counters: dict = {}
    numbers = []
    for record_id, district, decided_at in rows:
        if isinstance(decided_at, str):  # SQLite hands back text
            decided_at = datetime.fromisoformat(decided_at)
        if decided_at.tzinfo is None:
            decided_at = decided_at.replace(tzinfo=timezone.utc)
        year = (decided_at + timedelta(hours=8)).year  # the year in Shanghai (UTC+8, no daylight saving)
        counters[(district, year)] = counters.get((district, year), 0) + 1
        numbers.append({"id": record_id, "no": f"{district}-{year}-{counters[(district, year)]:05d}"})
    if numbers:
        conn.execute(sa.text("UPDATE credit_record SET decision_no = :no WHERE id = :id"), numbers)
        op.bulk_insert(sa.table('credit_decision_counter', sa.column('district_code'), sa.column('year'),
                                sa.column('last')),
                       [{"district_code": d, "year": y, "last": n} for (d, y), n in counters.items()])


def _add_agency_items():
    conn = op.get_bind()
    version_id = conn.execute(sa.text(
        "SELECT id FROM credit_catalogue_version WHERE status = 'active' ORDER BY number DESC LIMIT 1")).scalar()
    if version_id is None:
        return
    have = set(conn.execute(sa.text("SELECT code FROM credit_conduct_item WHERE version_id = :v"), {"v": version_id}).scalars())
    item = sa.table('credit_conduct_item', *[sa.column(c) for c in (
        'version_id', 'code', 'subject_kind', 'kind', 'severity', 'points', 'title_zh', 'title_en', 'description', 'basis',
        'source_url', 'publication_months', 'correction_after_months', 'is_example')])
    rows = [{"version_id": version_id, "code": code, "subject_kind": "agency", "kind": "bad", "severity": severity,
             "points": points, "title_zh": zh, "title_en": en, "description": None, "basis": None, "source_url": None,
             "publication_months": months, "correction_after_months": after, "is_example": True}
            for code, severity, points, zh, en, months, after in AGENCY_ITEMS if code not in have]
    if rows:
        op.bulk_insert(item, rows)


def downgrade():
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM credit_conduct_item WHERE subject_kind = 'agency' AND code LIKE 'EX-A-%' "
                         "AND id NOT IN (SELECT item_id FROM credit_record)"))
    with op.batch_alter_table('credit_report_certificate', schema=None) as batch_op:
        batch_op.drop_column('may_bid')
        batch_op.drop_column('listing')

    conn.execute(sa.text("UPDATE credit_exchange_batch SET status = 'failed' WHERE status = 'pending'"))
    with op.batch_alter_table('credit_exchange_batch', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.Enum('pending', 'sent', 'failed', name='batchstatus',
                                                              native_enum=False, length=8),
                              type_=sa.Enum('sent', 'failed', name='batchstatus', native_enum=False, length=8),
                              existing_nullable=False)
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('csv')
        batch_op.drop_column('jsonl')

    with op.batch_alter_table('credit_subject', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_credit_record_decision_no'), type_='unique')
        batch_op.drop_column('decision_no')
    op.drop_table('credit_decision_counter')

    # Only the rows in force now can go back to undated tables holding one policy and one scale.
    for table, key in (('credit_grade_rule', 'grade'), ('credit_policy', None)):
        latest = conn.execute(sa.text(f"SELECT max(valid_from) FROM {table}")).scalar()
        if latest is not None:
            conn.execute(sa.text(f"DELETE FROM {table} WHERE valid_from <> :latest"), {"latest": latest})
    with op.batch_alter_table('credit_grade_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_grade_rule_valid_from'))
        batch_op.drop_constraint(batch_op.f('uq_credit_grade_rule_valid_from'), type_='unique')
        batch_op.create_unique_constraint('uq_credit_grade_rule_grade', ['grade'])
        batch_op.drop_column('valid_from')
    with op.batch_alter_table('credit_policy', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_credit_policy_valid_from'), type_='unique')
        batch_op.drop_column('listed_grade_cap')
        batch_op.drop_column('valid_from')
