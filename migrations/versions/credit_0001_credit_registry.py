"""credit registry

Revision ID: credit_0001
Revises: 0001
Create Date: 2026-11-26 23:18:03.245483

"""
from alembic import op
import sqlalchemy as sa

from sqlalchemy.dialects import postgresql

# The reference data as it stood when this revision was written: a revision never reads
# application code or files, so it gives the same database whatever the code becomes later.
STANDARD_LABEL = '上海市物业服务企业和项目经理信用信息评价试行标准 (2012)'
DEFAULT_GRADES = [('A', 95, True, 1000), ('B', 85, True, 900), ('C', 70, True, 700), ('D', -10000, False, 0)]
CATALOGUE_COLUMNS = ('code', 'subject_kind', 'kind', 'severity', 'points', 'title_zh', 'title_en', 'basis', 'source_url', 'publication_months', 'correction_after_months', 'is_example')
CATALOGUE_ROWS = (
    ('SH-F-18-01', 'firm', 'bad', 'serious', 18, '以欺骗手段取得资质证书从事物业管理', 'Obtaining a qualification certificate by deception to carry on property management', '《上海市物业服务企业和项目经理信用信息评价试行标准》(2012)第四条第（一）项', 'http://m.6065bob.com/fagui/39429.html', 36, 12, False),
    ('SH-F-18-02', 'firm', 'bad', 'serious', 18, '聘用无物业管理职业资格人员从业', 'Employing staff without a property-management professional qualification certificate', '《上海市物业服务企业和项目经理信用信息评价试行标准》(2012)第四条第（二）项', 'http://m.6065bob.com/fagui/39429.html', 36, 12, False),
    ('SH-F-18-03', 'firm', 'bad', 'serious', 18, '将一个物业管理区域全部业务整体委托他人', 'Delegating all property-management services of one management area wholesale to another party', '《上海市物业服务企业和项目经理信用信息评价试行标准》(2012)第四条第（三）项', 'http://m.6065bob.com/fagui/39429.html', 36, 12, False),
    ('SH-F-18-04', 'firm', 'bad', 'serious', 18, '挪用、侵占专项维修资金', 'Misappropriating or embezzling the special maintenance fund', '《上海市物业服务企业和项目经理信用信息评价试行标准》(2012)第四条第（四）项', 'http://m.6065bob.com/fagui/39429.html', 36, 12, False),
    ('SH-F-18-05', 'firm', 'bad', 'serious', 18, '擅自改变物业管理用房用途', 'Changing the use of property-management premises without authorisation', '《上海市物业服务企业和项目经理信用信息评价试行标准》(2012)第四条第（五）项', 'http://m.6065bob.com/fagui/39429.html', 36, 12, False),
    ('SH-F-18-06', 'firm', 'bad', 'serious', 18, '擅自改变规划公共建筑、共用设施用途', 'Changing without authorisation the use of planned public buildings or shared facilities in the management area', '《上海市物业服务企业和项目经理信用信息评价试行标准》(2012)第四条第（六）项', 'http://m.6065bob.com/fagui/39429.html', 36, 12, False),
    ('SH-P-18-01', 'project_manager', 'bad', 'serious', 18, '挪用、侵占专项维修资金', 'Misappropriating or embezzling the special maintenance fund', '上海市物业服务企业和项目经理信用信息评价试行标准 (2012)', 'http://www.fsou.com.cn/html/text/lar/174208/17420807_4.html', 36, 12, False),
    ('SH-P-18-02', 'project_manager', 'bad', 'serious', 18, '擅自改变物业管理用房用途', 'Changing the use of property-management premises without authorisation', '上海市物业服务企业和项目经理信用信息评价试行标准 (2012)', 'http://www.fsou.com.cn/html/text/lar/174208/17420807_4.html', 36, 12, False),
    ('SH-P-18-03', 'project_manager', 'bad', 'serious', 18, '擅自改变规划公共建筑、共用设施用途', 'Changing without authorisation the use of planned public buildings or shared facilities in the management area', '上海市物业服务企业和项目经理信用信息评价试行标准 (2012)', 'http://www.fsou.com.cn/html/text/lar/174208/17420807_4.html', 36, 12, False),
    ('SH-P-18-04', 'project_manager', 'bad', 'serious', 18, '擅自占用、挖掘区内道路场地损害业主共同利益', "Occupying or digging up roads or grounds in the management area without authorisation, harming owners' common interests", '上海市物业服务企业和项目经理信用信息评价试行标准 (2012)', 'http://www.fsou.com.cn/html/text/lar/174208/17420807_4.html', 36, 12, False),
    ('SH-P-18-05', 'project_manager', 'bad', 'serious', 18, '擅自利用共用部位、共用设施设备经营', 'Using common parts or shared facilities and equipment for business without authorisation', '上海市物业服务企业和项目经理信用信息评价试行标准 (2012)', 'http://www.fsou.com.cn/html/text/lar/174208/17420807_4.html', 36, 12, False),
    ('SH-P-18-06', 'project_manager', 'bad', 'serious', 18, '出租、出借、转让执业证书', 'Renting out, lending or transferring the practice certificate', '上海市物业服务企业和项目经理信用信息评价试行标准 (2012)', 'http://www.fsou.com.cn/html/text/lar/174208/17420807_4.html', 36, 12, False),
    ('SH-P-18-07', 'project_manager', 'bad', 'serious', 18, '管理失职致重大责任事故或严重损害业主、公共利益', "Dereliction of duty causing a major liability accident (casualties or property loss), or seriously harming owners' or public interests", '上海市物业服务企业和项目经理信用信息评价试行标准 (2012)', 'http://www.fsou.com.cn/html/text/lar/174208/17420807_4.html', 36, 12, False),
    ('SH-P-18-08', 'project_manager', 'bad', 'serious', 18, '经物价部门认定乱收费或收费不规范且不整改', 'Overcharging or irregular charging found by the pricing authority and not rectified', '上海市物业服务企业和项目经理信用信息评价试行标准 (2012)', 'http://www.fsou.com.cn/html/text/lar/174208/17420807_4.html', 36, 12, False),
    ('SH-P-06-01', 'project_manager', 'bad', 'general', 6, '未执行周一至周日业务接待制度', 'Not operating the Monday-to-Sunday business reception system', '上海市物业服务企业和项目经理信用信息评价试行标准 (2012)', 'http://www.fsou.com.cn/html/text/lar/174208/17420807_4.html', 12, 3, False),
    ('EX-F-06-01', 'firm', 'bad', 'general', 6, '未按合同约定履行物业服务义务经查实', 'Failing to perform contracted property services, as verified', None, None, 12, 3, True),
    ('EX-F-06-02', 'firm', 'bad', 'general', 6, '中标后无正当理由拒不签订物业服务合同', 'Refusing without good reason to sign the service contract after winning a tender', None, None, 12, 3, True),
    ('EX-F-18-01', 'firm', 'bad', 'serious', 18, '投标文件提供虚假材料', 'Providing false material in a bid', None, None, 36, 12, True),
    ('EX-F-03-01', 'firm', 'bad', 'general', 3, '未按规定公示物业服务收费项目和标准', 'Not displaying service charges and standards as required', None, None, 12, 3, True),
    ('EX-B-03-02', 'both', 'bad', 'general', 3, '未按规定及时处理业主投诉', "Not handling owners' complaints in time as required", None, None, 12, 3, True),
    ('EX-B-01-01', 'both', 'bad', 'minor', 1, '物业服务档案资料不完整', 'Incomplete property-service records', None, None, 3, 0, True),
    ('EX-P-01-02', 'project_manager', 'bad', 'minor', 1, '未按规定参加继续教育', 'Not attending required continuing education', None, None, 3, 0, True),
    ('EX-F-G-01', 'both', 'good', 'minor', 2, '获市级物业管理优秀示范项目称号', 'Awarded a city-level model property-management project title', None, None, 3, 0, True),
)


# revision identifiers, used by Alembic.
revision = 'credit_0001'
down_revision = '0001'
branch_labels = ('credit',)
depends_on = None


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('credit_calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_credit_calendar_day'))
    )
    op.create_table('credit_calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_credit_calendar_year'))
    )
    op.create_table('credit_catalogue_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('draft', 'active', 'retired', name='cataloguestatus', native_enum=False, length=16), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_catalogue_version')),
    sa.UniqueConstraint('number', name=op.f('uq_credit_catalogue_version_number'))
    )
    op.create_table('credit_exchange_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_item_id', sa.BigInteger(), nullable=False),
    sa.Column('last_item_id', sa.BigInteger(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('sent', 'failed', name='batchstatus', native_enum=False, length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('jsonl_name', sa.String(length=200), nullable=True),
    sa.Column('jsonl_sha256', sa.String(length=64), nullable=True),
    sa.Column('csv_sha256', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_exchange_batch')),
    sa.UniqueConstraint('first_item_id', 'last_item_id', name=op.f('uq_credit_exchange_batch_first_item_id'))
    )
    op.create_table('credit_grade_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=8), nullable=False),
    sa.Column('min_score', sa.Integer(), nullable=False),
    sa.Column('may_bid', sa.Boolean(), nullable=False),
    sa.Column('factor_permille', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_grade_rule')),
    sa.UniqueConstraint('grade', name=op.f('uq_credit_grade_rule_grade'))
    )
    op.create_table('credit_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('base_score', sa.Integer(), nullable=False),
    sa.Column('objection_working_days', sa.Integer(), nullable=False),
    sa.Column('correction_check_working_days', sa.Integer(), nullable=False),
    sa.Column('serious_record_lists_subject', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_policy'))
    )
    op.create_table('credit_report_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('subject_key', sa.String(length=32), nullable=False),
    sa.Column('subject_name', sa.String(length=200), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('score', sa.String(length=16), nullable=True),
    sa.Column('grade', sa.String(length=16), nullable=True),
    sa.Column('record_refs', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_report_certificate')),
    sa.UniqueConstraint('code', name=op.f('uq_credit_report_certificate_code'))
    )
    op.create_table('credit_conduct_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('subject_kind', sa.Enum('firm', 'project_manager', 'both', name='subjectkind', native_enum=False, length=16), nullable=False),
    sa.Column('kind', sa.Enum('bad', 'good', name='conductkind', native_enum=False, length=8), nullable=False),
    sa.Column('severity', sa.Enum('minor', 'general', 'serious', name='severity', native_enum=False, length=16), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('title_zh', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('basis', sa.String(length=500), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('publication_months', sa.Integer(), nullable=False),
    sa.Column('correction_after_months', sa.Integer(), nullable=False),
    sa.Column('is_example', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['credit_catalogue_version.id'], name=op.f('fk_credit_conduct_item_version_id_credit_catalogue_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_conduct_item')),
    sa.UniqueConstraint('version_id', 'code', name=op.f('uq_credit_conduct_item_version_id'))
    )
    with op.batch_alter_table('credit_conduct_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_conduct_item_version_id'), ['version_id'], unique=False)

    op.create_table('credit_import_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('imported_rows', sa.Integer(), nullable=False),
    sa.Column('rejected_rows', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_credit_import_run_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_import_run'))
    )
    op.create_table('credit_subject',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('uscc_override_reason', sa.String(length=500), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_grams', sa.JSON().with_variant(postgresql.ARRAY(sa.String(length=8)), 'postgresql'), nullable=False),
    sa.Column('qualification', sa.String(length=32), nullable=True),
    sa.Column('district_code', sa.String(length=6), nullable=True),
    sa.Column('head_office_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_credit_subject_district_code_district')),
    sa.ForeignKeyConstraint(['head_office_id'], ['credit_subject.id'], name=op.f('fk_credit_subject_head_office_id_credit_subject')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_credit_subject_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_subject')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_credit_subject_organisation_id')),
    sa.UniqueConstraint('uscc', name=op.f('uq_credit_subject_uscc'))
    )
    with op.batch_alter_table('credit_subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_subject_head_office_id'), ['head_office_id'], unique=False)
        batch_op.create_index('ix_credit_subject_name_grams', ['name_grams'], unique=False, postgresql_using='gin')

    op.create_table('credit_complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_number', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('received', 'record_opened', 'closed', name='complaintstatus', native_enum=False, length=16), nullable=False),
    sa.Column('firm_name', sa.String(length=200), nullable=False),
    sa.Column('firm_uscc', sa.String(length=18), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('community', sa.String(length=200), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('complainant_kind', sa.Enum('resident', 'owners_committee', name='complainantkind', native_enum=False, length=24), nullable=False),
    sa.Column('complainant_name', sa.String(length=100), nullable=False),
    sa.Column('complainant_phone', sa.String(length=32), nullable=True),
    sa.Column('complainant_email', sa.String(length=254), nullable=True),
    sa.Column('closed_reason', sa.Text(), nullable=True),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_credit_complaint_district_code_district')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['user.id'], name=op.f('fk_credit_complaint_handled_by_id_user')),
    sa.ForeignKeyConstraint(['subject_id'], ['credit_subject.id'], name=op.f('fk_credit_complaint_subject_id_credit_subject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_complaint')),
    sa.UniqueConstraint('tracking_number', name=op.f('uq_credit_complaint_tracking_number'))
    )
    with op.batch_alter_table('credit_complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_complaint_district_code'), ['district_code'], unique=False)

    op.create_table('credit_project_manager',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_no', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('national_id_enc', sa.LargeBinary(), nullable=True),
    sa.Column('national_id_hmac', sa.String(length=64), nullable=True),
    sa.Column('firm_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['credit_subject.id'], name=op.f('fk_credit_project_manager_firm_id_credit_subject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_project_manager')),
    sa.UniqueConstraint('certificate_no', name=op.f('uq_credit_project_manager_certificate_no'))
    )
    with op.batch_alter_table('credit_project_manager', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_project_manager_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_project_manager_national_id_hmac'), ['national_id_hmac'], unique=False)

    op.create_table('credit_complaint_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('draft_token', sa.String(length=64), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['credit_complaint.id'], name=op.f('fk_credit_complaint_attachment_complaint_id_credit_complaint')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_complaint_attachment'))
    )
    with op.batch_alter_table('credit_complaint_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_complaint_attachment_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_complaint_attachment_draft_token'), ['draft_token'], unique=False)

    op.create_table('credit_employment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['firm_id'], ['credit_subject.id'], name=op.f('fk_credit_employment_firm_id_credit_subject')),
    sa.ForeignKeyConstraint(['manager_id'], ['credit_project_manager.id'], name=op.f('fk_credit_employment_manager_id_credit_project_manager')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_employment'))
    )
    with op.batch_alter_table('credit_employment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_employment_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_employment_manager_id'), ['manager_id'], unique=False)

    op.create_table('credit_managed_project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('community', sa.String(length=200), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=True),
    sa.Column('floor_area_m2', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_credit_managed_project_district_code_district')),
    sa.ForeignKeyConstraint(['firm_id'], ['credit_subject.id'], name=op.f('fk_credit_managed_project_firm_id_credit_subject')),
    sa.ForeignKeyConstraint(['manager_id'], ['credit_project_manager.id'], name=op.f('fk_credit_managed_project_manager_id_credit_project_manager')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_managed_project'))
    )
    with op.batch_alter_table('credit_managed_project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_managed_project_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_managed_project_manager_id'), ['manager_id'], unique=False)

    op.create_table('credit_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.Enum('firm', 'project_manager', 'both', name='subjectkind', native_enum=False, length=16), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('complaint', 'inspection', 'hotline', 'tender', 'import', name='recordsource', native_enum=False, length=16), nullable=False),
    sa.Column('source_ref', sa.String(length=64), nullable=True),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'notified', 'decided', 'published', 'dismissed', 'corrected', name='recordstatus', native_enum=False, length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('objection_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.Enum('upheld', 'reduced', 'dismissed', name='decision', native_enum=False, length=16), nullable=True),
    sa.Column('decision_reasons', sa.Text(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('correction_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expiry_reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['credit_complaint.id'], name=op.f('fk_credit_record_complaint_id_credit_complaint')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_credit_record_created_by_id_user')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_credit_record_decided_by_id_user')),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_credit_record_district_code_district')),
    sa.ForeignKeyConstraint(['firm_id'], ['credit_subject.id'], name=op.f('fk_credit_record_firm_id_credit_subject')),
    sa.ForeignKeyConstraint(['item_id'], ['credit_conduct_item.id'], name=op.f('fk_credit_record_item_id_credit_conduct_item')),
    sa.ForeignKeyConstraint(['manager_id'], ['credit_project_manager.id'], name=op.f('fk_credit_record_manager_id_credit_project_manager')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_record')),
    sa.UniqueConstraint('source', 'source_ref', name=op.f('uq_credit_record_source'))
    )
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_record_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_record_district_code'), ['district_code'], unique=False)
        batch_op.create_index('ix_credit_record_firm_published', ['firm_id', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_record_item_id'), ['item_id'], unique=False)
        batch_op.create_index('ix_credit_record_manager_published', ['manager_id', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_record_status'), ['status'], unique=False)

    op.create_table('credit_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('check_due_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.Enum('approved', 'refused', name='correctionoutcome', native_enum=False, length=16), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_credit_correction_decided_by_id_user')),
    sa.ForeignKeyConstraint(['record_id'], ['credit_record.id'], name=op.f('fk_credit_correction_record_id_credit_record')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_credit_correction_submitted_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_correction'))
    )
    with op.batch_alter_table('credit_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_correction_record_id'), ['record_id'], unique=False)

    op.create_table('credit_exchange_item',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['credit_record.id'], name=op.f('fk_credit_exchange_item_record_id_credit_record')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_exchange_item'))
    )
    with op.batch_alter_table('credit_exchange_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_exchange_item_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_exchange_item_record_id'), ['record_id'], unique=False)

    op.create_table('credit_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('grounds', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Enum('accepted', 'partly_accepted', 'rejected', name='objectionoutcome', native_enum=False, length=16), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['credit_record.id'], name=op.f('fk_credit_objection_record_id_credit_record')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_credit_objection_submitted_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_objection')),
    sa.UniqueConstraint('record_id', name=op.f('uq_credit_objection_record_id'))
    )
    # ### end Alembic commands ###
    seed_reference_data()


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('credit_objection')
    with op.batch_alter_table('credit_exchange_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_exchange_item_record_id'))
        batch_op.drop_index(batch_op.f('ix_credit_exchange_item_created_at'))

    op.drop_table('credit_exchange_item')
    with op.batch_alter_table('credit_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_correction_record_id'))

    op.drop_table('credit_correction')
    with op.batch_alter_table('credit_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_record_status'))
        batch_op.drop_index('ix_credit_record_manager_published')
        batch_op.drop_index(batch_op.f('ix_credit_record_item_id'))
        batch_op.drop_index('ix_credit_record_firm_published')
        batch_op.drop_index(batch_op.f('ix_credit_record_district_code'))
        batch_op.drop_index(batch_op.f('ix_credit_record_complaint_id'))

    op.drop_table('credit_record')
    with op.batch_alter_table('credit_managed_project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_managed_project_manager_id'))
        batch_op.drop_index(batch_op.f('ix_credit_managed_project_firm_id'))

    op.drop_table('credit_managed_project')
    with op.batch_alter_table('credit_employment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_employment_manager_id'))
        batch_op.drop_index(batch_op.f('ix_credit_employment_firm_id'))

    op.drop_table('credit_employment')
    with op.batch_alter_table('credit_complaint_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_complaint_attachment_draft_token'))
        batch_op.drop_index(batch_op.f('ix_credit_complaint_attachment_complaint_id'))

    op.drop_table('credit_complaint_attachment')
    with op.batch_alter_table('credit_project_manager', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_project_manager_national_id_hmac'))
        batch_op.drop_index(batch_op.f('ix_credit_project_manager_firm_id'))

    op.drop_table('credit_project_manager')
    with op.batch_alter_table('credit_complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_complaint_district_code'))

    op.drop_table('credit_complaint')
    with op.batch_alter_table('credit_subject', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_subject_name_grams', postgresql_using='gin')
        batch_op.drop_index(batch_op.f('ix_credit_subject_head_office_id'))

    op.drop_table('credit_subject')
    op.drop_table('credit_import_run')
    with op.batch_alter_table('credit_conduct_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_conduct_item_version_id'))

    op.drop_table('credit_conduct_item')
    op.drop_table('credit_report_certificate')
    op.drop_table('credit_policy')
    op.drop_table('credit_grade_rule')
    op.drop_table('credit_exchange_batch')
    op.drop_table('credit_catalogue_version')
    op.drop_table('credit_calendar_year')
    op.drop_table('credit_calendar_day')
    # ### end Alembic commands ###


def seed_reference_data():
    """Catalogue version 1 (the 2012 standard's readable items plus labelled examples), grades, policy."""
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    version = sa.table("credit_catalogue_version", sa.column("id"), sa.column("number"), sa.column("label"),
                       sa.column("status"), sa.column("activated_at", sa.DateTime(timezone=True)), sa.column("note"),
                       sa.column("created_at", sa.DateTime(timezone=True)), sa.column("updated_at", sa.DateTime(timezone=True)))
    op.bulk_insert(version, [{"id": 1, "number": 1, "label": STANDARD_LABEL + " + examples", "status": "active",
                              "activated_at": now, "created_at": now, "updated_at": now,
                              "note": "Items coded EX- are examples, not the published standard."}])
    rows = [{"version_id": 1, "description": None, **dict(zip(CATALOGUE_COLUMNS, values))} for values in CATALOGUE_ROWS]
    item = sa.table("credit_conduct_item", *[sa.column(k) for k in rows[0]])
    op.bulk_insert(item, rows)
    grade = sa.table("credit_grade_rule", sa.column("grade"), sa.column("min_score"), sa.column("may_bid"),
                     sa.column("factor_permille"), sa.column("created_at", sa.DateTime(timezone=True)),
                     sa.column("updated_at", sa.DateTime(timezone=True)))
    op.bulk_insert(grade, [{"grade": g, "min_score": m, "may_bid": b, "factor_permille": f, "created_at": now,
                            "updated_at": now} for g, m, b, f in DEFAULT_GRADES])
    policy = sa.table("credit_policy", sa.column("base_score"), sa.column("objection_working_days"),
                      sa.column("correction_check_working_days"), sa.column("serious_record_lists_subject"),
                      sa.column("created_at", sa.DateTime(timezone=True)), sa.column("updated_at", sa.DateTime(timezone=True)))
    op.bulk_insert(policy, [{"base_score": 100, "objection_working_days": 5, "correction_check_working_days": 5,
                             "serious_record_lists_subject": True, "created_at": now, "updated_at": now}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('credit_catalogue_version', 'id'), 1)")
