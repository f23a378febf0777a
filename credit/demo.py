"""Demo credit history (演示数据): every due-process stage, on the demo firms, the demo tender agency and a few
registry-only firms; a listed firm and a listed project manager on the seriously-untrustworthy list.

Called by ``flask demo seed`` with the city supervisor as the actor, after the demo organisations
exist; finds the demo firms by kind, so it does not depend on fixed ids. Running it again adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from core.accounts.models import Organisation, OrgKind, OrgStatus
from core.accounts.uscc import make as make_uscc
from core import clock
from core.db import db
from credit.models import (
    ComplainantKind,
    CorrectionOutcome,
    CreditRecord,
    CreditSubject,
    Decision,
    ProjectManager,
    RecordSource,
)
from credit.operations import (
    add_managed_project,
    close_complaint,
    decide_correction,
    decide_record,
    expire_records,
    notify_record,
    object_to_record,
    open_record,
    publish_record,
    register_firm,
    register_manager,
    request_correction,
    seed_catalogue,
    submit_complaint,
    subject_for_organisation,
)
from credit.operations.catalogue import active_version
from credit.operations.complaints import mark_record_opened

MARK = "DEMO"
REGISTRY_ONLY = (
    ("上海申江物业管理有限公司", "310101"), ("上海浦江花园物业服务有限公司", "310115"), ("上海绿洲家园物业有限公司", "310112"),
    ("上海金桥物业管理有限公司", "310115"), ("上海明珠苑物业服务有限公司", "310107"), ("上海虹桥锦绣物业有限公司", "310105"),
)
PM_NAMES = ("王志明", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴芳", "徐强", "孙敏")


def demo_national_id(n: int) -> str:
    """A well-formed but fictitious resident ID number (demo data only)."""
    body = f"110105198{n % 10}0{(n % 9) + 1}1{(n % 9) + 1}{n:03d}"[:17]
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def _item(code: str):
    return next(i for i in active_version().items if i.code == code)


def _record(subject, code: str, ref: int, district: str, facts: str, occurred: date, actor, source=RecordSource.INSPECTION,
            complaint=None) -> CreditRecord:
    return open_record(subject, {
        "item": _item(code), "source": source, "source_ref": complaint.tracking_number if complaint else f"{MARK}-{ref:03d}",
        "facts": facts, "occurred_on": occurred, "district_code": district, "complaint_id": complaint.id if complaint else None,
    }, actor=actor)


def _through(record: CreditRecord, actor, notified: datetime, *, decision=Decision.UPHELD, points=None, publish=True,
             objection: str | None = None, answer: str | None = None) -> CreditRecord:
    notify_record(record, actor=actor, now=notified)
    if objection:
        object_to_record(record, {"grounds": objection}, actor=None, now=notified + timedelta(days=2))
    decided = notified + timedelta(days=20)
    decide_record(record, {
        "decision": decision, "points": points, "reasons": "经现场核查与书面材料比对，事实清楚，证据充分。",
        "objection_outcome": "rejected" if objection and decision != Decision.DISMISSED else ("accepted" if objection else None),
        "objection_answer": answer or "异议所附材料不足以推翻认定事实。",
    }, actor=actor, now=decided)
    if publish and decision != Decision.DISMISSED:
        publish_record(record, actor=actor, now=decided + timedelta(days=1))
    return record


def seed_credit(actor) -> list[tuple[str, str, str]]:
    """Build the demo credit history once; returns extra login lines for the seed command (none)."""
    seed_catalogue(actor=actor)
    if db.session.scalar(sa.select(CreditRecord.id).where(CreditRecord.source_ref.like(f"{MARK}-%")).limit(1)):
        return []
    now = clock.now()
    orgs = list(db.session.scalars(
        sa.select(Organisation).where(Organisation.kind == OrgKind.FIRM, Organisation.status == OrgStatus.VERIFIED)
        .order_by(Organisation.uscc)
    ))
    firms = [subject_for_organisation(o, actor=actor) for o in orgs]
    for n, (name, district) in enumerate(REGISTRY_ONLY, start=1):
        firms.append(register_firm({"uscc": make_uscc(f"91310000MA1D{n:05d}"), "name": name, "district_code": district,
                                    "qualification": "二级"}, actor=actor))
    head = firms[0]
    branch = register_firm({"uscc": make_uscc("91310115MA1D90001"), "name": head.name + "浦东分公司", "district_code": "310115",
                            "head_office_id": head.id}, actor=actor)
    managers: dict[int, list[ProjectManager]] = {}
    n = 0
    for firm in firms:
        managers[firm.id] = []
        for k in range(2):
            n += 1
            pm = register_manager(firm, {"certificate_no": f"SHWY{2015 + n % 8}{n:05d}", "name": PM_NAMES[n % len(PM_NAMES)],
                                         "national_id": demo_national_id(n), "started_on": date(2019, 3, 1)}, actor=actor)
            managers[firm.id].append(pm)
            add_managed_project(firm, {"community": f"{firm.name[2:4]}{'苑' if k else '花园'}{n}期", "floor_area_m2": 40000 + 15000 * k,
                                       "started_at": now - timedelta(days=900), "manager_id": pm.id,
                                       "district_code": firm.district_code}, actor=actor)
    d = lambda f: f.district_code or "310115"  # noqa: E731
    ago = lambda days: now - timedelta(days=days)  # noqa: E731
    a, b, c, e, f = (firms + firms)[0:5]
    # The demo tender agency, with a record of an irregular procedure (an example item).
    for org in db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrgKind.AGENCY,
                                                                Organisation.status == OrgStatus.VERIFIED)):
        agency = subject_for_organisation(org, actor=actor)
        _through(_record(agency, "EX-A-06-01", 15, agency.district_code or "310106", "开标时间未按招标公告执行且未书面通知投标人。",
                         ago(60).date(), actor), actor, ago(50))

    # Published serious record: the head office is listed; its branch's record also counts against it.
    _through(_record(a, "SH-F-18-04", 1, d(a), "专项维修资金账户被用于支付日常保洁费用。", ago(230).date(), actor), actor, ago(220))
    _through(_record(branch, "EX-F-03-01", 2, "310115", "分公司未在小区公示物业服务收费标准。", ago(130).date(), actor), actor, ago(120))
    _through(_record(managers[a.id][0], "SH-P-06-01", 3, d(a), "周末业务接待窗口连续三周未开放。", ago(100).date(), actor), actor, ago(90))
    # A listed project manager: a serious record in force.
    _through(_record(managers[b.id][1], "SH-P-18-06", 14, d(b), "将执业证书出借给他人挂靠承接项目。", ago(80).date(), actor), actor, ago(70))
    # In the objection window, and awaiting decision with an objection.
    notify_record(_record(b, "EX-F-06-01", 4, d(b), "电梯维保记录缺失，故障两周未修复。", ago(10).date(), actor), actor=actor, now=ago(1))
    waiting = _record(b, "EX-B-03-02", 5, d(b), "业主投诉未在规定时限内答复。", ago(20).date(), actor)
    notify_record(waiting, actor=actor, now=ago(15))
    object_to_record(waiting, {"grounds": "已于三日内电话答复业主，附通话记录截图。"}, actor=None, now=ago(13))
    # Drafts: from a resident's complaint, and an inspection finding.
    complaint = submit_complaint({
        "firm_name": c.name, "firm_uscc": c.uscc, "community": "静安新苑", "district_code": d(c),
        "description": "物业擅自将地下车库公共区域出租用于仓储，业主多次反映未果。", "complainant_kind": ComplainantKind.RESIDENT,
        "complainant_name": "演示住户 林女士", "complainant_phone": "13800000000", "occurred_on": ago(30).date(),
    })
    _record(c, "SH-F-18-06", 6, d(c), complaint.description, ago(30).date(), actor, source=RecordSource.COMPLAINT, complaint=complaint)
    mark_record_opened(complaint, actor=actor)
    # Decided but not yet published; dismissed after an objection.
    _through(_record(c, "EX-F-03-01", 7, d(c), "未按规定公示收费项目。", ago(40).date(), actor), actor, ago(30), publish=False)
    _through(_record(e, "EX-F-06-01", 8, d(e), "绿化养护未达合同约定标准。", ago(60).date(), actor), actor, ago(50),
             decision=Decision.DISMISSED, objection="合同附件约定的养护标准已达到，附第三方检测报告。",
             answer="检测报告证明养护达标，异议成立。")
    # Expired (published more than 3 years ago) and corrected after rectification.
    _through(_record(e, "SH-F-18-05", 9, d(e), "物业管理用房被改作经营用途。", ago(1200).date(), actor), actor, ago(1190))
    corrected = _through(_record(f, "EX-F-06-01", 10, d(f), "秩序维护人员配置低于合同约定。", ago(220).date(), actor), actor, ago(210))
    decide_correction(request_correction(corrected, {"statement": "已按合同补足秩序维护人员并经业委会确认。"}, actor=None, now=ago(60)),
                      {"outcome": CorrectionOutcome.APPROVED, "reasons": "现场核查人员配置已达标。"}, actor=actor, now=ago(55))
    pending = _through(_record(f, "EX-B-03-02", 11, d(f), "业主报修未按约定时限处理。", ago(200).date(), actor), actor, ago(190))
    request_correction(pending, {"statement": "档案已补齐并建立电子台账。"}, actor=None, now=ago(2))
    # Registry-only firms: imported history, with a reduced decision and good conduct.
    _through(_record(firms[-1], "SH-F-18-02", 12, d(firms[-1]), "聘用无职业资格人员担任项目负责人。", ago(400).date(), actor),
             actor, ago(390), decision=Decision.REDUCED, points=6)
    _through(_record(firms[-2], "EX-F-G-01", 13, d(firms[-2]), "获评市级物业管理优秀示范项目。", ago(100).date(), actor), actor, ago(95))
    # A complaint still waiting in the intake queue, and one closed without a record.
    submit_complaint({"firm_name": b.name, "community": "东方嘉苑", "district_code": d(b),
                      "description": "小区消防通道长期被占用，物业未处理。", "complainant_kind": ComplainantKind.OWNERS_COMMITTEE,
                      "complainant_name": "演示业委会 黄先生", "complainant_phone": "13900000000"})
    closed = submit_complaint({"firm_name": a.name, "community": "滨江花园", "district_code": d(a),
                               "description": "保安态度不好，希望改进服务。", "complainant_kind": ComplainantKind.RESIDENT,
                               "complainant_name": "演示住户 陈先生"})
    close_complaint(closed, {"reason": "属服务态度问题，已转物业公司整改，不构成信用记录事项。"}, actor=actor)
    expire_records(now=now, actor=actor)
    db.session.flush()
    return []


def seed(world) -> list[tuple[str, str, str]]:
    """The credit part of ``flask demo seed`` (registered by ``credit.init_app``)."""
    return seed_credit(world.city_supervisor)


__all__ = ["seed", "seed_credit", "CreditSubject"]
