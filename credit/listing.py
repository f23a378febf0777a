"""The seriously-untrustworthy list (严重失信名单) as the public browses it: who is on it at an instant.

A subject is listed while a published serious bad-conduct record about it is in force and the
policy then lists for serious records (the same rule as :func:`credit.scoring.listing_of`, asked
of many subjects at once). A branch's records list its head office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core.db import db
from core.pagination import ListPage
from credit import rules
from credit.models import ConductItem, ConductKind, CreditRecord, CreditSubject, ProjectManager, Severity, SubjectKind


def _serious_in_force(at: datetime):
    return sa.and_(CreditRecord.in_force_at(at), ConductItem.kind == ConductKind.BAD,
                   ConductItem.severity == Severity.SERIOUS)


def _listing_applies(at: datetime) -> bool:
    return rules.policy_at(at).serious_record_lists_subject


def listed_subject_ids(subject_ids: list[int], at: datetime) -> set[int]:
    """Which of these firms and agencies are listed at ``at`` (one query)."""
    if not subject_ids:
        return set()
    owner = sa.func.coalesce(CreditSubject.head_office_id, CreditSubject.id)
    rows = db.session.scalars(
        sa.select(owner).distinct()
        .select_from(CreditRecord)
        .join(ConductItem, ConductItem.id == CreditRecord.item_id)
        .join(CreditSubject, CreditSubject.id == CreditRecord.firm_id)
        .where(CreditRecord.subject_kind != SubjectKind.PROJECT_MANAGER, _serious_in_force(at),
               sa.or_(CreditSubject.id.in_(subject_ids), CreditSubject.head_office_id.in_(subject_ids)))
    )
    found = set(rows) & set(subject_ids)
    # The policy is read only when someone has a serious record in force (rarely, in a search).
    return found if found and _listing_applies(at) else set()


@dataclass(frozen=True)
class ListedSubject:
    kind: str  # firm, agency or project_manager
    key: str  # USCC or certificate number
    name: str
    start: datetime
    end: datetime | None
    records: int


def listed_subjects(at: datetime, *, district: str | None = None, page: int = 1, per_page: int = 50) -> ListPage:
    """One page of the list at ``at`` (newest listing first), optionally of one deciding district."""
    if not _listing_applies(at):
        return ListPage([], page, per_page, 0)
    manager = CreditRecord.subject_kind == SubjectKind.PROJECT_MANAGER
    firm_key = sa.func.coalesce(CreditSubject.head_office_id, CreditSubject.id)
    subject_id = sa.case((manager, CreditRecord.manager_id), else_=firm_key).label("subject_id")
    kind = sa.case((manager, sa.literal("project_manager")), else_=sa.cast(CreditSubject.kind, sa.String)).label("kind")
    end = sa.func.coalesce(CreditRecord.corrected_at, CreditRecord.expires_at)
    where = [_serious_in_force(at)]
    if district:
        where.append(CreditRecord.district_code == district)
    grouped = (
        sa.select(kind, subject_id, sa.func.min(CreditRecord.published_at).label("start"),
                  sa.func.max(end).label("end"), sa.func.count().label("records"))
        .select_from(CreditRecord)
        .join(ConductItem, ConductItem.id == CreditRecord.item_id)
        .outerjoin(CreditSubject, CreditSubject.id == CreditRecord.firm_id)
        .where(*where)
        .group_by(kind, subject_id)
    ).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(grouped))
    rows = db.session.execute(
        sa.select(grouped).order_by(grouped.c.start.desc(), grouped.c.subject_id).limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    firms = {s.id: s for s in db.session.scalars(sa.select(CreditSubject).where(
        CreditSubject.id.in_([r.subject_id for r in rows if r.kind != "project_manager"])))}
    managers = {m.id: m for m in db.session.scalars(sa.select(ProjectManager).where(
        ProjectManager.id.in_([r.subject_id for r in rows if r.kind == "project_manager"])))}
    out = []
    for r in rows:
        subject = managers.get(r.subject_id) if r.kind == "project_manager" else firms.get(r.subject_id)
        key = subject.certificate_no if r.kind == "project_manager" else subject.uscc
        out.append(ListedSubject(r.kind, key, subject.name, r.start, r.end, r.records))
    return ListPage(out, page, per_page, total)
