"""Demo expert profiles (演示数据): titles, practice, districts and employers for the 12 demo experts,
with one employer change waiting, one declared relation, one expert away next week and one
conduct record. Made through the operations; running the seed again adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

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
