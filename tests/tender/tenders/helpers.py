"""A published tender built straight from rows, for tests that need one without its whole history
(the route × role walk fills its URL parameters with it)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from core import clock
from core.extensions import db
from tender.tenders.models import (
    AgencyAppointment, AgencyStaff, Question, TenderDocument, TenderState,
)
from tender.tenders.operations import create_tender
from tender.tenders.operations.files import store_file
from tests.tender.tenders.conftest import PDF


def world_tender(tenderer, agency, firm, tenderer_user) -> dict:
    """A tender open for bids, run by ``agency``, with a document, a question from ``firm`` and agency staff."""
    now = clock.now()
    tender = create_tender(tenderer, {"community_name": "路由测试小区"}, actor=tenderer_user)
    tender.state = TenderState.PUBLISHED
    tender.published_at = now - timedelta(days=1)
    tender.bid_deadline = tender.opening_at = tender.original_deadline = now + timedelta(days=30)
    tender.documents_from, tender.documents_until = (now - timedelta(days=1)).date(), (now + timedelta(days=10)).date()
    stored = store_file(io.BytesIO(PDF), "招标文件.pdf")
    document = TenderDocument(tender_id=tender.id, version=1, digest=stored.digest, filename=stored.filename,
                              media_type=stored.media_type, size=stored.size, issued_at=tender.published_at)
    staff = AgencyStaff(agency_id=agency.id, name="代理人员", certificate_no="DL0001", joined_on=date(2024, 1, 1))
    db.session.add_all([document, staff])
    db.session.flush()
    db.session.add(AgencyAppointment(tender_id=tender.id, agency_id=agency.id, lead_staff_id=staff.id,
                                     contract_number="WT-1", contract_signed_on=date(2024, 5, 1)))
    question = Question(tender_id=tender.id, number=1, asker_id=firm.id, text="请问物业用房面积是多少？")
    db.session.add(question)
    db.session.commit()
    return {"tender_id": tender.id, "document_id": document.id, "question_id": question.id, "staff_id": staff.id,
            "code": question.code}
