"""Preparing and performing a draw: composition rules, timing, filters, exclusions, verification, reserves."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from core.accounts.models import OrgKind
from core.db import DomainError
from core.extensions import db
from tender.evaluation.conflicts import BidderPrincipal, DrawParties
from tender.evaluation.models import DrawStatus, SeatStatus
from tender.evaluation.operations import (
    DrawRequest,
    PanelSpec,
    check_panel,
    perform_draw,
    prepare_draw,
    public_record,
    record_expert_conduct,
    replace_member,
    serving_seats,
    verify_draw,
)
from tests.tender.evaluation.conftest import NOW, XUHUI


@pytest.fixture
def parties(make_org):
    tenderer, agency = make_org(OrgKind.DEVELOPER), make_org(OrgKind.AGENCY)
    bidders = [make_org(OrgKind.FIRM) for _ in range(3)]
    return DrawParties(tenderer.id, agency.id, tuple(b.id for b in bidders),
                       (BidderPrincipal(bidders[0].id, "王大明", "legal_representative"),), XUHUI)


def request_for(tender_id, parties, members=5, reserves=2, representatives=0, **overrides):
    values = dict(tender_id=tender_id, parties=parties, panel=PanelSpec(members, reserves, representatives),
                  specialties=("residential",), district=XUHUI, evaluation_starts_at=NOW + timedelta(hours=20),
                  opened_at=NOW - timedelta(hours=2))
    values.update(overrides)
    return DrawRequest(**values)


@pytest.mark.parametrize("spec, field", [
    (PanelSpec(3, 2), "members"),  # fewer than five
    (PanelSpec(6, 2), "members"),  # even
    (PanelSpec(4, 2, 1, max_tenderer_representatives=0), "tenderer_representatives"),  # not allowed here
    (PanelSpec(4, 2, 3), "tenderer_representatives"),  # more than the rule allows
    (PanelSpec(5, 1), "reserves"),
])
def test_a_committee_the_rules_do_not_allow_is_refused_on_its_field(now, spec, field):
    with pytest.raises(DomainError) as refused:
        check_panel(spec, now)
    assert refused.value.field == field


def test_the_boundaries_of_the_committee_rules_are_allowed(now, app_ctx):
    check_panel(PanelSpec(5, 2), now)  # five, odd, two reserves
    check_panel(PanelSpec(4, 2, 1), now)  # 4 of 5 experts, one representative
    from tender.evaluation.operations import set_rule

    set_rule("draw", {"valid_from": now, "note": "test", "values": {"max_tenderer_representatives": 2}}, actor=None)
    with pytest.raises(DomainError) as refused:
        check_panel(PanelSpec(3, 2, 2), now)  # 3 of 5 is under two thirds
    assert refused.value.code == "expert_share" and refused.value.field == "tenderer_representatives"
    check_panel(PanelSpec(5, 2, 2), now)  # 5 of 7 is enough


@pytest.mark.parametrize("change, code", [
    ({"opened_at": NOW + timedelta(minutes=1)}, "not_opened"),
    ({"evaluation_starts_at": NOW - timedelta(minutes=1)}, "too_late"),
    ({"evaluation_starts_at": NOW + timedelta(hours=48, minutes=1)}, "too_early"),
])
def test_the_draw_is_held_after_the_opening_within_the_window(now, parties, make_expert, change, code, draft_tender):
    for _ in range(7):
        make_expert()
    with pytest.raises(DomainError) as refused:
        prepare_draw(request_for(draft_tender.id, parties, **change), actor=None)
    assert refused.value.code == code
    prepare_draw(request_for(draft_tender.id, parties, evaluation_starts_at=NOW + timedelta(hours=48)), actor=None)  # the edge


def test_too_few_candidates_is_refused(now, parties, make_expert, draft_tender):
    for _ in range(6):
        make_expert()
    with pytest.raises(DomainError) as refused:
        prepare_draw(request_for(draft_tender.id, parties), actor=None)
    assert refused.value.code == "too_few_candidates"


def test_the_candidate_list_leaves_out_every_filtered_and_conflicted_expert(now, parties, make_expert, make_org, draft_tender):
    fine = [make_expert() for _ in range(7)]
    bidder = db.session.get(type(make_org()), parties.bidder_org_ids[1])
    left_out = [
        make_expert(title="engineer"),  # not senior
        make_expert(since=date(2020, 1, 1)),  # too few years
        make_expert(specialty="office"),
        make_expert(districts=("310101",)),
        make_expert(employer=(bidder.name, bidder.uscc)),  # works for a bidder
    ]
    from tender.evaluation.operations import mark_unavailable

    away = make_expert()
    mark_unavailable(away.membership, {"starts_on": date(2027, 3, 15), "ends_on": date(2027, 3, 16)}, actor=None)
    left_out.append(away)
    draw = prepare_draw(request_for(draft_tender.id, parties), actor=None)
    document = json.loads(draw.publication)
    assert {c.membership_id for c in draw.candidates} == {p.membership_id for p in fine}
    assert document["excluded"] == {"not_eligible": 2, "specialty": 1, "district": 1, "unavailable": 1, "conflict": 1}
    assert [c["pseudonym"] for c in document["candidates"]] == sorted(c.pseudonym for c in draw.candidates)
    assert "membership" not in draw.publication and str(fine[0].membership.user.name) not in draw.publication
    performed = perform_draw(draw, {"witness": "2027-03-15 09:00 见证人"}, actor=None)
    drawn = {s.candidate.membership_id for s in performed.seats}
    assert drawn <= {p.membership_id for p in fine}


def test_conduct_lowers_the_published_weight(now, parties, make_expert, draft_tender):
    experts = [make_expert() for _ in range(7)]
    record_expert_conduct(experts[0], {"kind": "absent_after_accepting", "occurred_on": date(2026, 5, 1),
                                       "note": "did not come"}, actor=None)
    draw = prepare_draw(request_for(draft_tender.id, parties), actor=None)
    weights = {c.membership_id: c.weight for c in draw.candidates}
    assert weights[experts[0].membership_id] == 700 and weights[experts[1].membership_id] == 1000


def test_perform_reveals_the_seed_and_verifies(now, parties, make_expert, draft_tender):
    for _ in range(9):
        make_expert()
    draw = prepare_draw(request_for(draft_tender.id, parties), actor=None)
    assert draw.status == DrawStatus.PREPARED and "seed" not in public_record(draw)
    with pytest.raises(DomainError) as refused:
        perform_draw(draw, {"witness": "  "}, actor=None)
    assert refused.value.field == "witness"
    perform_draw(draw, {"witness": "见证 0315"}, actor=None)
    record = public_record(draw)
    assert len(record["members"]) == 5 and len(record["reserves"]) == 2 and record["seed"] == draw.seed.hex()
    report = verify_draw(draw)
    assert report.ok, report.checks
    with pytest.raises(DomainError):
        perform_draw(draw, {"witness": "again"}, actor=None)


def test_verify_catches_a_changed_result_or_seed(now, parties, make_expert, draft_tender):
    for _ in range(9):
        make_expert()
    draw = perform_draw(prepare_draw(request_for(draft_tender.id, parties), actor=None), {"witness": "w"}, actor=None)
    draw.result = list(reversed(draw.result))
    assert dict((n, ok) for n, ok, _d in verify_draw(draw).checks)["panel"] is False
    draw.result = list(reversed(draw.result))
    draw.seed = bytes(32)
    failed = {n for n, ok, _d in verify_draw(draw).checks if not ok}
    assert "commitment" in failed


def test_a_decline_calls_the_next_reserve_in_order(now, parties, make_expert, draft_tender):
    from core.accounts.models import Membership

    for _ in range(8):
        make_expert()
    draw = perform_draw(prepare_draw(request_for(draft_tender.id, parties), actor=None), {"witness": "w"}, actor=None)
    first, second = draw.seats[0], draw.seats[1]
    called = replace_member(draw, db.session.get(Membership, first.candidate.membership_id), "declared_conflict",
                            actor=None)
    assert called.position == 6 and first.status == SeatStatus.DECLINED and first.replaced_by is called
    called = replace_member(draw, db.session.get(Membership, second.candidate.membership_id), "unavailable", actor=None)
    assert called.position == 7
    assert len(serving_seats(draw)) == 5
    with pytest.raises(DomainError) as refused:
        replace_member(draw, db.session.get(Membership, draw.seats[2].candidate.membership_id), "no_answer", actor=None)
    assert refused.value.code == "no_reserve"
    assert public_record(draw)["replacements"] == [{"position": 1, "reason": "declared_conflict", "replaced_by": 6},
                                                   {"position": 2, "reason": "unavailable", "replaced_by": 7}]
    assert verify_draw(draw).ok


def test_an_expert_who_declared_a_conflict_is_left_out_of_the_next_draw(now, parties, make_expert, draft_tender):
    from core.accounts.models import Membership

    for _ in range(10):
        make_expert()
    draw = perform_draw(prepare_draw(request_for(draft_tender.id, parties), actor=None), {"witness": "w"}, actor=None)
    declined = draw.seats[0].candidate.membership_id
    replace_member(draw, db.session.get(Membership, declined), "declared_conflict", actor=None)
    again = prepare_draw(request_for(draft_tender.id, parties), actor=None)
    assert declined not in {c.membership_id for c in again.candidates}
    assert json.loads(again.publication)["excluded"]["conflict"] == 1


def test_one_prepared_draw_per_tender_at_a_time(now, parties, make_expert, draft_tender):
    for _ in range(7):
        make_expert()
    prepare_draw(request_for(draft_tender.id, parties), actor=None)
    with pytest.raises(DomainError) as refused:
        prepare_draw(request_for(draft_tender.id, parties), actor=None)
    assert refused.value.code == "draw_open"
