"""Demo expert profiles (演示数据): titles, practice, districts and employers for the 12 demo experts,
with one employer change waiting, one declared relation, one expert away next week and one
conduct record; a panel for the bidding demo's opened tender; and a tender whose evaluation is finished,
its report signed, with near-duplicate technical plans, an abnormally low price and two bids sent from
one device flagged and handled. Made through the operations; running the seed again adds nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from core import clock
from core.accounts.models import MemberRole, Membership, OrgKind
from core.accounts.uscc import make as make_uscc
from core.db import db
from tender.evaluation.operations import (
    declare_relation,
    mark_unavailable,
    profile_for,
    propose_employer_change,
    record_employment,
    record_expert_conduct,
    update_profile,
)

XUHUI, PUDONG, JINGAN, MINHANG, YANGPU, CHANGNING, HUANGPU, PUTUO = (
    "310104", "310115", "310106", "310112", "310110", "310105", "310101", "310107")
# (title, practice since, districts, current employer, its code or None, earlier employer or None)
PROFILES = (
    ("senior_engineer", date(2001, 9, 1), (XUHUI, CHANGNING, HUANGPU), "同济大学建筑设计研究院（集团）有限公司", "1231000042500001", None),
    ("senior_economist", date(1998, 3, 1), (PUDONG, HUANGPU, XUHUI), "上海市房地产科学研究院", "1231000042500002", "上海陆家嘴物业管理有限公司"),
    ("professor_engineer", date(1995, 7, 1), (XUHUI, MINHANG), "上海交通大学", "1231000042500003", None),
    ("senior_engineer", date(2006, 4, 1), (JINGAN, PUTUO, HUANGPU, XUHUI), "上海市物业管理行业协会", "5131000050000004", None),
    ("senior_accountant", date(2003, 1, 1), (JINGAN, CHANGNING), "立信会计师事务所（特殊普通合伙）", "9131000008500005", None),
    ("senior_engineer", date(2009, 6, 1), (PUDONG, YANGPU, XUHUI), "上海建科工程咨询有限公司", "9131000013200006", None),
    ("senior_economist", date(2000, 10, 1), (MINHANG, XUHUI, PUDONG), "华东师范大学", "1231000042500007", None),
    ("senior_engineer", date(2004, 2, 1), (YANGPU, PUTUO, XUHUI), "上海市政工程设计研究总院（集团）有限公司", "9131000013200008", None),
    ("engineer", date(2012, 5, 1), (MINHANG, PUDONG), "上海临港物业服务有限公司", "9131000013200009", None),
    ("senior_engineer", date(1999, 8, 1), (HUANGPU, JINGAN, XUHUI), "上海电气集团股份有限公司", "9131000013200010", None),
    ("senior_engineer", date(2019, 9, 1), (CHANGNING, PUTUO), "上海市安装工程集团有限公司", "9131000013200011", None),
    ("senior_accountant", date(2002, 11, 1), (PUDONG, JINGAN, YANGPU, XUHUI), "上海财经大学", "1231000042500012", None),
)


def _expert_membership(user) -> Membership | None:
    return db.session.scalar(sa.select(Membership).join(Membership.organisation).where(
        Membership.user_id == user.id, Membership.role == MemberRole.EXPERT, Membership.active))


def _code(digits: str) -> str:
    return make_uscc(digits.ljust(17, "0"))


def seed(world) -> list:
    """Give every demo expert a profile (once); returns no further logins."""
    city_user = world.city_supervisor
    today = clock.today()
    firms = [f for f in world.firms if f.kind == OrgKind.FIRM]
    for n, (user, values) in enumerate(zip(world.experts, PROFILES), start=1):
        membership = _expert_membership(user)
        if membership is None or profile_for(membership) is not None:
            continue
        title, since, districts, employer, code, earlier = values
        profile = update_profile(membership, {"title": title, "practice_since": since, "districts": list(districts),
                                              "title_certificate": f"沪高职{since.year}-{n:04d}"}, actor=user)
        if earlier:
            record_employment(profile, {"employer_name": earlier, "started_on": since,
                                        "ended_on": date(2014, 12, 31), "position": "工程部经理"}, actor=city_user)
        started = date(2015, 1, 1) if earlier else since
        record_employment(profile, {"employer_name": employer, "employer_uscc": _code(code), "started_on": started,
                                    "position": "高级顾问"}, actor=city_user)
        if n == 3 and firms:
            propose_employer_change(membership, {"employer_name": firms[1].name, "employer_uscc": firms[1].uscc,
                                                 "position": "技术总监", "started_on": today + timedelta(days=14)},
                                    actor=user)
        if n == 5 and firms:
            declare_relation(membership, {"person_name": "何立新", "relationship_kind": "sibling",
                                          "organisation_name": firms[0].name, "organisation_uscc": firms[0].uscc,
                                          "person_role": "法定代表人"}, actor=user)
        if n == 7:
            monday = today + timedelta(days=7 - today.weekday())
            mark_unavailable(membership, {"starts_on": monday, "ends_on": monday + timedelta(days=4),
                                          "reason": "出差"}, actor=user)
        if n == 8:
            record_expert_conduct(profile, {"kind": "late_locking", "occurred_on": today - timedelta(days=60),
                                            "note": "评分锁定晚于规定时间 40 分钟（演示数据）"}, actor=city_user)
    db.session.flush()
    _panel_for_opened_tender(world)
    _signed_evaluation(world)
    return []


def _panel_for_opened_tender(world) -> None:
    """The bidding demo's opened tender gets its committee: drawn by the developer with a witness text,
    every drawn expert accepting, so the tender is evaluating and the demo experts can score it."""
    from tender.bidding.demo_opening import NAMES
    from tender.evaluation.operations import committee
    from tender.tenders.models import Tender, TenderState

    tender = db.session.scalar(sa.select(Tender).where(Tender.community_name == NAMES["opened"],
                                                       Tender.tenderer_id == world.developer.id))
    if tender is None or tender.state != TenderState.OPENED or committee.panel_of(tender) is not None:
        return
    officer = world.developer.memberships[0].user
    starts = clock.now().replace(second=0, microsecond=0) + timedelta(hours=20)
    committee.prepare_tender_draw(tender, {"evaluation_starts_at": starts, "members": 5, "reserves": 2},
                                  actor=officer, membership=world.developer.memberships[0])
    panel = committee.perform_tender_draw(tender, {"witness": f"{clock.today().isoformat()} 徐汇区房管局 演示见证"},
                                          actor=officer, membership=world.developer.memberships[0])
    for invitation in list(panel.invitations):
        committee.send_invitation(invitation)
        committee.answer_invitation(invitation, {"answer": "accept"}, actor=invitation.membership.user)
    db.session.flush()


SIGNED = "徐汇康健丽苑"  # the tender with a finished, signed evaluation report
_TECHNICAL = (
    "第一章 项目理解 Project understanding\n本项目位于徐汇区，共十二栋住宅。我们将以业主满意为目标，建立二十四小时客服中心。\n"
    "第二章 组织架构 Organisation\n项目部设经理一名，客服、秩序、保洁、绿化、工程五个班组，实行网格化管理。",
    "第一章 项目理解 Project understanding\n本项目位于徐汇区，共十二栋住宅。我们将以业主满意为目标，建立二十四小时客服中心。\n"
    "第二章 组织架构 Organisation\n项目部设经理一名，客服、秩序、保洁、绿化、工程五个班组，实行片区化管理。",
    "一、对项目的认识 Our view of the estate\n小区规模较大，公共区域多，需要精细化保洁和绿化养护。\n"
    "二、服务方案 Service plan\n秩序维护实行门岗加巡逻，设备设施按计划保养，急修三十分钟到场。",
)
_FEES = (262, 270, 150)  # the third far below the others: abnormally low
_DEVICES = ("demo-device-kangjian-1", "demo-device-kangjian-2", "demo-device-kangjian-2")  # two bids, one device
_NOTE = "已复核：评标委员会查阅相关投标文件并讨论后记录处理意见（演示数据）。"


def _pdf(text: str, author: str, created) -> bytes:
    """A small PDF with Chinese and English text drawn with ReportLab's CID font."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    pdf.setAuthor(author)
    pdf.setTitle(f"{author}技术标")
    pdf.setDateFormatter(lambda *_args: created.strftime("D:%Y%m%d%H%M%S+00'00'"))
    for page in (text, "附：服务承诺与考核指标 Service commitments"):
        pdf.setFont(font, 11)
        y = 800
        for paragraph in page.split("\n"):
            for start in range(0, max(len(paragraph), 1), 38):
                pdf.drawString(50, y, paragraph[start:start + 38])
                y -= 17
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _totp_code(user) -> str:
    """The demo authenticator's code for a step not used yet (demo accounts share the printed secret)."""
    from core.auth import totp

    step = totp.current_step()
    if user.totp_last_step is not None and user.totp_last_step >= step:
        user.totp_last_step = step - 1  # demo data: as if the expert had waited for the next code
        db.session.flush()
    return totp.code_at(user.totp_secret, step)


def _signed_evaluation(world) -> None:
    """A tender past its deadline, opened with the custodians' demo key files, scored, locked, flagged
    (two near-duplicate technical plans, one abnormally low price, two bids from one device), every
    flag handled and the report signed by every expert, ready for the award stage."""
    from pathlib import Path

    from flask import current_app

    from core.demo import _enrol_demo_second_factor
    from tender import sealing
    from tender.bidding.demo import DEMO_CLIENT, MANAGERS, demo_sheet, demo_tender_past_deadline, submit_demo_bid
    from tender.bidding.demo_opening import _shares
    from tender.bidding.operations import opening as opening_ops
    from tender.bidding.operations.closing import close_tender
    from tender.evaluation.models import SheetPart
    from tender.evaluation.operations import committee, results, scoring
    from tender.tenders import demo as tenders_demo
    from tender.tenders.models import Tender, TenderState

    if db.session.scalar(sa.select(Tender.id).where(Tender.community_name == SIGNED)) is not None:
        return
    tender, users = demo_tender_past_deadline(world, SIGNED, days_ago=3)
    deadline = tender.bid_deadline
    for n, user in enumerate(users[:3]):
        firm = user.active_memberships()[0].organisation
        written = deadline - timedelta(days=12 + 4 * n)
        documents = [sealing.Document.from_bytes("技术方案.pdf", _pdf(_TECHNICAL[n], firm.name, written), "technical"),
                     sealing.Document.from_bytes("商务文件.pdf", _pdf(f"{firm.name} 商务文件 Business part", firm.name,
                                                                   written), "business")]
        manager = {"name": MANAGERS[n], "certificate_no": f"SHWY-PM-{7100 + n}", "phone": f"1380021{n:04d}"}
        sheet = demo_sheet(tender, _FEES[n], MANAGERS[n], project_manager=manager,
                           contact={"name": MANAGERS[n], "phone": f"021-6400{n + 1:04d}"})
        submit_demo_bid(tender, user, fee_fen=_FEES[n], manager=MANAGERS[n], now=deadline - timedelta(days=2, hours=n),
                        sheet=sheet, documents=documents,
                        client={**DEMO_CLIENT, "address": f"10.20.0.{n + 1}", "device": _DEVICES[n]})
    close_tender(tender, now=deadline)
    officer = world.developer.memberships[0].user
    xuhui = world.supervisors[world.developer.district_code][0]
    folder = Path(current_app.instance_path) / tenders_demo.KEY_DIR
    opened_at = deadline + timedelta(minutes=5)
    for user in (officer, world.city_supervisor, xuhui)[:2]:
        data = _shares(tender, user, folder, opened_at)
        if data is not None:
            opening_ops.submit_shares(tender, data, actor=user, now=opened_at, via="cli")
    opening = opening_ops.opening_of(tender)
    if opening is not None:  # the seed opens at once what the opening job would open (it then finds it opened)
        from tender.bidding.operations.unsealing import run_opening

        run_opening(opening.id, now=opened_at)
    db.session.flush()
    if tender.state != TenderState.OPENED:
        raise RuntimeError(f"the demo tender {SIGNED} did not open: {tender.state.value}")
    membership = world.developer.memberships[0]
    starts = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=10)  # the committee sits today
    committee.prepare_tender_draw(tender, {"evaluation_starts_at": starts, "members": 5, "reserves": 2},
                                  actor=officer, membership=membership)
    panel = committee.perform_tender_draw(tender, {"witness": f"{clock.today().isoformat()} 徐汇区房管局 演示见证"},
                                          actor=officer, membership=membership)
    for invitation in list(panel.invitations):
        committee.send_invitation(invitation)
        committee.answer_invitation(invitation, {"answer": "accept"}, actor=invitation.membership.user)
    db.session.flush()
    members = [i.membership for i in committee.panel_members(panel)]
    for m in members:
        _enrol_demo_second_factor(m.user)
    for part in scoring.parts_of(tender):
        if part == SheetPart.PRESENTATION and panel.lot is None:
            scoring.prepare_lot(panel, actor=members[0].user, membership=members[0])
            scoring.perform_lot(panel, {"witness": "答辩抽签 演示见证"}, actor=members[0].user, membership=members[0])
        items = scoring.items_of(tender, part)
        for m in members:
            entries = [{"bid": c.code, "item": i.key, "points": str((i.max_points * Decimal("0.75")).normalize()),
                        "reason": "评分理由：方案内容完整，措施具体可行。"} for c in panel.codes for i in items]
            scoring.save_sheet(panel, m, part, {"revision": 0, "scores": entries}, actor=m.user)
            scoring.lock_sheet(panel, m, part, {"code": _totp_code(m.user)}, actor=m.user)
    db.session.flush()
    results.compute_flags(panel)
    for flag in list(panel.flags):
        handler = next((m for m in members if results.flag_actions(flag, m)), None)
        if handler is None:
            continue
        acts = results.flag_actions(flag, handler)
        action = "confirm" if "confirm" in acts else ("referred" if flag.kind == "abnormally_low" else "no_action")
        results.handle_flag(flag, handler, {"action": action, "note": _NOTE}, actor=handler.user)
    from tender.evaluation.operations.report import report_of

    report = report_of(tender)
    for m in members:
        results.sign_report(report, m, {"sha256": report.sha256, "code": _totp_code(m.user)}, actor=m.user)
    db.session.flush()
    print(f"Demo evaluation report signed: {SIGNED} ({tender.reference}), /tenders/{tender.id}/evaluation")
