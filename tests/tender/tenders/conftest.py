"""Tender fixtures: organisations and people, custodians with checked keys, and tenders at each stage.

The standard timeline: the tender is submitted and filed on Tue 1 Sep 2026, announced on Fri 11 Sep,
documents available until Fri 18 Sep, bids due (and opened) on Tue 20 Oct 2026 at 10:00 Shanghai time.
"""

from __future__ import annotations

import base64
import io
import itertools
import zipfile
from datetime import date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from core.accounts.models import MemberRole, OrgKind
from core.clock import SHANGHAI

_n = itertools.count(1)

SUBMITTED = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
ANNOUNCED = datetime(2026, 9, 11, 9, 0, tzinfo=SHANGHAI)
DEADLINE = datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI)
PDF = b"%PDF-1.7\n% tender documents\n" + b"0" * 200 + b"\n%%EOF\n"


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def register_key(user) -> X25519PrivateKey:
    """Register a custodian key for ``user`` through the sealing package's own check."""
    from core.extensions import db
    from tender.sealing import hpke, keyfile
    from tender.sealing.operations import issue_registration_check, register_custodian_key

    key = X25519PrivateKey.generate()
    public = base64.b64encode(hpke.public_bytes(key.public_key())).decode()
    check = issue_registration_check(user, public)
    register_custodian_key(user, {"public_key": public, "context": check["context"],
                                  "answer": keyfile.answer_key_check(check, key), "origin": "cli"}, actor=user)
    db.session.commit()
    return key


@pytest.fixture
def people(make_org, make_user):
    """people() -> a dict of a developer with its officer, an agency, a district bureau and firms."""

    def make(district: str = "310104"):
        from core.accounts import operations as ops
        from core.extensions import db

        ops.ensure_bureaus()
        db.session.commit()
        developer = make_org(OrgKind.DEVELOPER, district_code=district, address="徐汇区测试路1号")
        # Key custodians must sign in with a second factor, so these two have one from the start.
        officer = make_user(OrgKind.DEVELOPER, org=developer, name="开发商经办人", totp=True)
        colleague = make_user(OrgKind.DEVELOPER, org=developer, role=MemberRole.MEMBER, name="开发商同事", totp=True)
        agency = make_org(OrgKind.AGENCY, district_code=district)
        agent = make_user(OrgKind.AGENCY, org=agency, name="代理人")
        bureau = ops.bureau_for(district)
        supervisor = make_user(OrgKind.DISTRICT_BUREAU, org=bureau, role=MemberRole.MEMBER, name="区房管局")
        firms = [make_org(OrgKind.FIRM, name=f"上海测试物业{next(_n)}有限公司") for _ in range(2)]
        firm_users = [make_user(OrgKind.FIRM, org=f) for f in firms]
        return dict(developer=developer, officer=officer, colleague=colleague, agency=agency, agent=agent,
                    bureau=bureau, supervisor=supervisor, firms=firms, firm_users=firm_users)

    return make


@pytest.fixture
def make_tender(app_ctx, people, clock):
    """make_tender(stage="draft", **overrides) -> (tender, people): a complete tender taken to ``stage``
    (draft, pending_filing, filed, published) on the standard timeline."""
    from core.extensions import db
    from tender.tenders import operations as ops

    def make(stage: str = "draft", *, owners: bool = False, keys: bool = True, world=None, **overrides):
        p = world or people()
        clock.set(SUBMITTED)
        tenderer, officer = p["developer"], p["officer"]
        if owners:
            tenderer, officer = p["assembly"], p["assembly_officer"]
        tender = ops.create_tender(tenderer, {"community_name": overrides.pop("community_name", "锦绣花园")},
                                   actor=officer)
        facts = {"address": "徐汇区测试路1号", "buildings": 12, "households": 860, "service_grade": 2,
                 "service_scope": "公共区域保洁、秩序维护、绿化养护、共用设施设备维修养护", "fee_model": "lump_sum",
                 "ceiling_fen": 285, "contract_months": 36, "qualifications": "具有独立法人资格",
                 "bid_validity_days": 90, "bid_security_fen": None,
                 "documents_from": date(2026, 9, 11), "documents_until": date(2026, 9, 18),
                 "bid_deadline": DEADLINE, "opening_at": DEADLINE}
        facts.update({k: v for k, v in overrides.items() if k in facts or k == "min_credit_score"})
        ops.update_tender(tender, facts, actor=officer)
        ops.set_areas(tender, {"areas": {"residential": 85000, "commercial": 3000}}, actor=officer)
        if owners:
            ops.record_resolution(tender, {"resolved_on": date(2026, 8, 20), "total_area_m2": 30000,
                                           "total_owners": 300, "participating_area_m2": 20000,
                                           "participating_owners": 200, "approving_area_m2": 10001,
                                           "approving_owners": 101, "file": io.BytesIO(PDF),
                                           "filename": "决议.pdf"}, actor=officer)
        custodians = [officer, p["colleague"] if not owners else p["assembly_member"], p["supervisor"]]
        ops.set_custodians(tender, {"user_ids": [u.id for u in custodians], "threshold": 2}, actor=officer)
        ops.add_document(tender, {"file": io.BytesIO(PDF), "filename": "招标文件.pdf"}, actor=officer)
        db.session.commit()
        if keys:
            for u in custodians:
                register_key(u)
        if stage in ("pending_filing", "filed", "published"):
            ops.submit_for_filing(tender, actor=officer)
            db.session.commit()
        if stage in ("filed", "published"):
            ops.file_tender(tender, {}, actor=p["supervisor"])
            db.session.commit()
        if stage == "published":
            clock.set(ANNOUNCED)
            ops.publish_tender(tender, actor=officer)
            db.session.commit()
        p["tenderer_user"] = officer
        return tender, p

    return make


@pytest.fixture
def assembly_world(people, make_org, make_user):
    """assembly_world() -> people() plus an owners' assembly with its committee officer and member."""

    def make():
        p = people("310115")
        assembly = make_org(OrgKind.OWNERS_ASSEMBLY, district_code="310115", community="锦绣苑", uscc=None)
        p["assembly"] = assembly
        p["assembly_officer"] = make_user(OrgKind.OWNERS_ASSEMBLY, org=assembly, name="业委会主任")
        p["assembly_member"] = make_user(OrgKind.OWNERS_ASSEMBLY, org=assembly, role=MemberRole.MEMBER,
                                         name="业委会委员")
        return p

    return make


def in_shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)
