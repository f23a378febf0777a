"""The operations the tendering module calls: a violation from a tendering event (a firm's or an
agency's), eligibility with reasons in plain words, the credit factor."""

from __future__ import annotations

from core.accounts.models import OrgKind
from core.db import db
from credit.models import CreditSubject, RecordSource, RecordStatus, SubjectKind
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


def test_an_agency_advising_bidders_is_recorded_and_shown_publicly(client, app_ctx, make_org):
    from credit.operations import decide_record, notify_record, publish_record
    from credit.models import Decision

    agency = make_org(OrgKind.AGENCY, name="上海申诚工程招标代理有限公司")
    data = {"item_code": "EX-A-18-01", "tender_ref": "T-2026-0077/agency", "district_code": "310104",
            "facts": "The agency prepared the bid of one bidder in the tender it was running."}
    record = record_tender_violation(agency, data, actor=None)
    assert record.subject_kind == SubjectKind.AGENCY and record.firm.is_agency
    notify_record(record, actor=None, now=ago(days=30))
    decide_record(record, {"decision": Decision.UPHELD, "reasons": "Confirmed by the bid files and metadata."},
                  actor=None, now=ago(days=10))
    publish_record(record, actor=None, now=ago(days=9))
    db.session.commit()
    assert score_at(agency).score == 82 and score_at(agency).listed
    found = client.get("/api/v1/credit/lookup?q=申诚工程").get_json()["firms"]
    assert found == [{"uscc": agency.uscc, "name": agency.name, "kind": "agency", "listed": True,
                      "url": f"http://localhost/credit/agencies/{agency.uscc}"}]
    page = client.get(f"/credit/agencies/{agency.uscc}?lang=en").get_data(as_text=True)
    assert "Tender agency" in page and "EX-A-18-01" in page and "Example item" in page
    assert client.get(f"/credit/firms/{agency.uscc}").status_code == 301


def test_agency_items_do_not_apply_to_firms(app_ctx, make_org):
    import pytest

    from core.db import DomainError

    firm = make_org(OrgKind.FIRM)
    with pytest.raises(DomainError) as err:
        record_tender_violation(firm, {"item_code": "EX-A-18-02", "tender_ref": "T-1/leak", "district_code": "310104",
                                       "facts": "Leaked the list of bidders before the deadline."}, actor=None)
    assert err.value.code == "item_kind"


def test_deadline_snapshot_is_stable_and_reasons_read_in_plain_words(app_ctx, make_firm, published_record):
    firm = make_firm()
    deadline = ago(days=30)
    before = score_at(firm, deadline).score
    published_record(firm, "SH-F-18-03", published_at=ago(days=5))  # published after the deadline
    assert score_at(firm, deadline).score == before == 100
    assert eligibility(firm, deadline).eligible and credit_factor(firm, deadline) == 1.0
    refused = eligibility(firm, ago(days=1))
    assert not refused.eligible and refused.reasons == ["seriously_untrustworthy_list", "grade_D_may_not_bid"]
    assert "严重失信名单" in refused.reason_texts[0] and "不得参加投标" in refused.reason_texts[0]
