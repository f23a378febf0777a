"""Organisations and accounts: registration (注册), verification by the bureau, members and experts.

Each public function is an operation: it checks the business rules, changes the models, flushes and
records an audit event; it never commits (the request or command does, once).
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.accounts import uscc
from core.accounts.models import (
    REGISTRABLE_KINDS,
    SHANGHAI_DISTRICTS,
    USCC_KINDS,
    District,
    MemberRole,
    Membership,
    Organisation,
    OrgKind,
    OrgStatus,
    User,
)
from core.audit.operations import record_event
from core.authz import require
from core.db import DomainError, db, utcnow
from core.security import hash_password

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out over the phone
CITY_BUREAU_NAME = "上海市房屋管理局"
OPERATOR_ORG_NAME = "平台运营方"


def normalise_email(email: str) -> str:
    """Addresses are kept trimmed and in lower case, so one person has one account."""
    return (email or "").strip().lower()


def new_reference() -> str:
    """A registration reference such as ``REG-7K3P-9QX2`` (unguessable, unambiguous when read out)."""
    while True:
        body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        ref = f"REG-{body[:4]}-{body[4:]}"
        if db.session.scalar(sa.select(Organisation.id).where(Organisation.reference == ref)) is None:
            return ref


def find_by_reference(reference: str) -> Organisation | None:
    """The organisation registered under a reference number, if any."""
    ref = (reference or "").strip().upper()
    return db.session.scalar(sa.select(Organisation).where(Organisation.reference == ref)) if ref else None


def user_by_email(email: str) -> User | None:
    """The account with this address, if any."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def uscc_taken(code: str) -> bool:
    """Whether an organisation already has this unified social credit code."""
    return db.session.scalar(sa.select(Organisation.id).where(Organisation.uscc == uscc.normalise(code))) is not None


def filing_record_taken(filing_record: str) -> bool:
    """Whether an owners' assembly already registered with this filing record."""
    return (
        db.session.scalar(
            sa.select(Organisation.id).where(
                Organisation.kind == OrgKind.OWNERS_ASSEMBLY, Organisation.filing_record == filing_record.strip()
            )
        )
        is not None
    )


def _unusable_password() -> str:
    """A hash of a random secret nobody knows: the person chooses a password through a reset link."""
    return hash_password(secrets.token_urlsafe(32))


def _new_user(name: str, email: str, phone: str | None = None, password_hash: str | None = None) -> User:
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        phone=(phone or "").strip() or None,
        password_hash=password_hash or _unusable_password(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def register_organisation(data: dict, *, actor=None) -> tuple[Organisation | None, User]:
    """Register an organisation and its first user (its admin); it waits for the bureau's verification.

    The registrant is never told whether an address already has an account (that would let anyone
    find out who uses the platform): when it has one, nothing is registered, the address's owner is
    told by mail how to register with their own account, and ``(None, that user)`` is returned.
    The registrant's own mail carries the reference in the normal case.
    """
    kind = OrgKind(data["kind"])
    if kind not in REGISTRABLE_KINDS:
        raise DomainError(str(_l("This kind of organisation cannot register itself.")), code="kind", field="kind")
    if db.session.get(District, data.get("district_code") or "") is None:
        raise DomainError(str(_l("Choose the district from the list.")), code="district", field="district_code")
    code = None
    if kind in USCC_KINDS:
        code = uscc.normalise(data.get("uscc", ""))
        reason = uscc.problem(code)
        if reason and not (reason == "check_character" and data.get("uscc_confirmed")):
            raise DomainError(str(uscc_message(reason)), code="uscc_invalid", field="uscc")
        if uscc_taken(code):
            raise DomainError(str(USCC_TAKEN), code="uscc_taken", field="uscc")
    else:
        if not (data.get("community") or "").strip() or not (data.get("filing_record") or "").strip():
            raise DomainError(
                str(_l("Enter the community and the filing record of the owners' assembly.")),
                code="assembly_details",
                field="filing_record",
            )
        if filing_record_taken(data["filing_record"]):
            raise DomainError(str(FILING_TAKEN), code="filing_taken", field="filing_record")
    # A signed-in person may register a further organisation with their own account.
    existing = actor if data.get("use_my_account") and actor is not None else None
    if existing is None:
        holder = user_by_email(data["email"])
        if holder is not None:
            from core.accounts.mail import send_address_in_use

            send_address_in_use(holder, data["name"].strip())
            record_event("organisation.registration_for_existing_address", holder, actor=None,
                         details={"kind": kind.value}, district=data["district_code"])
            return None, holder

    org = Organisation(
        kind=kind,
        name=data["name"].strip(),
        uscc=code,
        district_code=data["district_code"],
        status=OrgStatus.PENDING,
        community=(data.get("community") or "").strip() or None if kind == OrgKind.OWNERS_ASSEMBLY else None,
        filing_record=(data.get("filing_record") or "").strip() or None if kind == OrgKind.OWNERS_ASSEMBLY else None,
        contact_phone=(data.get("contact_phone") or "").strip() or None,
        address=(data.get("address") or "").strip() or None,
        reference=new_reference(),
    )
    db.session.add(org)
    db.session.flush()
    user = existing or _new_user(data["admin_name"], data["email"], data.get("phone"), data["password_hash"])
    db.session.add(Membership(user_id=user.id, organisation_id=org.id, role=MemberRole.ADMIN))
    record_event(
        "organisation.registered",
        org,
        actor=actor or user,
        data={k: v for k, v in data.items() if k != "password_hash"},
        details={"kind": kind.value, "reference": org.reference, "uscc_check": "fail" if org.needs_uscc_override else "ok"},
        district=org.district_code,
    )
    from core.accounts.mail import send_registration_received

    send_registration_received(org, user)
    return org, user


USCC_TAKEN = _l("An organisation with this unified social credit code is already registered. Sign in, or ask its administrator to add you.")
FILING_TAKEN = _l("An owners' assembly with this filing record is already registered.")
USCC_MESSAGES = {
    "not_ascii": _l("Type the code with the ordinary digits 0-9 and letters A-Z, as printed on the business licence; other number forms are not accepted."),
    "length": _l("Enter the unified social credit code in full: it has 18 characters."),
    "characters": _l("The code can only contain digits and capital letters (not I, O, S, V or Z), as printed on the business licence."),
    "check_character": _l("The last character of this code does not match the check character. Check the code on your business licence."),
}


def uscc_message(reason: str):
    """The plain-words message for a reason given by ``uscc.problem``."""
    return USCC_MESSAGES[reason]


# Review by the competent bureau -------------------------------------------------------------------


def is_competent_bureau(membership: Membership | None, org: Organisation) -> bool:
    """The district bureau of the organisation's district, or the city bureau."""
    if membership is None:
        return False
    bureau = membership.organisation
    if bureau.kind == OrgKind.CITY_BUREAU:
        return True
    return bureau.kind == OrgKind.DISTRICT_BUREAU and bureau.district_code == org.district_code


def may_override(membership: Membership | None) -> bool:
    """Only the city bureau and the platform operator accept a code that fails the check."""
    return membership is not None and membership.organisation.kind in (OrgKind.CITY_BUREAU, OrgKind.OPERATOR)


def registrations_query(membership: Membership, status: OrgStatus | None = OrgStatus.PENDING):
    """Registrations the acting bureau (or the operator) may see, newest first."""
    query = sa.select(Organisation).where(Organisation.kind.in_(REGISTRABLE_KINDS))
    if status is not None:
        query = query.where(Organisation.status == status)
    if membership.organisation.kind == OrgKind.DISTRICT_BUREAU:
        query = query.where(Organisation.district_code == membership.organisation.district_code)
    return query.order_by(Organisation.created_at.desc(), Organisation.id.desc())


def _require_pending(org: Organisation) -> None:
    if org.status != OrgStatus.PENDING:
        raise DomainError(str(_l("This registration has already been decided.")), code="already_decided")


def approve_registration(org: Organisation, data: dict, *, actor: User, membership: Membership) -> None:
    """Verify a pending registration (the competent bureau)."""
    require(is_competent_bureau(membership, org), "not_competent_bureau")
    _require_pending(org)
    if org.needs_uscc_override:
        raise DomainError(
            str(_l("The code fails the check: only the city bureau or the operator can accept it, with a reason.")),
            code="uscc_override_needed",
        )
    _decide(org, OrgStatus.VERIFIED, (data.get("note") or "").strip() or None, actor, "organisation.verified")


def reject_registration(org: Organisation, data: dict, *, actor: User, membership: Membership) -> None:
    """Reject a pending registration with a reason the registrant will see."""
    require(is_competent_bureau(membership, org), "not_competent_bureau")
    _require_pending(org)
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise DomainError(str(_l("Give the reason for rejecting the registration.")), code="reason", field="reason")
    _decide(org, OrgStatus.REJECTED, reason, actor, "organisation.rejected")


def override_uscc(org: Organisation, data: dict, *, actor: User, membership: Membership | None) -> None:
    """Accept an early code that fails the check, with a recorded reason, and verify the organisation."""
    if membership is not None:  # None only from the operator's command line
        require(may_override(membership), "override_not_allowed")
    _require_pending(org)
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise DomainError(str(_l("Give the reason for accepting this code.")), code="reason", field="reason")
    if not org.needs_uscc_override:
        raise DomainError(str(_l("This code passes the check; no override is needed.")), code="override_not_needed")
    org.uscc_override_reason = reason
    _decide(org, OrgStatus.VERIFIED, reason, actor, "organisation.uscc_override")


def _decide(org: Organisation, status: OrgStatus, note: str | None, actor: User | None, action: str) -> None:
    old = org.status
    org.status = status
    org.review_note = note
    org.verified_at = utcnow()
    org.verified_by_id = actor.id if actor is not None else None
    record_event(
        action,
        org,
        actor=actor,
        data={"note": note},
        details={"from": old.value, "to": status.value, "reference": org.reference},
        district=org.district_code,
    )


# Members and experts ------------------------------------------------------------------------------


def add_member(org: Organisation, data: dict, *, actor: User) -> tuple[Membership, bool]:
    """Add a person to an organisation (a new account, or an existing one gains a role); True if new."""
    role = MemberRole(data.get("role") or MemberRole.MEMBER.value)
    if role == MemberRole.EXPERT:
        raise DomainError(str(_l("Experts are added by the city bureau.")), code="role", field="role")
    return _grant(org, role, data, actor, "membership.added")


def create_expert(city_bureau: Organisation, data: dict, *, actor: User | None) -> tuple[Membership, bool]:
    """Add an evaluation expert to the city pool (the city bureau only)."""
    if city_bureau.kind != OrgKind.CITY_BUREAU:
        raise DomainError(str(_l("Experts are added by the city bureau.")), code="not_city_bureau")
    if not data.get("specialty"):
        raise DomainError(str(_l("Choose the expert's specialty.")), code="specialty", field="specialty")
    return _grant(city_bureau, MemberRole.EXPERT, data, actor, "expert.created")


def _grant(org: Organisation, role: MemberRole, data: dict, actor: User | None, action: str) -> tuple[Membership, bool]:
    user = user_by_email(data["email"])
    created = user is None
    if created:
        user = _new_user(data["name"], data["email"], data.get("phone"), data.get("password_hash"))
    existing = db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == org.id, Membership.role == role
        )
    )
    if existing is not None and existing.active:
        raise DomainError(str(_l("This person already has this role in the organisation.")), code="duplicate", field="email")
    if existing is not None:
        existing.active = True
        membership = existing
    else:
        membership = Membership(user_id=user.id, organisation_id=org.id, role=role)
        db.session.add(membership)
    if role == MemberRole.EXPERT:
        membership.specialty = data["specialty"]
    db.session.flush()
    record_event(
        action,
        membership,
        actor=actor,
        data={"email": user.email, "name": user.name, "specialty": data.get("specialty")},
        details={"organisation": org.id, "role": role.value, "new_account": created},
        district=org.district_code,
    )
    if not data.get("password_hash"):  # accounts made with a password (demo, command line) need no mail
        from core.accounts.mail import send_invitation

        send_invitation(membership, created, actor)
    return membership, created


def deactivate_member(membership: Membership, *, actor: User) -> None:
    """Take a role away (the account stays; its other roles are untouched)."""
    if membership.user_id == actor.id:
        raise DomainError(str(_l("You cannot remove your own role.")), code="self")
    membership.active = False
    record_event(
        "membership.removed",
        membership,
        actor=actor,
        details={"organisation": membership.organisation_id, "role": membership.role.value},
        district=membership.organisation.district_code,
    )


# Bureaus and the operator -------------------------------------------------------------------------


def ensure_bureaus(*, actor: User | None = None) -> list[Organisation]:
    """Create the 16 district bureaus and the city bureau if they are missing (safe to run again)."""
    existing = {
        (o.kind, o.district_code)
        for o in db.session.scalars(sa.select(Organisation).where(Organisation.kind.in_((OrgKind.DISTRICT_BUREAU, OrgKind.CITY_BUREAU))))
    }
    made = []
    wanted = [(OrgKind.DISTRICT_BUREAU, code, f"{zh}房屋管理局") for code, zh, _en in SHANGHAI_DISTRICTS]
    wanted.append((OrgKind.CITY_BUREAU, None, CITY_BUREAU_NAME))
    for kind, code, name in wanted:
        if (kind, code) in existing:
            continue
        org = Organisation(kind=kind, name=name, district_code=code, status=OrgStatus.VERIFIED, verified_at=utcnow())
        db.session.add(org)
        record_event("organisation.created", org, actor=actor, details={"kind": kind.value}, district=code)
        made.append(org)
    return made


def bureau_for(district_code: str | None) -> Organisation | None:
    """The district bureau of a district, or the city bureau when ``district_code`` is None."""
    kind = OrgKind.CITY_BUREAU if district_code is None else OrgKind.DISTRICT_BUREAU
    query = sa.select(Organisation).where(Organisation.kind == kind)
    if district_code is not None:
        query = query.where(Organisation.district_code == district_code)
    return db.session.scalars(query.order_by(Organisation.id)).first()


def ensure_operator_org(*, actor: User | None = None) -> Organisation:
    """The platform operator's organisation, created on first use."""
    org = db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrgKind.OPERATOR).order_by(Organisation.id)).first()
    if org is None:
        org = Organisation(kind=OrgKind.OPERATOR, name=OPERATOR_ORG_NAME, status=OrgStatus.VERIFIED, verified_at=utcnow())
        db.session.add(org)
        record_event("organisation.created", org, actor=actor, details={"kind": OrgKind.OPERATOR.value})
    return org


def add_operator(data: dict, *, actor: User | None = None) -> Membership:
    """An administrator account in the platform operator's organisation."""
    membership, _created = _grant(ensure_operator_org(actor=actor), MemberRole.ADMIN, data, actor, "membership.added")
    return membership


def verify_from_console(org: Organisation, data: dict, *, actor: User | None = None) -> None:
    """Verify a pending registration from the operator's command line (a reason is needed to override)."""
    _require_pending(org)
    if org.needs_uscc_override or data.get("reason"):
        override_uscc(org, data, actor=actor, membership=None)
    else:
        _decide(org, OrgStatus.VERIFIED, data.get("note") or "verified from the command line", actor, "organisation.verified")
