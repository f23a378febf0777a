"""Demo tenders of the award stage (演示数据): candidates under publicity (one with an objection waiting
for its answer), awarded with its filing waiting for the bureau, contracted with its fee notice (a
developer's, shown as the sales-office notice, and an owners' assembly's, as the community notice),
and one where the first candidate declined and the second took over, with the credit record draft.

The tenders are drafted, filed and announced with the tenders stage's own demo steps, in the past,
and the firms' bids sealed and sent with the bidding stage's demo steps (so each tender's receipt
chain is real). The opening and the scoring are skipped: the tender is set to evaluating and its
signed evaluation report is a minimal row. Everything from the publicity on is done with this
stage's operations. Running the seeder again adds nothing.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import FileStorage

from core import clock
from core.db import db
from tender.award import operations as ops
from tender.award.models import FilingKind
from tender.tenders.demo import KEY_DIR, PDF, _draft, _key_for, _take
from tender.tenders.models import Tender, TenderState
from tender.tenders.operations import eligibility_of

# name -> (tenderer: developer | assembly, what to take it to, days before now the report was signed)
TENDERS = {
    "徐汇星河湾": ("developer", "publicity", 1),
    "徐汇梧桐苑": ("developer", "objection", 1),
    "徐汇华庭": ("developer", "awarded", 20),
    "徐汇锦江苑": ("developer", "contracted", 50),
    "徐汇翠湖苑": ("developer", "next_candidate", 30),
    "锦绣苑（西区）": ("assembly", "contracted", 55),
}
SERVICE = ("共用部位与共用设施设备日常维修养护；公共区域保洁每日两次、垃圾日产日清；秩序维护24小时门岗与巡逻；"
           "绿化养护每月四次；车辆停放管理；物业服务档案管理。")


def _bids(tender: Tender, users: list, at: datetime) -> list:
    """Each firm's bid sealed to the tender's custodian keys and sent before the deadline, with its
    security declared (the bidding stage's demo steps); the bids are then taken as opened and valid."""
    from tender.bidding.demo import submit_demo_bid
    from tender.bidding.models.submission import BidStatus
    from tender.bidding.operations.submission import declare_security

    bids = []
    managers = ("陈建华", "刘文静", "张卫国")
    for n, user in enumerate(users, start=1):
        version = submit_demo_bid(tender, user, fee_fen=285 + 5 * n, manager=managers[n - 1], now=at)
        declare_security(tender, {"payer_account": f"31001{n:011d}", "payer_name": user.memberships[0].organisation.name},
                         actor=user, now=at)
        version.bid.status = BidStatus.VALID
        bids.append(version.bid)
    db.session.flush()
    return bids


def _report(tender: Tender, bids: list, signed_at: datetime) -> None:
    from tender.evaluation.models import EvaluationCandidate, EvaluationReport, ReportState

    report = EvaluationReport(tender_id=tender.id, state=ReportState.SIGNED, body={"demo": True},
                              sha256=f"{tender.id:064x}", created_at=signed_at, signed_at=signed_at)
    db.session.add(report)
    db.session.flush()
    managers = ("陈建华", "刘文静", "张卫国")
    for rank, bid in enumerate(bids, start=1):
        db.session.add(EvaluationCandidate(
            report_id=report.id, rank=rank, bid_id=bid.id, firm_id=bid.firm_id,
            total_score=Decimal("92.40") - 3 * rank, technical_score=Decimal("50.50") - rank,
            price_score=Decimal("14.20") - rank, presentation_score=Decimal("13.10"), credit_score=Decimal("4.60"),
            annual_total_fen=312_000_000 + 4_500_000 * rank, fee_model="lump_sum",
            project_manager_name=managers[rank - 1], project_manager_certificate=f"SHWY-2018-{1200 + rank}"))
    db.session.flush()


def _contract(tender: Tender, officer, supervisor, at: datetime) -> None:
    ops.submit_award_filing(tender, {"reasons": "第一中标候选人综合得分最高，公示期内无异议，确定其为中标人。"},
                            actor=officer, now=at)
    ops.decide_filing(tender, FilingKind.AWARD, {"decision": "file"}, actor=supervisor, now=at + timedelta(days=2))
    fees = {f"fee_{a.property_type.value}": {"residential": "2.95", "commercial": "5.20", "parking": "0.80"}
            .get(a.property_type.value, "2.00") for a in tender.areas}
    ops.submit_contract(tender, {"file": FileStorage(io.BytesIO(PDF), "物业服务合同.pdf"), "signed_on": at,
                                 "service_content": SERVICE, "term_months": "36", **fees},
                        actor=officer, now=at + timedelta(days=5))
    ops.decide_filing(tender, FilingKind.CONTRACT, {"decision": "file"}, actor=supervisor, now=at + timedelta(days=7))


def seed(world) -> list[tuple[str, str, str]]:
    """Add the award stage's demo tenders; returns no new logins."""
    now = clock.now().replace(microsecond=0)
    existing = set(db.session.scalars(sa.select(Tender.community_name)))
    folder = Path(current_app.instance_path) / KEY_DIR
    firm_users = [f.memberships[0].user for f in world.firms]
    for name, (side, goal, signed_days) in TENDERS.items():
        if name in existing:
            continue
        signed = now - timedelta(days=signed_days)
        past = signed - timedelta(days=20)  # announced 15 days before this; bids due 15 days after it
        org = world.developer if side == "developer" else world.assembly
        officers = [m.user for m in sorted(org.memberships, key=lambda m: m.id)]
        supervisor = world.supervisors[org.district_code][0]
        custodians = [officers[0], officers[1] if len(officers) > 1 else world.city_supervisor, supervisor]
        for user in custodians:
            _key_for(user, folder)
        tender = _draft(org, officers[0], name, custodians, now=past,
                        announced_on=(past - timedelta(days=15)).astimezone(clock.SHANGHAI).date(),
                        owners=side == "assembly")
        # Documents available for 20 days, so a public holiday inside them still leaves the working days needed.
        tender.documents_until = tender.documents_from + timedelta(days=20)
        _take(tender, "published", officers[0], supervisor, world.firms, firm_users, now=past)
        bidders = [u for u in firm_users if eligibility_of(u, past).eligible][:3]
        bids = _bids(tender, bidders, tender.bid_deadline - timedelta(days=2))
        tender.state = TenderState.EVALUATING  # closed, opened and evaluated: the report below is a minimal row
        _report(tender, bids, signed)
        ops.publish_candidates(tender, actor=officers[0], now=signed + timedelta(hours=3))
        if goal == "objection":
            ops.lodge_objection(tender, {"point": "project_manager",
                                         "reasons": "第一中标候选人拟派的项目经理目前仍在另一小区任职，无法同时到岗。"},
                                actor=bidders[1], now=now)
        if goal in ("publicity", "objection"):
            continue
        publicity = ops.state.current_publicity(tender)
        confirmed = publicity.ends_at + timedelta(hours=10)
        award = ops.confirm_award(tender, actor=officers[0], now=confirmed)
        ops.send_award_notices(award, now=confirmed)
        if goal == "awarded":
            ops.submit_award_filing(tender, {"reasons": "第一中标候选人综合得分最高，公示期内无异议，确定其为中标人。"},
                                    actor=officers[0], now=confirmed + timedelta(days=3))
        elif goal == "contracted":
            _contract(tender, officers[0], supervisor, confirmed + timedelta(days=3))
        elif goal == "next_candidate":
            second = ops.end_offer(tender, {"outcome": "declined",
                                            "note": "第一中标候选人收到中标通知书后书面表示放弃中标，未说明正当理由。"},
                                   actor=officers[0], now=confirmed + timedelta(days=4))
            ops.send_award_notices(second, now=confirmed + timedelta(days=4))
        db.session.flush()
    return []
