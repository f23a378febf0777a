"""The operations the tendering module calls: a violation from a tendering event, eligibility, factor."""

from __future__ import annotations

from core.accounts.models import OrgKind
from core.db import db
from credit.models import CreditSubject, RecordSource, RecordStatus
from credit.operations import credit_factor, eligibility, record_tender_violation, score_at

from .conftest import ago


def test_refusal_to_sign_opens_one_draft_per_event(app_ctx, make_org):
    org = make_org(OrgKind.FIRM, name="上海中标拒签物业有限公司")
    data = {"item_code": "EX-F-06-02", "tender_ref": "T-2026-0042/award", "district_code": "310104",
            "facts": "The winning bidder refused to sign the contract within 30 days of the award notice."}
    first = record_tender_violation(org, data, actor=None)
    again = record_tender_violation(org, data, actor=None)
    db.session.commit()
    assert first.id == again.id and first.status == RecordStatus.DRAFT and first.source == RecordSource.TENDER
    subject = CreditSubject.query.filter_by(uscc=org.uscc).one()
    assert subject.organisation_id == org.id and first.firm_id == subject.id


def test_deadline_snapshot_is_stable(app_ctx, make_firm, published_record):
    firm = make_firm()
    deadline = ago(days=30)
    before = score_at(firm, deadline).score
    published_record(firm, "SH-F-18-03", published_at=ago(days=5))  # published after the deadline
    assert score_at(firm, deadline).score == before == 100
    assert eligibility(firm, deadline).eligible and credit_factor(firm, deadline) == 1.0
    assert not eligibility(firm, ago(days=1)).eligible
