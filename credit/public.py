"""What the public may see of a subject: one place, used by the pages and the API alike.

Only records in force (published, within their period, not corrected) are shown; nothing personal
(national IDs, complainants, the facts and reasons text) ever leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from core.db import db, utcnow
from credit.models import (
    ConductItem,
    ConductKind,
    CreditRecord,
    CreditSubject,
    Employment,
    ManagedProject,
    ProjectManager,
    RecordStatus,
    SubjectKind,
)
from credit.scoring import FirmFacts, Standing, manager_standing


def in_force_clause(at: datetime):
    return sa.and_(
        CreditRecord.status.in_((RecordStatus.PUBLISHED, RecordStatus.CORRECTED)),
        CreditRecord.published_at <= at,
        CreditRecord.expires_at > at,
        sa.or_(CreditRecord.corrected_at.is_(None), CreditRecord.corrected_at > at),
    )


def public_records(where, at: datetime) -> list[CreditRecord]:
    return list(
        db.session.scalars(
            sa.select(CreditRecord)
            .options(joinedload(CreditRecord.item).joinedload(ConductItem.version), joinedload(CreditRecord.district))
            .where(where, in_force_clause(at))
            .order_by(CreditRecord.published_at.desc())
        )
    )


@dataclass
class FirmProfile:
    firm: CreditSubject
    standing: Standing
    records: list[CreditRecord]
    managers: list[tuple[ProjectManager, int]]
    history: list[tuple[datetime, float]]
    at: datetime
    # The first instant after ``at`` at which anything in this profile could read differently.
    next_change: datetime | None = None


def _next_month(t: datetime) -> datetime:
    return t.replace(year=t.year + t.month // 12, month=t.month % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_change(facts: FirmFacts, manager_ids: list[int], at: datetime, since: datetime, window: timedelta):
    """When the profile of ``at`` stops holding: a count starts, ends or is corrected (the firm's,
    its branches', its projects' and its listed managers'), or the chart's window or labels move."""
    points = facts.breakpoints(since, at + timedelta(days=3650))
    later = [t for t in points if t > at]
    entering = [t for t in points if t > since]
    candidates = later[:1] + [t + window for t in entering[:1]] + [_next_month(at), _next_month(since) + window]
    if manager_ids:
        edges = (CreditRecord.published_at, CreditRecord.expires_at, CreditRecord.corrected_at)
        rows = db.session.execute(
            sa.select(*edges).where(CreditRecord.manager_id.in_(manager_ids),
                                    CreditRecord.subject_kind == SubjectKind.PROJECT_MANAGER,
                                    sa.or_(*[edge > at for edge in edges]))
        ).all()
        candidates += [t for row in rows for t in row if t is not None and t > at]
    return min(candidates)


def manager_points(manager_ids: list[int], at: datetime) -> dict[int, int]:
    """Signed points in force per manager, in one query."""
    if not manager_ids:
        return {}
    signed = sa.case((ConductItem.kind == ConductKind.BAD, -CreditRecord.points), else_=CreditRecord.points)
    rows = db.session.execute(
        sa.select(CreditRecord.manager_id, sa.func.sum(signed))
        .join(ConductItem, ConductItem.id == CreditRecord.item_id)
        .where(CreditRecord.manager_id.in_(manager_ids), CreditRecord.subject_kind == SubjectKind.PROJECT_MANAGER,
               in_force_clause(at))
        .group_by(CreditRecord.manager_id)
    ).all()
    return {manager_id: int(total or 0) for manager_id, total in rows}


def firm_profile(firm: CreditSubject, at: datetime | None = None, chart_years: int = 3) -> FirmProfile:
    at = at or utcnow()
    facts = FirmFacts.load(firm)
    standing = facts.standing(at)
    since = at - timedelta(days=365 * chart_years)
    history = [(t, facts.standing(t).score) for t in facts.breakpoints(since, at)]
    branch_ids = [firm.id] + [b.id for b in firm.branches]
    records = public_records(
        sa.and_(CreditRecord.firm_id.in_(branch_ids), CreditRecord.subject_kind == SubjectKind.FIRM), at
    )
    managers = list(
        db.session.scalars(
            sa.select(ProjectManager).where(ProjectManager.firm_id == firm.id).order_by(ProjectManager.name).limit(100)
        )
    )
    points = manager_points([m.id for m in managers], at)
    next_change = _next_change(facts, [m.id for m in managers], at, since, timedelta(days=365 * chart_years))
    return FirmProfile(firm, standing, records, [(m, points.get(m.id, 0)) for m in managers], history, at, next_change)


@dataclass
class ManagerProfile:
    manager: ProjectManager
    standing: Standing
    records: list[CreditRecord]
    employments: list[Employment]
    projects: list[ManagedProject]
    at: datetime


def manager_profile(manager: ProjectManager, at: datetime | None = None) -> ManagerProfile:
    at = at or utcnow()
    records = public_records(
        sa.and_(CreditRecord.manager_id == manager.id, CreditRecord.subject_kind == SubjectKind.PROJECT_MANAGER), at
    )
    projects = list(
        db.session.scalars(
            sa.select(ManagedProject).where(
                ManagedProject.manager_id == manager.id,
                sa.or_(ManagedProject.ended_at.is_(None), ManagedProject.ended_at > at),
            )
        )
    )
    return ManagerProfile(manager, manager_standing(manager, at), records, list(manager.employments), projects, at)


def record_view(record: CreditRecord, locale: str) -> dict:
    """The public fields of one record."""
    item = record.item
    return {
        "reference": record.reference,
        "item_code": item.code,
        "item_title": item.title(locale),
        "example_item": item.is_example,
        "catalogue_version": item.version.number,
        "severity": item.severity.value,
        "points": record.signed_points,
        "occurred_on": record.occurred_on,
        "decision": record.decision.value if record.decision else None,
        "authority": record.district.display_name(locale) if record.district else None,
        "published_at": record.published_at,
        "expires_at": record.expires_at,
    }
