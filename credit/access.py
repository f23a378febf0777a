"""Object-level checks for the credit area (which district, which firm)."""

from __future__ import annotations

import sqlalchemy as sa

from core.accounts.models import OrgKind, Role
from core.authz import active_membership, require
from core.db import db
from credit.models import CreditRecord, CreditSubject, ManagedProject, ProjectManager


def supervisor_district() -> str | None:
    """The district a supervisor acts for; None for the city bureau (all districts)."""
    m = active_membership()
    if m is None or m.platform_role != Role.SUPERVISOR:
        return None
    return None if m.organisation.kind == OrgKind.CITY_BUREAU else m.organisation.district_code


def require_district(district_code: str) -> None:
    m = active_membership()
    require(m is not None and m.platform_role == Role.SUPERVISOR, "role")
    if m.organisation.kind != OrgKind.CITY_BUREAU:
        require(m.organisation.district_code == district_code, "district")


def may_see_national_id(manager: ProjectManager) -> bool:
    """The city bureau, or the bureau of a district the manager works in: their employer's district, a
    community they manage or managed, or a record about them."""
    m = active_membership()
    if m is None or m.platform_role != Role.SUPERVISOR:
        return False
    district = supervisor_district()
    if district is None:
        return True
    if manager.firm is not None and manager.firm.district_code == district:
        return True
    in_district = sa.union_all(
        sa.select(ManagedProject.id).where(ManagedProject.manager_id == manager.id, ManagedProject.district_code == district),
        sa.select(CreditRecord.id).where(CreditRecord.manager_id == manager.id, CreditRecord.district_code == district),
    )
    return db.session.scalar(sa.select(sa.exists(in_district.subquery().select()))) or False


def is_administrator() -> bool:
    """City bureau supervisors and platform operators edit the catalogue and the rules."""
    m = active_membership()
    if m is None:
        return False
    return m.platform_role == Role.OPERATOR or (
        m.platform_role == Role.SUPERVISOR and m.organisation.kind == OrgKind.CITY_BUREAU
    )


def own_subject() -> CreditSubject | None:
    """The credit subject of the firm or tender agency the signed-in user acts for."""
    m = active_membership()
    if m is None or m.platform_role not in (Role.FIRM, Role.AGENCY):
        return None
    return CreditSubject.for_organisation(m.organisation)
