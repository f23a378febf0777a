"""Drafting a tender: its facts, floor areas, the owners' resolution, custodians, scoring scheme,
documents and the agency appointment. All of it can change while the tender is a draft or returned."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from core import clock
from core.accounts.models import OrgKind, OrgStatus, Role, SHANGHAI_DISTRICTS, User
from core.audit.operations import record_event
from core.calendar import shanghai_date
from core.db import DomainError, db
from tender.sealing.operations import CUSTODIAN_ROLES
from tender.tenders.models import (
    AgencyAppointment, AgencyStaff, CustodianKind, FeeModel, OwnersResolution, PropertyType, Tender, TenderArea,
    TenderCustodian, TenderDocument, TenderKind, TenderNameGram, TenderState,
)
from tender.tenders.operations.access import membership_of, require_action
from tender.tenders.operations.files import store_file
from tender.tenders.operations.rules import Problem, RulesBroken, resolution_problems, timeline_problems, values_at
from tender.tenders.operations.scheme import apply_weights, default_scheme, scheme_problems

DISTRICTS = frozenset(code for code, _zh, _en in SHANGHAI_DISTRICTS)
TENDERER_KINDS = {OrgKind.DEVELOPER: TenderKind.PRELIMINARY, OrgKind.OWNERS_ASSEMBLY: TenderKind.OWNERS}
# Whole-number facts and their bounds: (field, low, high).
NUMBERS = (("buildings", 1, 1000), ("households", 1, 100000), ("service_grade", 1, 5), ("ceiling_fen", 1, 1000000),
           ("contract_months", 1, 120), ("bid_validity_days", 30, 365), ("min_credit_score", 0, 1000),
           ("bid_security_fen", 0, 10_000_000_00))
TEXTS = (("community_name", 200), ("address", 300), ("service_scope", 4000), ("qualifications", 4000))
TIMELINE = ("documents_from", "documents_until", "bid_deadline", "opening_at")


def _event(action: str, tender: Tender, *, actor, **details) -> None:
    record_event(f"tender.{action}", tender, actor=actor, district=tender.district_code,
                 details={"reference": tender.reference, **details})


def _editable(tender: Tender, actor, membership, now: datetime | None = None) -> None:
    require_action(tender, membership_of(actor, membership), "edit", now or clock.now())


def create_tender(organisation, data: dict, *, actor) -> Tender:
    """Start a draft tender for a developer or an owners' assembly, with the default scoring scheme."""
    kind = TENDERER_KINDS.get(organisation.kind)
    if kind is None or organisation.status != OrgStatus.VERIFIED:
        raise DomainError(_("Only a verified developer or owners' assembly can post a tender."), code="not_tenderer")
    community = (data.get("community_name") or "").strip() or (organisation.community or "")
    if not community:
        raise DomainError(_("Enter the name of the community."), code="community_name", field="community_name")
    district = data.get("district_code") or organisation.district_code
    if district not in DISTRICTS:
        raise DomainError(_("Choose the district the property is in."), code="district", field="district_code")
    tender = Tender(kind=kind, tenderer_id=organisation.id, tenderer=organisation, district_code=district,
                    community_name=community[:200], address=(data.get("address") or organisation.address or "")[:300],
                    state=TenderState.DRAFT, scheme=default_scheme(), created_by_id=actor.id if actor else None)
    db.session.add(tender)
    db.session.flush()
    tender.reference = f"SH{shanghai_date(clock.now()).year}-{tender.id:06d}"
    index_name(tender)
    _event("drafted", tender, actor=actor, kind=kind.value)
    return tender


def grams(text: str) -> set[str]:
    """The pairs of adjacent characters of a text (a single character stands for itself)."""
    text = "".join(text.split())
    return {text[i:i + 2] for i in range(len(text) - 1)} if len(text) > 1 else ({text} if text else set())


def index_name(tender: Tender) -> None:
    """Keep the community name's pairs for the public search in step with the name."""
    db.session.execute(sa.delete(TenderNameGram).where(TenderNameGram.tender_id == tender.id))
    db.session.add_all(TenderNameGram(gram=g, tender_id=tender.id) for g in grams(tender.community_name))


def update_tender(tender: Tender, data: dict, *, actor, membership=None) -> Tender:
    """Change the project facts and the planned timeline of a draft (only the keys given)."""
    _editable(tender, actor, membership)
    named = tender.community_name
    _apply_facts(tender, data)
    if tender.community_name != named:
        index_name(tender)
    _apply_timeline(tender, data)
    db.session.flush()
    _event("draft_updated", tender, actor=actor, fields=sorted(k for k in data if hasattr(Tender, k)))
    return tender


def update_timeline(tender: Tender, data: dict, *, actor, membership=None) -> Tender:
    """Change the planned dates of a filed tender before its announcement (a later start needs later dates)."""
    require_action(tender, membership_of(actor, membership), "edit_timeline", clock.now())
    _apply_timeline(tender, data)
    db.session.flush()
    _event("timeline_updated", tender, actor=actor,
           **{k: str(getattr(tender, k)) for k in TIMELINE})
    return tender


def _apply_facts(tender: Tender, data: dict) -> None:
    problems = []
    for name, limit in TEXTS:
        if name in data:
            value = (data[name] or "").strip()
            if name == "community_name" and not value:
                problems.append(Problem("community_name", name, _("Enter the name of the community.")))
            elif len(value) > limit:
                problems.append(Problem("too_long", name, _("Use at most %(num)s characters.", num=limit)))
            else:
                setattr(tender, name, value)
    for name, low, high in NUMBERS:
        if name in data:
            value = data[name]
            if value is not None and not (isinstance(value, int) and low <= value <= high):
                problems.append(Problem("number_range", name, _("Enter a whole number from %(low)s to %(high)s.",
                                                                low=low, high=high)))
            else:
                setattr(tender, name, value)
    if "fee_model" in data:
        try:
            tender.fee_model = FeeModel(data["fee_model"])
        except ValueError:
            problems.append(Problem("fee_model", "fee_model", _("Choose the fee model.")))
    if "district_code" in data:
        if data["district_code"] not in DISTRICTS:
            problems.append(Problem("district", "district_code", _("Choose the district the property is in.")))
        else:
            tender.district_code = data["district_code"]
    if problems:
        raise RulesBroken(problems, _("The changes were not saved."))


def _apply_timeline(tender: Tender, data: dict) -> None:
    for name in TIMELINE:
        if name in data:
            value = data[name]
            kind = date if name.startswith("documents") else datetime
            if value is not None and not isinstance(value, kind):
                raise DomainError(_("Enter a valid date."), code="date", field=name)
            if isinstance(value, datetime) and value.tzinfo is None:
                raise DomainError(_("Enter a valid date and time."), code="date", field=name)
            setattr(tender, name, value)


def set_areas(tender: Tender, data: dict, *, actor, membership=None) -> Tender:
    """Set the floor area of each property type (m²); a type with no area is removed."""
    _editable(tender, actor, membership)
    areas = data.get("areas") or {}
    problems = []
    wanted = {}
    for key, value in areas.items():
        try:
            kind = PropertyType(key)
        except ValueError:
            continue
        if value in (None, 0):
            continue
        if not isinstance(value, int) or not 0 < value <= 10_000_000:
            problems.append(Problem("area", f"area_{key}", _("Enter the floor area in whole square metres.")))
            continue
        wanted[kind] = value
    if problems:
        raise RulesBroken(problems, _("The floor areas were not saved."))
    if not wanted:
        raise DomainError(_("Enter the floor area of at least one property type."), code="areas", field="area_residential")
    existing = {a.property_type: a for a in tender.areas}
    for kind, area in existing.items():
        if kind not in wanted:
            tender.areas.remove(area)
    for kind, value in wanted.items():
        if kind in existing:
            existing[kind].floor_area_m2 = value
        else:
            tender.areas.append(TenderArea(property_type=kind, floor_area_m2=value))
    db.session.flush()
    _event("areas_set", tender, actor=actor, areas={k.value: v for k, v in wanted.items()})
    return tender


RESOLUTION_FIGURES = ("total_area_m2", "total_owners", "participating_area_m2", "participating_owners",
                      "approving_area_m2", "approving_owners")


def record_resolution(tender: Tender, data: dict, *, actor, membership=None, now: datetime | None = None):
    """Record the owners' resolution; figures that fail the vote rule are refused, each failure named."""
    now = now or clock.now()
    _editable(tender, actor, membership, now)
    if tender.kind != TenderKind.OWNERS:
        raise DomainError(_("Only an owners' assembly tender carries a resolution."), code="not_owners")
    resolved_on = data.get("resolved_on")
    if not isinstance(resolved_on, date) or resolved_on > shanghai_date(now):
        raise DomainError(_("Enter the date of the resolution; it cannot be in the future."), code="resolved_on",
                          field="resolved_on")
    figures = {}
    for name in RESOLUTION_FIGURES:
        value = data.get(name)
        if not isinstance(value, int) or value < 0:
            raise DomainError(_("Enter a whole number."), code="figure", field=name)
        figures[name] = value
    resolution = tender.resolution or OwnersResolution(tender_id=tender.id)
    candidate = OwnersResolution(resolved_on=resolved_on, **figures)
    problems = resolution_problems(candidate, values_at(tender.district_code, now))
    if problems:
        raise RulesBroken(problems, _("The resolution does not meet the rule for choosing a property-service firm:"))
    resolution.resolved_on = resolved_on
    for name, value in figures.items():
        setattr(resolution, name, value)
    if data.get("file") is not None:
        stored = store_file(data["file"], data.get("filename"))
        resolution.document_digest, resolution.document_name = stored.digest, stored.filename
    if tender.resolution is None:
        tender.resolution = resolution
    db.session.flush()
    _event("resolution_recorded", tender, actor=actor, resolved_on=resolved_on.isoformat(), **figures)
    return resolution


def custodian_candidates(tender: Tender) -> list[tuple[User, CustodianKind]]:
    """The people a tender may name as custodians: the tenderer's and its agency's members, the district
    bureau's officers and the city bureau's."""
    from core.accounts.operations import bureau_for

    found: list[tuple[User, CustodianKind]] = []
    seen: set[int] = set()
    groups = [(tender.tenderer, CustodianKind.TENDERER)]
    if tender.appointment is not None:
        groups.append((tender.appointment.agency, CustodianKind.AGENCY))
    for bureau in (bureau_for(tender.district_code), bureau_for(None)):
        if bureau is not None:
            groups.append((bureau, CustodianKind.SUPERVISOR))
    for org, kind in groups:
        for m in sorted(org.memberships, key=lambda m: m.id):
            if m.active and m.user.active and m.user_id not in seen and m.platform_role in CUSTODIAN_ROLES:
                seen.add(m.user_id)
                found.append((m.user, kind))
    return found


def set_custodians(tender: Tender, data: dict, *, actor, membership=None) -> Tender:
    """Name the n custodians (in order) and the k of them who open the bids, 2 ≤ k ≤ n − 1."""
    _editable(tender, actor, membership)
    candidates = {u.id: kind for u, kind in custodian_candidates(tender)}
    user_ids = list(dict.fromkeys(data.get("user_ids") or []))
    if any(uid not in candidates for uid in user_ids):
        raise DomainError(_("Choose custodians from the list."), code="custodian_unknown", field="user_ids")
    n = len(user_ids)
    if n < 3:
        raise DomainError(_("Name at least three custodians, so that two can open without the third."),
                          code="custodians_too_few", field="user_ids")
    threshold = data.get("threshold")
    if not isinstance(threshold, int) or not 2 <= threshold <= n - 1:
        raise DomainError(_("The number of custodians needed to open must be from 2 to %(most)s.", most=n - 1),
                          code="threshold", field="threshold")
    tender.custodians.clear()
    db.session.flush()
    for position, uid in enumerate(user_ids, start=1):
        tender.custodians.append(TenderCustodian(position=position, user_id=uid, kind=candidates[uid]))
    tender.custodian_threshold = threshold
    db.session.flush()
    _event("custodians_set", tender, actor=actor, custodians=user_ids, threshold=threshold)
    return tender


def set_scheme(tender: Tender, data: dict, *, actor, membership=None, now: datetime | None = None) -> Tender:
    """Change the scoring scheme's weights and price formula within the procedure's limits."""
    now = now or clock.now()
    _editable(tender, actor, membership, now)
    scheme = apply_weights(tender.scheme, data.get("weights") or {}, data.get("price_method"))
    problems = scheme_problems(scheme, values_at(tender.district_code, now))
    if problems:
        raise RulesBroken(problems, _("The scoring scheme was not saved."))
    tender.scheme = scheme
    db.session.flush()
    _event("scheme_set", tender, actor=actor, price_method=scheme["price_method"],
           blocks={b["key"]: b["points"] for b in scheme["blocks"]})
    return tender


def add_document(tender: Tender, data: dict, *, actor, membership=None, now: datetime | None = None) -> TenderDocument:
    """Upload a new version of the tender documents; after the announcement it is an amendment, issued
    at once to every registered firm (and it may move the deadline)."""
    from tender.tenders.operations.participation import issue_clarification

    now = now or clock.now()
    require_action(tender, membership_of(actor, membership), "upload_document", now)
    note = (data.get("change_note") or "").strip()
    amendment = tender.state == TenderState.PUBLISHED
    if amendment and len(note) < 10:
        raise DomainError(_("Say what this amendment changes (at least 10 characters)."), code="change_note",
                          field="change_note")
    stored = store_file(data["file"], data.get("filename"))
    version = (tender.latest_document().version if tender.documents else 0) + 1
    document = TenderDocument(tender_id=tender.id, version=version, digest=stored.digest, filename=stored.filename,
                              media_type=stored.media_type, size=stored.size, change_note=note[:2000],
                              uploaded_at=now, uploaded_by_id=actor.id if actor else None,
                              issued_at=now if amendment else None)
    tender.documents.append(document)
    db.session.flush()
    _event("document_uploaded", tender, actor=actor, version=version, sha256=stored.digest, amendment=amendment)
    if amendment:
        issue_clarification(tender, {"kind": "amendment", "text": note, "document": document}, actor=actor, now=now)
    return document


def appoint_agency(tender: Tender, data: dict, *, actor, membership=None, now: datetime | None = None):
    """Record the tenderer's appointment of an agency for this tender, with the agency contract."""
    now = now or clock.now()
    m = membership_of(actor, membership)
    require_action(tender, m, "appoint_agency", now)
    agency = data.get("agency")
    if agency is None or agency.kind != OrgKind.AGENCY or agency.status != OrgStatus.VERIFIED:
        raise DomainError(_("Choose a verified tender agency from the register."), code="agency", field="agency_id")
    number = (data.get("contract_number") or "").strip()
    if not number:
        raise DomainError(_("Enter the number of the agency contract."), code="contract_number", field="contract_number")
    signed_on = data.get("contract_signed_on")
    if not isinstance(signed_on, date) or signed_on > shanghai_date(now):
        raise DomainError(_("Enter the date the agency contract was signed; it cannot be in the future."),
                          code="contract_signed_on", field="contract_signed_on")
    staff = data.get("lead_staff")
    if staff is not None and (staff.agency_id != agency.id or not staff.active):
        raise DomainError(_("Choose a person who works for this agency."), code="lead_staff", field="lead_staff_id")
    current = tender.appointment
    if current is not None:
        current.ended_at = now
    appointment = AgencyAppointment(tender_id=tender.id, agency_id=agency.id, agency=agency,
                                    lead_staff_id=staff.id if staff else None, contract_number=number[:60],
                                    contract_signed_on=signed_on, appointed_at=now,
                                    appointed_by_id=actor.id if actor else None)
    if data.get("file") is not None:
        stored = store_file(data["file"], data.get("filename"))
        appointment.contract_digest, appointment.contract_name = stored.digest, stored.filename
    tender.appointments.append(appointment)
    # Custodians of a replaced agency no longer fit: they are named again.
    if current is not None and current.agency_id != agency.id:
        for c in list(tender.custodians):
            if c.kind == CustodianKind.AGENCY:
                tender.custodians.remove(c)
    db.session.flush()
    _event("agency_appointed", tender, actor=actor, agency=agency.id, contract=number[:60],
           replaced=current.agency_id if current else None)
    return appointment


def submission_problems(tender: Tender, values: dict, now: datetime) -> list[Problem]:
    """Everything that keeps a draft from being submitted for filing, each with the page to fix it on."""
    problems: list[Problem] = []
    required = (("address", _("Enter the address.")), ("buildings", _("Enter the number of buildings.")),
                ("households", _("Enter the number of households.")),
                ("service_grade", _("Choose the service standard.")),
                ("service_scope", _("Describe the scope of the services.")),
                ("ceiling_fen", _("Enter the ceiling price.")), ("contract_months", _("Enter the contract term.")),
                ("bid_validity_days", _("Enter how long bids stay valid.")))
    for name, message in required:
        if getattr(tender, name) in (None, ""):
            problems.append(Problem("incomplete", name, message))
    if not tender.areas:
        problems.append(Problem("incomplete", "areas", _("Enter the floor area of each property type.")))
    n = len(tender.custodians)
    if n < 3 or not tender.custodian_threshold or not 2 <= tender.custodian_threshold <= n - 1:
        problems.append(Problem("custodians", "custodians", _("Name at least three custodians and how many of them open the bids.")))
    problems += scheme_problems(tender.scheme, values)
    if not tender.documents:
        problems.append(Problem("documents", "documents", _("Upload the tender documents.")))
    if tender.kind == TenderKind.OWNERS:
        if tender.resolution is None:
            problems.append(Problem("resolution", "resolution", _("Record the owners' resolution.")))
        else:
            problems += resolution_problems(tender.resolution, values)
            if not tender.resolution.document_digest:
                problems.append(Problem("resolution", "resolution", _("Upload the owners' resolution.")))
    if tender.appointment is not None and not tender.appointment.contract_digest:
        problems.append(Problem("agency_contract", "agency", _("Upload the agency contract.")))
    if tender.documents_from is not None:
        problems += timeline_problems(tender, values, notice_on=tender.documents_from,
                                      submitted_on=shanghai_date(now), now=now)
    else:
        problems += timeline_problems(tender, values, notice_on=shanghai_date(now), submitted_on=None, now=now)
    return problems


def staff_choices(agency) -> list[AgencyStaff]:
    return list(db.session.scalars(sa.select(AgencyStaff).where(AgencyStaff.agency_id == agency.id,
                                                                AgencyStaff.left_on.is_(None)).order_by(AgencyStaff.name)))


def tenderer_of(membership) -> bool:
    return membership is not None and membership.platform_role == Role.TENDERER

