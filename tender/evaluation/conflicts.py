"""Conflicts of interest (回避情形) between an expert and the parties of one tender.

The bidding stage knows the parties only after the opening; it fills :class:`DrawParties` and the
draw excludes every expert for whom :func:`conflicts` gives any reason. Organisations are matched by
platform id, by USCC, or — when neither side has a code — by the name written the same way.
Employment the expert proposed but the bureau has not yet confirmed counts too: an expert who says
they work for a bidder is not drawn while the bureau checks.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from core import clock
from core.accounts import uscc as uscc_codes
from core.accounts.models import Membership, Organisation, OrgKind
from core.db import db
from tender.evaluation import rules
from tender.evaluation.models import EmploymentStatus, ExpertProfile

EMPLOYED_BY_BIDDER = "employed_by_bidder"
EMPLOYED_BY_TENDERER = "employed_by_tenderer"
EMPLOYED_BY_AGENCY = "employed_by_agency"
RELATIVE_OF_BIDDER_PRINCIPAL = "relative_of_bidder_principal"
RELATION_WITH_PARTY = "relation_with_party"
SUPERVISING_BUREAU = "supervising_bureau"
EVALUATION_MISCONDUCT = "evaluation_misconduct"
DECLARED_CONFLICT = "declared_conflict"
REASONS = (EMPLOYED_BY_BIDDER, EMPLOYED_BY_TENDERER, EMPLOYED_BY_AGENCY, RELATIVE_OF_BIDDER_PRINCIPAL,
           RELATION_WITH_PARTY, SUPERVISING_BUREAU, EVALUATION_MISCONDUCT, DECLARED_CONFLICT)


@dataclass(frozen=True)
class BidderPrincipal:
    """A principal of a bidding firm: its legal representative, a shareholder, the project manager…"""

    org_id: int
    name: str
    role: str | None = None


@dataclass(frozen=True)
class DrawParties:
    """The parties of one tender, as the bidding stage knows them after the opening."""

    tenderer_org_id: int
    agency_org_id: int | None
    bidder_org_ids: tuple[int, ...]
    bidder_principals: tuple[BidderPrincipal, ...] = ()
    supervising_district: str | None = None
    # Experts (membership ids) who declared a conflict for this tender when invited in an earlier draw.
    declared_conflicts: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class _Org:
    id: int
    uscc: str | None
    name: str


def plain_name(name: str | None) -> str:
    """A name as compared: compatibility forms folded, white space removed."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


class PartyIndex:
    """The parties' organisations, loaded once per draw, with the matching rules."""

    def __init__(self, parties: DrawParties):
        self.parties = parties
        ids = {parties.tenderer_org_id, *parties.bidder_org_ids}
        if parties.agency_org_id is not None:
            ids.add(parties.agency_org_id)
        rows = db.session.execute(sa.select(Organisation.id, Organisation.uscc, Organisation.name)
                                  .where(Organisation.id.in_(ids))).all()
        self.orgs = {r.id: _Org(r.id, r.uscc, r.name) for r in rows}
        self.roles: dict[str, list[int]] = {
            EMPLOYED_BY_TENDERER: [parties.tenderer_org_id],
            EMPLOYED_BY_AGENCY: [parties.agency_org_id] if parties.agency_org_id is not None else [],
            EMPLOYED_BY_BIDDER: list(parties.bidder_org_ids),
        }
        self.bureau_ids: set[int] = set()
        self.bureau_user_ids: set[int] = set()
        if parties.supervising_district:
            self.bureau_ids = set(db.session.scalars(sa.select(Organisation.id).where(
                Organisation.kind == OrgKind.DISTRICT_BUREAU,
                Organisation.district_code == parties.supervising_district)))
            # Accounts that also work in the supervising bureau on the platform.
            self.bureau_user_ids = set(db.session.scalars(sa.select(Membership.user_id).where(
                Membership.organisation_id.in_(self.bureau_ids), Membership.active)))

    def matches(self, org_id: int | None, org_uscc: str | None, org_name: str | None, party_id: int) -> bool:
        party = self.orgs.get(party_id)
        if party is None:
            return org_id is not None and org_id == party_id
        if org_id is not None and org_id == party.id:
            return True
        code = uscc_codes.normalise(org_uscc) if org_uscc else None
        if code and party.uscc:
            return code == party.uscc
        name = plain_name(org_name)
        return name != "" and name == plain_name(party.name)

    def all_party_ids(self) -> list[int]:
        return [i for ids in self.roles.values() for i in ids]


def conflicts(expert: ExpertProfile, parties: DrawParties | PartyIndex, at: datetime | None = None,
              rule: rules.PoolRule | None = None) -> list[str]:
    """Every reason that excludes ``expert`` from the tender of ``parties`` at ``at`` (empty: none)."""
    from tender.evaluation.operations.rules import rule_at
    from tender.evaluation.operations.standing import misconduct_penalty, recent_window

    index = parties if isinstance(parties, PartyIndex) else PartyIndex(parties)
    at = at or clock.now()
    rule = rule or rule_at("pool", at)
    reasons: set[str] = set()
    window_start = recent_window(at, rule.conflict_years)
    for job in expert.employments:
        if job.status == EmploymentStatus.REJECTED or (job.ended_on is not None and job.ended_on < window_start):
            continue
        for reason, ids in index.roles.items():
            if any(index.matches(job.employer_org_id, job.employer_uscc, job.employer_name, i) for i in ids):
                reasons.add(reason)
        current = job.ended_on is None or job.ended_on >= clock.shanghai_date(at)
        if current and job.employer_org_id in index.bureau_ids:
            reasons.add(SUPERVISING_BUREAU)
    principals = {(p.org_id, plain_name(p.name)) for p in index.parties.bidder_principals}
    for relation in expert.relations:
        if not relation.active:
            continue
        for bidder in index.parties.bidder_org_ids:
            if (index.matches(None, relation.organisation_uscc, relation.organisation_name, bidder)
                    and (bidder, plain_name(relation.person_name)) in principals):
                reasons.add(RELATIVE_OF_BIDDER_PRINCIPAL)
        if any(index.matches(None, relation.organisation_uscc, relation.organisation_name, i)
               for i in index.all_party_ids()):
            reasons.add(RELATION_WITH_PARTY)
    if expert.membership.user_id in index.bureau_user_ids:
        reasons.add(SUPERVISING_BUREAU)
    if misconduct_penalty(expert, at, rule) is not None:
        reasons.add(EVALUATION_MISCONDUCT)
    if expert.membership_id in index.parties.declared_conflicts:
        reasons.add(DECLARED_CONFLICT)
    return [r for r in REASONS if r in reasons]

