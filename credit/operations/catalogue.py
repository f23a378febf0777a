"""The conduct catalogue: seeding, drafting a new version, editing items, activating."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

from flask_babel import gettext as _

from core import clock
from core.audit.operations import record_event
from core.db import DomainError, db
from credit.rules import REGISTRY_START
from credit.models import CatalogueStatus, CatalogueVersion, ConductItem, ConductKind, CreditPolicy, GradeRule, Severity, SubjectKind

STANDARD_CSV = Path(__file__).resolve().parent.parent / "data" / "conduct-catalogue-shanghai-2012.csv"
STANDARD_LABEL = "上海市物业服务企业和项目经理信用信息评价试行标准 (2012)"

# Publication and correction periods by severity, after the national credit repair rules:
# minor ≤ 3 months, general 3 months to 1 year, serious 1 to 3 years.
PERIODS = {
    Severity.SERIOUS: (36, 12),
    Severity.GENERAL: (12, 3),
    Severity.MINOR: (3, 0),
}

# Items the published standard is not readable for: clearly labelled examples, to be replaced by the
# city bureau. Codes start with EX-.
EXAMPLE_ITEMS = [
    ("EX-F-06-01", SubjectKind.FIRM, ConductKind.BAD, Severity.GENERAL, 6,
     "未按合同约定履行物业服务义务经查实", "Failing to perform contracted property services, as verified"),
    ("EX-F-06-02", SubjectKind.FIRM, ConductKind.BAD, Severity.GENERAL, 6,
     "中标后无正当理由拒不签订物业服务合同", "Refusing without good reason to sign the service contract after winning a tender"),
    ("EX-F-18-01", SubjectKind.FIRM, ConductKind.BAD, Severity.SERIOUS, 18,
     "投标文件提供虚假材料", "Providing false material in a bid"),
    ("EX-F-03-01", SubjectKind.FIRM, ConductKind.BAD, Severity.GENERAL, 3,
     "未按规定公示物业服务收费项目和标准", "Not displaying service charges and standards as required"),
    ("EX-B-03-02", SubjectKind.BOTH, ConductKind.BAD, Severity.GENERAL, 3,
     "未按规定及时处理业主投诉", "Not handling owners' complaints in time as required"),
    ("EX-B-01-01", SubjectKind.BOTH, ConductKind.BAD, Severity.MINOR, 1,
     "物业服务档案资料不完整", "Incomplete property-service records"),
    ("EX-P-01-02", SubjectKind.PROJECT_MANAGER, ConductKind.BAD, Severity.MINOR, 1,
     "未按规定参加继续教育", "Not attending required continuing education"),
    ("EX-F-G-01", SubjectKind.BOTH, ConductKind.GOOD, Severity.MINOR, 2,
     "获市级物业管理优秀示范项目称号", "Awarded a city-level model property-management project title"),
    # Tender agencies (招标代理机构): no official catalogue text for agencies was confirmed.
    ("EX-A-18-01", SubjectKind.AGENCY, ConductKind.BAD, Severity.SERIOUS, 18,
     "代理机构参与投标或为投标人提供咨询", "Agency bidding itself or advising bidders on a tender it runs"),
    ("EX-A-18-02", SubjectKind.AGENCY, ConductKind.BAD, Severity.SERIOUS, 18,
     "泄露应当保密的招标投标信息", "Disclosing tender information that must be kept confidential"),
    ("EX-A-06-01", SubjectKind.AGENCY, ConductKind.BAD, Severity.GENERAL, 6,
     "未按规定程序组织招标投标活动", "Running a tender procedure in breach of the required steps"),
]

DEFAULT_GRADES = [("A", 95, True, 1000), ("B", 85, True, 900), ("C", 70, True, 700), ("D", -10000, False, 0)]


def standard_rows() -> list[dict]:
    with STANDARD_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def catalogue_rows() -> list[dict]:
    """The initial catalogue: the 2012 standard's readable items, then the labelled examples."""
    rows = []
    for r in standard_rows():
        severity = Severity(r["severity"]) if r["severity"] in Severity._value2member_map_ else Severity.GENERAL
        months, correction = PERIODS[severity]
        rows.append(dict(
            code=r["code"], subject_kind=SubjectKind(r["subject"]), kind=ConductKind.BAD, severity=severity,
            points=int(r["points"]), title_zh=r["title_zh"], title_en=r["title_en"], basis=r["basis"] or STANDARD_LABEL,
            source_url=r["source"], publication_months=months, correction_after_months=correction, is_example=False,
        ))
    for code, subject, kind, severity, points, zh, en in EXAMPLE_ITEMS:
        months, correction = PERIODS[severity]
        rows.append(dict(
            code=code, subject_kind=subject, kind=kind, severity=severity, points=points, title_zh=zh, title_en=en,
            basis=None, source_url=None, publication_months=months, correction_after_months=correction, is_example=True,
        ))
    return rows


def seed_catalogue(*, actor=None) -> CatalogueVersion:
    """Create version 1 (the 2012 standard plus labelled examples), the grades and the policy, once."""
    existing = db.session.scalars(sa.select(CatalogueVersion).order_by(CatalogueVersion.number)).first()
    if existing is not None:
        return existing
    version = CatalogueVersion(number=1, label=STANDARD_LABEL + " + examples", status=CatalogueStatus.ACTIVE,
                               activated_at=clock.now(), note="Items coded EX- are examples, not the published standard.")
    db.session.add(version)
    db.session.flush()
    for row in catalogue_rows():
        db.session.add(ConductItem(version_id=version.id, **row))
    if db.session.scalars(sa.select(GradeRule.id)).first() is None:
        for grade, min_score, may_bid, factor in DEFAULT_GRADES:
            db.session.add(GradeRule(valid_from=REGISTRY_START, grade=grade, min_score=min_score, may_bid=may_bid,
                                     factor_permille=factor))
    if db.session.scalars(sa.select(CreditPolicy.id)).first() is None:
        db.session.add(CreditPolicy(valid_from=REGISTRY_START, listed_grade_cap="D"))
    db.session.flush()
    record_event("credit.catalogue_seeded", version, actor=actor, details={"items": len(version.items)})
    return version


def active_version() -> CatalogueVersion:
    version = db.session.scalars(sa.select(CatalogueVersion).where(CatalogueVersion.status == CatalogueStatus.ACTIVE)).first()
    if version is None:
        raise DomainError(_("No active conduct catalogue."), code="no_catalogue")
    return version


ITEM_FIELDS = ("code", "subject_kind", "kind", "severity", "points", "title_zh", "title_en", "description", "basis",
               "source_url", "publication_months", "correction_after_months", "is_example")


def draft_version(data: dict, *, actor) -> CatalogueVersion:
    """Start a new draft version as a copy of the active one."""
    if db.session.scalars(sa.select(CatalogueVersion.id).where(CatalogueVersion.status == CatalogueStatus.DRAFT)).first():
        raise DomainError(_("A draft version already exists; finish or activate it first."), code="draft_exists")
    source = active_version()
    number = (db.session.scalar(sa.select(sa.func.max(CatalogueVersion.number))) or 0) + 1
    version = CatalogueVersion(number=number, label=data.get("label") or source.label, note=data.get("note"))
    db.session.add(version)
    db.session.flush()
    for item in source.items:
        db.session.add(ConductItem(version_id=version.id, **{f: getattr(item, f) for f in ITEM_FIELDS}))
    db.session.flush()
    record_event("credit.catalogue_drafted", version, actor=actor, details={"number": number, "from": source.number})
    return version


def _validate_item(values: dict) -> None:
    if values["points"] <= 0:
        raise DomainError(_("Points must be a positive number."), code="points", field="points")
    if values["publication_months"] < 0 or values["publication_months"] > 60:
        raise DomainError(_("Publication period must be between 0 and 60 months."), code="period", field="publication_months")


def update_item(item: ConductItem, data: dict, *, actor) -> ConductItem:
    """Change an item of a draft version (a decided record keeps the version it was decided under)."""
    if item.version.status != CatalogueStatus.DRAFT:
        raise DomainError(_("Only items of a draft version can be changed."), code="version_not_draft")
    values = {f: data.get(f, getattr(item, f)) for f in ITEM_FIELDS}
    _validate_item(values)
    for f, v in values.items():
        setattr(item, f, v)
    db.session.flush()
    record_event("credit.item_updated", item, actor=actor, data=values, details={"code": item.code, "version": item.version.number})
    return item


def add_item(version: CatalogueVersion, data: dict, *, actor) -> ConductItem:
    """Add an item to a draft version."""
    if version.status != CatalogueStatus.DRAFT:
        raise DomainError(_("Only a draft version can be changed."), code="version_not_draft")
    values = {f: data.get(f) for f in ITEM_FIELDS}
    values["is_example"] = bool(values["is_example"])
    values["correction_after_months"] = values["correction_after_months"] or 0
    _validate_item(values)
    if any(i.code == values["code"] for i in version.items):
        raise DomainError(_("This code is already in the version."), code="code_taken", field="code")
    item = ConductItem(version_id=version.id, **values)
    db.session.add(item)
    db.session.flush()
    record_event("credit.item_added", item, actor=actor, details={"code": item.code, "version": version.number})
    return item


def version_actions(version: CatalogueVersion) -> frozenset[str]:
    """What can be done with a catalogue version: only a draft is edited and activated."""
    return frozenset({"edit", "add_item", "activate"}) if version.status == CatalogueStatus.DRAFT else frozenset()


def activate_version(version: CatalogueVersion, *, actor) -> CatalogueVersion:
    """Make a draft version the active catalogue; the previous one is retired (its records keep it)."""
    if version.status != CatalogueStatus.DRAFT:
        raise DomainError(_("Only a draft version can be activated."), code="version_not_draft")
    for old in db.session.scalars(sa.select(CatalogueVersion).where(CatalogueVersion.status == CatalogueStatus.ACTIVE)):
        old.status = CatalogueStatus.RETIRED
    version.status = CatalogueStatus.ACTIVE
    version.activated_at = clock.now()
    db.session.flush()
    record_event("credit.catalogue_activated", version, actor=actor, details={"number": version.number})
    return version
