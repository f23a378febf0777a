"""An opened tender built directly: bids with their final versions, securities, price sheets and
technical PDFs in blob storage, the opening completed; and a pool of experts with authenticators."""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta

from tests.tender.evaluation.documents import make_pdf

_n = itertools.count(1)

TECHNICAL = [
    "第一章 项目理解\n本项目位于徐汇区，共十二栋住宅。我们将以业主满意为目标，建立二十四小时客服中心。\n"
    "第二章 组织架构\n项目部设经理一名，客服、秩序、保洁、绿化、工程五个班组。",
    "一、对项目的认识\n小区规模较大，公共区域多，需要精细化保洁和绿化养护。\n"
    "二、服务方案\n秩序维护实行门岗加巡逻，设备设施按计划保养，急修三十分钟到场。",
    "项目概况与服务定位\n以二级服务标准为基础，提升智慧物业水平，引入门禁与停车管理系统。\n"
    "应急预案\n针对火灾、电梯困人、水管爆裂等制定预案并定期演练。",
]


def price_sheet(annual_yuan: int, *, manager: str, n: int) -> dict:
    return {
        "schema_version": 1, "fee_model": "lump_sum",
        "fees": [{"property_type": "residential", "fee_fen_per_m2_month": 250}],
        "commission_rate_bp": None, "commission_fixed_fen": None,
        "annual_total_fen": annual_yuan * 100, "labour_cost_monthly_fen": 30000000,
        "staffing": [{"post": "保洁", "headcount": 10, "monthly_cost_fen": 4000000},
                     {"post": "秩序维护", "headcount": 12, "monthly_cost_fen": 6000000}],
        "project_manager": {"name": manager, "certificate_no": f"PM-{n:04d}", "phone": f"1380000{n:04d}"},
        "contact": {"name": f"联系人{n}", "phone": f"1390000{n:04d}"},
        "key_people": [{"name": f"主管{n}", "post": "客服主管", "certificate_no": f"KP-{n:04d}",
                        "id_number": f"31010419800101{n:04d}", "phone": f"1370000{n:04d}"}],
    }


def open_tender(app, tender, firms, uploaders, prices_yuan, *, texts=None, device_ids=None, clock=None) -> list:
    """Take a published tender through its deadline and opening with one valid bid per firm."""
    from core.blobs import BlobStore
    from core.extensions import db
    from tender.bidding.models import (
        Bid, BidDocument, BidPriceSheet, BidSecurity, BidStatus, BidVersion, Opening, OpeningState,
    )
    from tender.tenders.models import TenderState
    from tender.tenders.operations.lifecycle import transition

    store = BlobStore.from_config(app.config)
    texts = texts or TECHNICAL
    deadline = tender.bid_deadline
    if clock is not None:
        clock.set(deadline + timedelta(minutes=30))
    transition(tender, TenderState.CLOSED, actor=None)
    bids = []
    for index, (firm, uploader, yuan) in enumerate(zip(firms, uploaders, prices_yuan)):
        n = next(_n)
        bid = Bid(tender_id=tender.id, firm_id=firm.id, ref=f"bid-{tender.id}-{n}", status=BidStatus.VALID)
        db.session.add(bid)
        db.session.flush()
        version = BidVersion(bid_id=bid.id, version=1, envelope_blob="0" * 64, envelope_sha256="0" * 64,
                             envelope_size=1000, received_at=deadline - timedelta(hours=index + 1), receipt={},
                             uploader_id=uploader.id, remote_addr=f"10.0.0.{index + 1}", user_agent="test",
                             device_id=(device_ids or {}).get(index, f"device-{n}"))
        db.session.add(version)
        db.session.flush()
        bid.current_version_id = version.id
        db.session.add(BidSecurity(bid_id=bid.id, amount_fen=1000000, payer_account=f"6222000{n:06d}",
                                   payer_name=firm.name))
        db.session.add(BidPriceSheet(bid_id=bid.id, **price_sheet(yuan, manager=f"项目经理{n}", n=n)))
        text = texts(index, firm) if callable(texts) else texts[index % len(texts)]
        pdf = make_pdf([text, "附：服务承诺与考核指标"], author=firm.name, title=f"{firm.name}技术标",
                       creator="Microsoft Word")
        stored = store.put_bytes(pdf)
        db.session.add(BidDocument(bid_id=bid.id, part="technical", name=f"{firm.name}技术标.pdf", blob=stored.digest,
                                   sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), media_type="application/pdf",
                                   position=1))
        bids.append(bid)
    db.session.add(Opening(tender_id=tender.id, state=OpeningState.OPENED, scheduled_at=deadline,
                           quorum_due_at=deadline + timedelta(hours=1), started_at=deadline,
                           completed_at=deadline + timedelta(minutes=20), record={}, received=len(bids),
                           valid=len(bids), invalid=0))
    transition(tender, TenderState.OPENED, actor=None)
    db.session.commit()
    return bids


def small_scheme(scheme: dict) -> dict:
    """The default scheme with a short technical block (three items) and no presentation items, for journeys."""
    import copy

    result = copy.deepcopy(scheme)
    for block in result["blocks"]:
        if block["key"] == "technical":
            block["items"] = [["understanding", 8], ["organisation", 8], ["emergency", 6]]
            block["points"] = 22
        elif block["key"] == "business":
            block["items"] = [["similar_projects", 4]]
            block["points"] = 4
        elif block["key"] == "presentation":
            block["items"], block["points"] = [], 0
    return result
