"""The register of tender agencies and their staff (招标代理机构与从业人员)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from core import clock
from core.accounts.models import Organisation, OrgKind, OrgStatus
from core.audit.operations import record_event
from core.db import DomainError, db
from tender.tenders.models import AgencyAppointment, AgencyStaff, Tender


def add_staff(agency: Organisation, data: dict, *, actor) -> AgencyStaff:
    """Add a practitioner to an agency's staff register."""
    if agency.kind != OrgKind.AGENCY:
        raise DomainError(_("Only a tender agency has agency staff."), code="not_agency")
    name = (data.get("name") or "").strip()
    number = (data.get("certificate_no") or "").strip().upper()
    if not name or len(name) > 100:
        raise DomainError(_("Enter the person's name."), code="name", field="name")
    if not 4 <= len(number) <= 40:
        raise DomainError(_("Enter the certificate number (4 to 40 characters)."), code="certificate_no",
                          field="certificate_no")
    if db.session.scalar(sa.select(AgencyStaff.id).where(AgencyStaff.agency_id == agency.id,
                                                         AgencyStaff.certificate_no == number)):
        raise DomainError(_("A person with this certificate number is already on the register."),
                          code="duplicate_staff", field="certificate_no")
    joined = data.get("joined_on") or clock.today()
    staff = AgencyStaff(agency_id=agency.id, name=name, certificate_no=number, user_id=data.get("user_id"),
                        joined_on=joined)
    db.session.add(staff)
    db.session.flush()
    record_event("tender.agency_staff_added", staff, actor=actor, district=agency.district_code,
                 details={"agency": agency.id, "certificate_no": number})
    return staff


def end_staff(staff: AgencyStaff, data: dict | None = None, *, actor) -> AgencyStaff:
    """Record that a person left the agency (the register keeps them, with the tenders they ran)."""
    if staff.left_on is not None:
        raise DomainError(_("This person has already left the agency."), code="already_left")
    left: date = (data or {}).get("left_on") or clock.today()
    if left < staff.joined_on:
        raise DomainError(_("The leaving date is before the joining date."), code="left_on", field="left_on")
    staff.left_on = left
    db.session.flush()
    record_event("tender.agency_staff_left", staff, actor=actor, details={"agency": staff.agency_id})
    return staff


def agencies() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrgKind.AGENCY,
                                                                 Organisation.status == OrgStatus.VERIFIED)
                                   .order_by(Organisation.name)))


def staff_of(agency: Organisation) -> list[AgencyStaff]:
    return list(db.session.scalars(sa.select(AgencyStaff).where(AgencyStaff.agency_id == agency.id)
                                   .order_by(AgencyStaff.left_on.is_not(None), AgencyStaff.name)))


def appointments_of(agency: Organisation, *, public_only: bool) -> list[AgencyAppointment]:
    """The tenders an agency was appointed to (the public sees only announced ones)."""
    from tender.tenders.models import PUBLIC_STATES

    query = (sa.select(AgencyAppointment).join(Tender, Tender.id == AgencyAppointment.tender_id)
             .where(AgencyAppointment.agency_id == agency.id).order_by(AgencyAppointment.appointed_at.desc()))
    if public_only:
        query = query.where(Tender.state.in_(PUBLIC_STATES), Tender.published_at.is_not(None))
    return list(db.session.scalars(query.limit(200)))
