"""Filing the award and the contract with the district bureau: the periods, overdue items with the
clock moved, idempotent reminders, the bureau filing or returning, and the public fee notice."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import FileStorage

from core.clock import SHANGHAI
from core.db import DomainError
from core.extensions import db
from core.jobs.models import Notification
from tender.award import operations as ops
from tender.award.models import FilingKind, FilingState
from tender.tenders.models import TenderState
from tests.tender.tenders.conftest import PDF

US = timedelta(microseconds=1)
CONTRACT_PDF = PDF.replace(b"tender documents", b"contract: penalty clause 7.3 private")


def _awarded(awarding, clock):
    tender, p, publicity, bids = awarding()
    clock.set(publicity.ends_at + timedelta(hours=10))  # Sat 31 Oct 2026, 09:59 Shanghai time
    award = ops.confirm_award(tender, actor=p["officer"])
    db.session.commit()
    return tender, p, award, bids


def contract_data(**overrides) -> dict:
    data = {"file": FileStorage(io.BytesIO(CONTRACT_PDF), "物业服务合同.pdf"), "signed_on": None,
            "service_content": "公共区域保洁每日两次；24小时秩序维护；绿化养护每月四次；电梯维保按国家标准。",
            "fee_residential": "2.45", "fee_commercial": "4.80", "term_months": "36"}
    data.update(overrides)
    return data


def test_filing_and_contract_periods_are_15_and_30_days_from_the_award(awarding, clock):
    tender, p, award, _bids = _awarded(awarding, clock)
    assert award.confirmed_at.astimezone(SHANGHAI).date() == date(2026, 10, 31)
    assert award.filing_due_at.astimezone(SHANGHAI).date() == date(2026, 11, 15)
    assert award.contract_due_at.astimezone(SHANGHAI).date() == date(2026, 11, 30)


def test_overdue_award_and_contract_with_the_clock_moved(awarding, clock, login, client):
    tender, p, award, _bids = _awarded(awarding, clock)
    assert ops.overdue(award.filing_due_at) == []
    assert [(a.id, k) for a, k in ops.overdue(award.filing_due_at + US)] == [(award.id, FilingKind.AWARD)]
    clock.set(award.contract_due_at + US)
    assert {k for _a, k in ops.overdue(award.contract_due_at + US)} == {FilingKind.AWARD, FilingKind.CONTRACT}
    login(p["supervisor"])
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "Award filings overdue: 1" in page and "Contracts overdue: 1" in page


def test_reminders_are_sent_once_per_stage(awarding, clock):
    tender, p, award, _bids = _awarded(awarding, clock)
    assert ops.send_reminders(award.filing_due_at - timedelta(days=4)) == 0
    assert ops.send_reminders(award.filing_due_at - timedelta(days=2)) == 1  # the award filing is due soon
    assert ops.send_reminders(award.filing_due_at - timedelta(days=1)) == 0
    assert ops.send_reminders(award.filing_due_at + US) == 1  # overdue: the tenderer and the bureau
    assert ops.send_reminders(award.filing_due_at + timedelta(days=1)) == 0
    db.session.commit()
    kinds = db.session.scalars(db.select(Notification.message_id).where(Notification.message_id.like("award.%due%"))).all()
    assert sorted(set(kinds)) == ["award.due_soon", "award.overdue"]
    told = db.session.scalars(db.select(Notification.user_id).where(Notification.message_id == "award.overdue")).all()
    assert p["supervisor"].id in told and p["officer"].id in told
    # A filed award is not reminded of again.
    ops.submit_award_filing(tender, {"reasons": "综合得分最高，且无异议。"}, actor=p["officer"])
    db.session.commit()
    assert ops.send_reminders(award.contract_due_at - timedelta(days=2)) == 1  # only the contract


def test_the_bureau_files_or_returns_with_reasons_and_the_contract_ends_the_tender(awarding, clock):
    tender, p, award, bids = _awarded(awarding, clock)
    filing = ops.submit_award_filing(tender, {"reasons": "综合得分最高，且公示期内异议已答复。"}, actor=p["officer"])
    db.session.commit()
    roles = {d["role"] for d in filing.documents}
    assert {"evaluation_report", "winning_bid"} <= roles
    with pytest.raises(DomainError):
        ops.decide_filing(tender, FilingKind.AWARD, {"decision": "return", "reasons": "短"}, actor=p["supervisor"])
    db.session.rollback()
    ops.decide_filing(tender, FilingKind.AWARD, {"decision": "return", "reasons": "未附定标会议纪要，请补充。"},
                      actor=p["supervisor"])
    db.session.commit()
    assert filing.state == FilingState.RETURNED
    ops.submit_award_filing(tender, {"reasons": "已补充定标会议纪要。综合得分最高。"}, actor=p["officer"])
    ops.submit_contract(tender, contract_data(), actor=p["officer"])
    db.session.commit()
    with pytest.raises(DomainError) as order:
        ops.decide_filing(tender, FilingKind.CONTRACT, {"decision": "file"}, actor=p["supervisor"])
    assert order.value.code == "award_not_filed"
    db.session.rollback()
    ops.decide_filing(tender, FilingKind.AWARD, {"decision": "file"}, actor=p["supervisor"])
    ops.decide_filing(tender, FilingKind.CONTRACT, {"decision": "file"}, actor=p["supervisor"])
    db.session.commit()
    assert tender.state == TenderState.CONTRACTED
    assert bids[0].security.returned_at is not None  # the winner's security, once the contract is filed


def test_contract_input_errors_change_nothing(awarding, clock):
    tender, p, award, _bids = _awarded(awarding, clock)
    for bad in ({"fee_residential": "abc"}, {"service_content": "短"}, {"term_months": "0"},
                {"file": FileStorage(io.BytesIO(b"not a pdf"), "x.pdf")}):
        with pytest.raises(DomainError):
            ops.submit_contract(tender, contract_data(**bad), actor=p["officer"])
        db.session.rollback()
    assert award.filings == []


def test_the_fee_notice_shows_only_the_public_part(awarding, clock, client):
    tender, p, award, _bids = _awarded(awarding, clock)
    assert client.get(f"/tenders/{tender.id}/fees").status_code == 404
    ops.submit_award_filing(tender, {"reasons": "综合得分最高，且无异议。"}, actor=p["officer"])
    ops.submit_contract(tender, contract_data(), actor=p["officer"])
    ops.decide_filing(tender, FilingKind.AWARD, {"decision": "file"}, actor=p["supervisor"])
    ops.decide_filing(tender, FilingKind.CONTRACT, {"decision": "file"}, actor=p["supervisor"])
    db.session.commit()
    contract = award.filing(FilingKind.CONTRACT).documents[0]
    page = client.get(f"/tenders/{tender.id}/fees?lang=en").get_data(as_text=True)
    assert "24小时秩序维护" in page and "2.45" in page and "4.80" in page and "36 months" in page
    assert p["firms"][0].name in page and "Notice for the sales office" in page  # a developer's tender
    assert contract["sha256"] not in page and "物业服务合同.pdf" not in page and "penalty" not in page
    assert "/award/files/" not in page and "annual" not in page.lower()
    listing = client.get("/tenders/fees").get_data(as_text=True)
    assert tender.community_name in listing
    api = client.get(f"/api/v1/tenders/{tender.id}/fee-notice").get_json()
    assert set(api) == {"tender_id", "community_name", "firm_name", "service_content", "fee_model", "fees",
                        "term_months", "filed_at"}
