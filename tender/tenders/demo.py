"""Demo tenders (演示数据): for a developer and for an owners' assembly, one tender in each state of
this stage — draft, waiting for filing (one of them overdue), returned, filed, announced with
registrations and an answered question, and cancelled — one of the developer's run by the demo agency.

Custodians get registered keys made here with the sealing package's key-file helpers; their key
files are written under the instance folder with one demo passphrase, printed by ``flask demo seed``
for the opening of a later stage. Running the seeder again adds nothing.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from core import clock
from core.accounts.models import User
from core.db import db
from tender.sealing import hpke, keyfile
from tender.sealing.operations import active_key, issue_registration_check, register_custodian_key
from tender.tenders import operations as ops
from tender.tenders.models import AgencyStaff, Tender

PASSPHRASE = "demo-custodian-2026"
KEY_DIR = "demo-custodian-keys"
# A one-page PDF, enough for the documents' type check and for a browser to open.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
STATES = ("draft", "pending_filing", "returned", "filed", "published", "cancelled")
DEVELOPER_TENDERS = {
    "draft": "滨江云锦苑", "pending_filing": "徐汇龙华雅苑", "returned": "徐汇漕河泾花园", "filed": "滨江观澜府",
    "published": "徐汇滨江壹号苑", "cancelled": "徐汇康健新苑",
}
ASSEMBLY_TENDERS = {
    "draft": "锦绣苑（三期）", "pending_filing": "锦绣苑（二期）", "returned": "锦绣苑（商业街）", "filed": "锦绣苑（东区）",
    "published": "锦绣苑", "cancelled": "锦绣苑（2025年）",
}
AGENCY_RUN = "pending_filing"  # the developer's tender the demo agency runs


def _key_for(user: User, folder: Path) -> str:
    """Give ``user`` a registered custodian key (the key file is kept under the instance folder)."""
    path = folder / f"{user.email}.json"
    if active_key(user) is not None and path.exists():
        return str(path)
    content, private = keyfile.create_key_file(PASSPHRASE, label=f"{user.name} (demo)", n=keyfile.MIN_SCRYPT_N)
    public = base64.b64encode(hpke.public_bytes(private.public_key())).decode()
    check = issue_registration_check(user, public)
    register_custodian_key(user, {"public_key": public, "context": check["context"], "origin": "cli",
                                  "answer": keyfile.answer_key_check(check, private), "label": "demo"}, actor=user)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2))
    path.chmod(0o600)
    return str(path)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), clock.SHANGHAI)


def _draft(org, officer, name: str, custodians: list[User], *, now: datetime, announced_on: date, agency=None,
           owners: bool = False) -> Tender:
    tender = ops.create_tender(org, {"community_name": name}, actor=officer)
    ops.update_tender(tender, {
        "address": org.address or "上海市", "buildings": 14, "households": 1120, "service_grade": 2,
        "service_scope": "共用部位与共用设施设备的维修养护、公共区域保洁、秩序维护、绿化养护、车辆停放管理和物业档案管理。",
        "fee_model": "lump_sum", "ceiling_fen": 320, "contract_months": 36, "bid_validity_days": 90,
        "qualifications": "依法注册的物业服务企业；拟派项目经理具有五年以上住宅项目管理经验。", "min_credit_score": 60,
        "bid_security_fen": 2000000, "documents_from": announced_on, "documents_until": announced_on + timedelta(days=10),
        "bid_deadline": _at(announced_on + timedelta(days=30)), "opening_at": _at(announced_on + timedelta(days=30)),
    }, actor=officer)
    ops.set_areas(tender, {"areas": {"residential": 98000, "commercial": 4200, "parking": 21000}}, actor=officer)
    if owners:
        ops.record_resolution(tender, {"resolved_on": now.date() - timedelta(days=40), "total_area_m2": 98000,
                                       "total_owners": 1120, "participating_area_m2": 71000, "participating_owners": 806,
                                       "approving_area_m2": 52000, "approving_owners": 590, "file": io.BytesIO(PDF),
                                       "filename": "业主大会决议.pdf"}, actor=officer, now=now)
    if agency is not None:
        staff = db.session.scalars(sa.select(AgencyStaff).where(AgencyStaff.agency_id == agency.id)).first()
        ops.appoint_agency(tender, {"agency": agency, "contract_number": "SC-WT-2026-018", "lead_staff": staff,
                                    "contract_signed_on": now.date() - timedelta(days=20), "file": io.BytesIO(PDF),
                                    "filename": "委托代理合同.pdf"}, actor=officer, now=now)
    ops.set_custodians(tender, {"user_ids": [u.id for u in custodians], "threshold": 2}, actor=officer)
    ops.add_document(tender, {"file": io.BytesIO(PDF), "filename": f"{name}前期物业招标文件.pdf"}, actor=officer, now=now)
    return tender


def _take(tender: Tender, state: str, officer, supervisor, firms: list, firm_users: list, *, now: datetime) -> None:
    if state == "draft":
        return
    submitted = now - timedelta(days=30) if state in ("published", "cancelled") else now
    if state == "pending_filing" and tender.kind.value == "preliminary":
        submitted = now - timedelta(days=10)  # overdue: it shows on the bureau's dashboard
    ops.submit_for_filing(tender, actor=officer, now=submitted)
    if state == "pending_filing":
        return
    if state == "returned":
        ops.return_tender(tender, {"reasons": "招标文件中的服务标准与项目概况不一致（概况为二级，文件写三级），请统一后重新提交。"},
                          actor=supervisor, now=now)
        return
    ops.file_tender(tender, {}, actor=supervisor, now=submitted + timedelta(days=1))
    if state == "filed":
        return
    ops.publish_tender(tender, actor=officer, now=submitted + timedelta(days=15))
    registered = []
    for user in firm_users:
        # Some demo firms carry credit records that keep them from bidding: they are skipped here,
        # and show the refusal when they try themselves.
        if ops.eligibility_of(user, now).eligible and len(registered) < 3:
            ops.register_for_tender(tender, {}, actor=user, now=now)
            registered.append(user)
    question = ops.ask_question(tender, {"text": "请问物业管理用房的位置和面积？是否包含业主活动室？"}, actor=registered[0], now=now)
    ops.answer_question(question, {"text": "物业管理用房位于3号楼底层，建筑面积320平方米，不含业主活动室。"}, actor=officer,
                        now=now)
    if state == "cancelled":
        ops.cancel_tender(tender, {"reason": "requirements_changed",
                                   "note": "业主大会决定调整服务范围，本次招标终止，调整后将重新招标。"}, actor=officer, now=now)


def seed(world) -> list[tuple[str, str, str]]:
    """Add the demo tenders; returns the login rows to print (none new) after printing the key files."""
    now = clock.now().replace(microsecond=0)
    folder = Path(current_app.instance_path) / KEY_DIR
    dev_officer = world.developer.memberships[0].user
    assembly_users = [m.user for m in sorted(world.assembly.memberships, key=lambda m: m.id)]
    agency_user = world.agency.memberships[0].user
    xuhui = world.supervisors[world.developer.district_code][0]
    pudong = world.supervisors[world.assembly.district_code][0]
    city = world.city_supervisor
    if not db.session.scalars(sa.select(AgencyStaff).where(AgencyStaff.agency_id == world.agency.id)).first():
        ops.add_staff(world.agency, {"name": "周丽娟", "certificate_no": "SHZB-2019-0871", "user_id": agency_user.id,
                                     "joined_on": date(2019, 3, 1)}, actor=agency_user)
        ops.add_staff(world.agency, {"name": "钱志远", "certificate_no": "SHZB-2021-1204", "joined_on": date(2021, 7, 1)},
                      actor=agency_user)
    keys = {u.email: _key_for(u, folder) for u in (dev_officer, xuhui, city, agency_user, pudong, *assembly_users[:2])}
    existing = set(db.session.scalars(sa.select(Tender.community_name)))
    for kind, org, officer, names, supervisor in (
        ("preliminary", world.developer, dev_officer, DEVELOPER_TENDERS, xuhui),
        ("owners", world.assembly, assembly_users[0], ASSEMBLY_TENDERS, pudong),
    ):
        for state in STATES:
            name = names[state]
            if name in existing:
                continue
            agency = world.agency if kind == "preliminary" and state == AGENCY_RUN else None
            if kind == "owners":
                custodians = [assembly_users[0], assembly_users[1], pudong]
            else:
                custodians = [dev_officer, agency_user if agency else city, xuhui]
            announced_on = (now - timedelta(days=15)).astimezone(clock.SHANGHAI).date() \
                if state in ("published", "cancelled") else (now + timedelta(days=12)).astimezone(clock.SHANGHAI).date()
            tender = _draft(org, officer, name, custodians, now=now, announced_on=announced_on, agency=agency,
                            owners=kind == "owners")
            _take(tender, state, officer, supervisor, world.firms, [f.memberships[0].user for f in world.firms],
                  now=now)
            db.session.flush()
    print(f"Demo custodian key files (passphrase for all: {PASSPHRASE}):")
    for email, path in keys.items():
        print(f"  {email:<32} {path}")
    return []


