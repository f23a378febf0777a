"""Each conflict-of-interest rule, at its boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from core.accounts import operations as account_ops
from core.accounts.models import MemberRole, Membership, OrgKind
from core.extensions import db
from tender.evaluation.conflicts import BidderPrincipal, DrawParties, conflicts
from tender.evaluation.operations import (
    decide_employer_change, declare_relation, propose_employer_change, record_employment, record_expert_conduct,
)
from tests.tender.evaluation.conftest import XUHUI

# At NOW (15 March 2027) the three-year window starts on 16 March 2024.


@pytest.fixture
def orgs(make_org):
    return {"tenderer": make_org(OrgKind.DEVELOPER), "agency": make_org(OrgKind.AGENCY),
            "bidder": make_org(OrgKind.FIRM), "other_bidder": make_org(OrgKind.FIRM), "outsider": make_org(OrgKind.FIRM)}


@pytest.fixture
def parties(orgs):
    return DrawParties(orgs["tenderer"].id, orgs["agency"].id, (orgs["bidder"].id, orgs["other_bidder"].id),
                       (BidderPrincipal(orgs["bidder"].id, "王大明", "legal_representative"),), XUHUI)


def worked(profile, org, start=date(2015, 1, 1), end=None, *, by="uscc"):
    """Record an employment at ``org``, named by its code (then linked to the organisation) or by name only."""
    data = {"employer_name": org.name, "started_on": start, "ended_on": end}
    if by == "uscc":
        data["employer_uscc"] = org.uscc
    job = record_employment(profile, data, actor=None)
    assert (job.employer_org_id == org.id) == (by == "uscc")
    return profile


@pytest.mark.parametrize("role, reason", [("tenderer", "employed_by_tenderer"), ("agency", "employed_by_agency"),
                                          ("bidder", "employed_by_bidder"), ("other_bidder", "employed_by_bidder")])
def test_working_for_a_party_now_excludes(now, make_expert, orgs, parties, role, reason):
    profile = worked(make_expert(), orgs[role])
    assert conflicts(profile, parties, now) == [reason]


@pytest.mark.parametrize("by", ["uscc", "name"])
def test_an_employer_is_matched_by_code_or_by_name(now, make_expert, orgs, parties, by):
    assert conflicts(worked(make_expert(), orgs["bidder"], by=by), parties, now) == ["employed_by_bidder"]


def test_work_that_ended_three_years_ago_counts_until_the_window_closes(now, make_expert, orgs, parties):
    inside = worked(make_expert(), orgs["bidder"], end=date(2024, 3, 16))
    outside = worked(make_expert(), orgs["bidder"], end=date(2024, 3, 15))
    assert conflicts(inside, parties, now) == ["employed_by_bidder"]
    assert conflicts(outside, parties, now) == []


def test_a_proposed_employer_counts_and_a_rejected_one_does_not(now, make_expert, orgs, parties):
    profile = make_expert()
    change = propose_employer_change(profile.membership, {"employer_name": orgs["bidder"].name,
                                                          "employer_uscc": orgs["bidder"].uscc,
                                                          "started_on": date(2027, 5, 1)}, actor=None)
    assert conflicts(profile, parties, now) == ["employed_by_bidder"]
    decide_employer_change(change, {"confirm": False, "note": "not checked"}, actor=None)
    assert conflicts(profile, parties, now) == []


def test_a_relative_of_a_bidder_s_principal(now, make_expert, orgs, parties):
    profile = make_expert()
    declare_relation(profile.membership, {"person_name": "王 大明", "relationship_kind": "sibling",
                                          "organisation_name": "随便写的名字", "organisation_uscc": orgs["bidder"].uscc},
                     actor=None)
    assert conflicts(profile, parties, now) == ["relative_of_bidder_principal", "relation_with_party"]


def test_a_relation_at_a_party_who_is_not_a_principal_still_excludes(now, make_expert, orgs, parties):
    profile = make_expert()
    declare_relation(profile.membership, {"person_name": "李四", "relationship_kind": "spouse",
                                          "organisation_name": orgs["tenderer"].name}, actor=None)
    assert conflicts(profile, parties, now) == ["relation_with_party"]


def test_relations_elsewhere_or_withdrawn_do_not_exclude(now, make_expert, orgs, parties):
    from tender.evaluation.operations import withdraw_relation

    profile = make_expert()
    declare_relation(profile.membership, {"person_name": "王大明", "relationship_kind": "sibling",
                                          "organisation_name": orgs["outsider"].name,
                                          "organisation_uscc": orgs["outsider"].uscc}, actor=None)
    assert conflicts(profile, parties, now) == []
    relation = declare_relation(profile.membership, {"person_name": "王大明", "relationship_kind": "sibling",
                                                     "organisation_name": orgs["bidder"].name}, actor=None)
    assert conflicts(profile, parties, now) != []
    withdraw_relation(relation, actor=None)
    assert conflicts(profile, parties, now) == []


def test_belonging_to_the_supervising_bureau(now, make_expert, parties, make_user):
    account_ops.ensure_bureaus()
    xuhui, pudong = account_ops.bureau_for(XUHUI), account_ops.bureau_for("310115")
    employed = make_expert()
    record_employment(employed, {"employer_name": xuhui.name, "started_on": date(2020, 1, 1)}, actor=None)
    employed.employments[0].employer_org_id = xuhui.id
    elsewhere = make_expert()
    record_employment(elsewhere, {"employer_name": pudong.name, "started_on": date(2020, 1, 1)}, actor=None)
    elsewhere.employments[0].employer_org_id = pudong.id
    db.session.flush()
    assert conflicts(employed, parties, now) == ["supervising_bureau"]
    assert conflicts(elsewhere, parties, now) == []
    officer = make_expert()
    db.session.add(Membership(user_id=officer.membership.user_id, organisation_id=xuhui.id, role=MemberRole.MEMBER))
    db.session.flush()
    assert conflicts(officer, parties, now) == ["supervising_bureau"]


def test_a_misconduct_penalty_excludes_for_five_years(now, make_expert, parties):
    recent, old = make_expert(), make_expert()
    record_expert_conduct(recent, {"kind": "evaluation_misconduct", "occurred_on": date(2022, 3, 16), "note": "x"},
                          actor=None)
    record_expert_conduct(old, {"kind": "evaluation_misconduct", "occurred_on": date(2022, 3, 15), "note": "x"}, actor=None)
    assert conflicts(recent, parties, now) == ["evaluation_misconduct"]
    assert conflicts(old, parties, now) == []


def test_a_conflict_declared_when_invited(now, make_expert, parties):
    import dataclasses

    profile = make_expert()
    declared = dataclasses.replace(parties, declared_conflicts=frozenset({profile.membership_id}))
    assert conflicts(profile, declared, now) == ["declared_conflict"]
    assert conflicts(profile, parties, now) == []
