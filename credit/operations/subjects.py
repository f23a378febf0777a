"""Registering firms and project managers in the registry."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from flask_babel import gettext as _

from core import clock
from core.accounts import uscc as uscc_rules
from core.accounts.models import Organisation, OrgKind
from core.audit.operations import record_event
from core.db import DomainError, db
from credit import pii
from credit.models import CreditSubject, Employment, ManagedProject, ProjectManager, SubjectKind

# The kinds of platform organisation that have a credit file, and the kind of subject each becomes.
SUBJECT_KINDS = {OrgKind.FIRM: SubjectKind.FIRM, OrgKind.AGENCY: SubjectKind.AGENCY}


def _check_uscc(code: str, override_reason: str | None) -> str:
    code = uscc_rules.normalise(code)
    problem = uscc_rules.problem(code)
    if problem and not (override_reason and len(code) == 18):
        raise DomainError(_("Not a valid unified social credit code."), code="uscc_invalid", field="uscc")
    return code


def register_firm(data: dict, *, actor) -> CreditSubject:
    """Add a firm or tender agency (``kind``) to the registry, or update its name and details, keyed by its USCC."""
    code = _check_uscc(data["uscc"], data.get("uscc_override_reason"))
    subject = db.session.scalars(sa.select(CreditSubject).where(CreditSubject.uscc == code)).first()
    created = subject is None
    if created:
        subject = CreditSubject(uscc=code, kind=data.get("kind") or SubjectKind.FIRM)
        db.session.add(subject)
    subject.set_name(data["name"])
    subject.uscc_override_reason = data.get("uscc_override_reason") or subject.uscc_override_reason
    for key in ("qualification", "district_code", "head_office_id", "organisation_id"):
        if data.get(key) is not None:
            setattr(subject, key, data[key])
    if subject.head_office_id is not None and subject.head_office_id == subject.id:
        raise DomainError(_("A firm cannot be its own head office."), code="head_office_loop")
    db.session.flush()
    record_event("credit.firm_registered" if created else "credit.firm_updated", subject, actor=actor,
                 data={"uscc": code, "name": subject.name}, details={"uscc": code})
    return subject


def subject_for_organisation(org: Organisation, *, actor) -> CreditSubject:
    """The credit subject of a platform firm or agency account, created from it if the registry lacks it."""
    subject = CreditSubject.for_organisation(org)
    if subject is not None and subject.organisation_id == org.id:
        return subject
    if org.kind not in SUBJECT_KINDS:
        raise DomainError(_("Only property-service firms and tender agencies have a credit file."), code="not_a_subject")
    if not org.uscc:
        raise DomainError(_("The organisation has no unified social credit code."), code="uscc_missing")
    if subject is None:
        return register_firm(
            {"uscc": org.uscc, "name": org.name, "district_code": org.district_code, "organisation_id": org.id,
             "uscc_override_reason": org.uscc_override_reason, "kind": SUBJECT_KINDS[org.kind]},
            actor=actor,
        )
    subject.organisation_id = org.id
    db.session.flush()
    record_event("credit.firm_linked", subject, actor=actor, details={"organisation": org.id})
    return subject


def register_manager(firm: CreditSubject | None, data: dict, *, actor) -> ProjectManager:
    """Add a project manager with their certificate number; a national ID is stored encrypted."""
    cert = data["certificate_no"].strip().upper()
    if db.session.scalars(sa.select(ProjectManager.id).where(ProjectManager.certificate_no == cert)).first():
        raise DomainError(_("A project manager with this certificate number is already registered."),
                          code="certificate_taken", field="certificate_no")
    manager = ProjectManager(certificate_no=cert, name=data["name"].strip(), firm_id=firm.id if firm else None)
    national_id = data.get("national_id")
    if national_id:
        if pii.id_problem(national_id):
            raise DomainError(_("Not a valid resident ID number."), code="national_id_invalid", field="national_id")
        manager.national_id_enc = pii.encrypt_id(national_id, cert)
        manager.national_id_hmac = pii.id_lookup_hash(national_id)
    db.session.add(manager)
    db.session.flush()
    if firm is not None:
        db.session.add(Employment(manager_id=manager.id, firm_id=firm.id, started_on=data.get("started_on") or clock.today()))
    record_event("credit.manager_registered", manager, actor=actor, data={"certificate_no": cert},
                 details={"certificate_no": cert})
    return manager


def add_managed_project(firm: CreditSubject, data: dict, *, actor) -> ManagedProject:
    """Record a community the firm manages, its floor area and the manager in charge."""
    if data["floor_area_m2"] <= 0:
        raise DomainError(_("Floor area must be positive."), code="area", field="floor_area_m2")
    started: datetime = data["started_at"]
    project = ManagedProject(
        firm_id=firm.id, manager_id=data.get("manager_id"), community=data["community"],
        district_code=data.get("district_code"), floor_area_m2=data["floor_area_m2"], started_at=started,
        ended_at=data.get("ended_at"),
    )
    db.session.add(project)
    db.session.flush()
    record_event("credit.project_added", project, actor=actor, details={"firm": firm.uscc, "area": project.floor_area_m2})
    return project
