"""The tenderer's representative on the panel (招标人代表): a seat the procedure allows, filled by the
tenderer after the draw, answered like an expert's invitation, scored, locked and signed like one; no
expert conduct history; a committee of experts at least two thirds strong."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import clock as core_clock
from core.db import DomainError
from core.extensions import db
from tests.tender.evaluation.flow import formed_panel, good, score_all, technical_only


def _drawn(world):
    """Four drawn experts who accepted, and one representative seat still open."""
    return formed_panel(world, members=4, tenderer_representatives=1)


def test_the_panel_forms_once_the_appointed_representative_accepts_and_they_score_like_the_experts(opened, clock):
    from tender.evaluation.models import InvitationStatus, PanelState, SheetPart
    from tender.evaluation.operations import committee, results
    from tender.evaluation.operations.report import report_of
    from tender.tenders.models import TenderState

    world = opened(scheme=technical_only)
    panel = _drawn(world)
    tender, people = world["tender"], world["people"]
    assert panel.draw.size == 5 and len(committee.panel_members(panel)) == 4
    assert panel.state == PanelState.INVITING and tender.state == TenderState.OPENED
    officer_membership = people["officer"].active_memberships()[0]
    assert "appoint" in committee.draw_actions(tender, officer_membership, core_clock.now())

    colleague = people["colleague"].active_memberships()[0]
    invitation = committee.appoint_representative(panel, {"membership_id": colleague.id}, actor=people["officer"])
    db.session.commit()
    assert invitation.representative and invitation.seat is None and invitation.status == InvitationStatus.PENDING
    assert "appoint" not in committee.draw_actions(tender, officer_membership, core_clock.now())
    assert not committee.is_member(panel, colleague)  # not before accepting
    committee.answer_invitation(invitation, {"answer": "accept"}, actor=people["colleague"])
    db.session.commit()
    assert panel.state == PanelState.FORMED and tender.state == TenderState.EVALUATING
    assert committee.is_member(panel, colleague) and len(committee.panel_members(panel)) == 5
    assert committee.panel_members(panel)[-1].membership_id == colleague.id

    score_all(panel, SheetPart.TECHNICAL, good)
    db.session.expire_all()
    assert panel.state in (PanelState.LOCKED, PanelState.FLAGGED, PanelState.REPORTED)
    sheet = next(s for s in panel.sheets if s.membership_id == colleague.id)
    assert sheet.locked_at is not None and sheet.locked_sha256
    results.compute_flags(panel)
    db.session.commit()
    report = report_of(tender)
    if report is not None:
        assert colleague.id in {m["membership"] for m in report.body["members"]}


def test_a_representative_must_be_the_tenderers_own_person_with_a_second_factor(opened, clock, make_user):
    from core.accounts.models import MemberRole, OrgKind
    from tender.evaluation.operations import committee

    world = opened()
    panel = _drawn(world)
    people = world["people"]
    firm_member = people["firm_users"][0].active_memberships()[0]
    without = make_user(OrgKind.DEVELOPER, org=people["developer"], role=MemberRole.MEMBER, totp=False)
    cases = [
        (people["officer"], {"membership_id": firm_member.id}, "not_tenderer_member"),
        (people["officer"], {"membership_id": without.active_memberships()[0].id}, "no_second_factor"),
        (people["officer"], {"membership_id": "x"}, "not_tenderer_member"),
        (people["agent"], {"membership_id": people["colleague"].active_memberships()[0].id}, "appoint_not_allowed"),
        (people["supervisor"], {"membership_id": people["colleague"].active_memberships()[0].id},
         "appoint_not_allowed"),
    ]
    for actor, data, code in cases:
        with pytest.raises(DomainError) as refused:
            committee.appoint_representative(panel, data, actor=actor)
        assert refused.value.code == code
        db.session.rollback()
    assert not [i for i in panel.invitations if i.representative]
    colleague = people["colleague"].active_memberships()[0]
    committee.appoint_representative(panel, {"membership_id": colleague.id}, actor=people["officer"])
    db.session.commit()
    with pytest.raises(DomainError) as refused:  # the only seat is held
        committee.appoint_representative(panel, {"membership_id": people["officer"].active_memberships()[0].id},
                                         actor=people["officer"])
    assert refused.value.code == "appoint_not_allowed"


def test_a_declined_representative_seat_is_offered_again_and_calls_no_reserve(opened, clock):
    from tender.evaluation.models import InvitationStatus, SeatStatus
    from tender.evaluation.operations import committee

    world = opened()
    panel = _drawn(world)
    people = world["people"]
    colleague = people["colleague"].active_memberships()[0]
    invitation = committee.appoint_representative(panel, {"membership_id": colleague.id}, actor=people["officer"])
    db.session.commit()
    committee.answer_invitation(invitation, {"answer": "decline", "reason": "declared_conflict",
                                             "note": "与投标人存在亲属关系"}, actor=people["colleague"])
    db.session.commit()
    assert invitation.status == InvitationStatus.DECLINED
    assert not [s for s in panel.draw.seats if s.status == SeatStatus.CALLED]
    officer_membership = people["officer"].active_memberships()[0]
    assert committee.draw_actions(world["tender"], officer_membership, core_clock.now()) == {"appoint"}


def test_the_composition_rule_keeps_experts_at_two_thirds(opened, clock):
    from tender.evaluation.operations import committee

    world = opened()
    tender, officer = world["tender"], world["people"]["officer"]
    with pytest.raises(DomainError) as refused:  # 3 experts + 2 representatives: experts 3/5 < 2/3
        committee.prepare_tender_draw(tender, {"evaluation_starts_at": tender.bid_deadline + timedelta(hours=20),
                                               "members": 3, "reserves": 2, "tenderer_representatives": 2},
                                      actor=officer)
    assert refused.value.field == "tenderer_representatives"
    db.session.rollback()
    tender.procedure_values = {**(tender.procedure_values or {}), "max_tenderer_representatives": 0}
    db.session.commit()
    with pytest.raises(DomainError) as refused:  # this procedure allows none
        committee.prepare_tender_draw(tender, {"evaluation_starts_at": tender.bid_deadline + timedelta(hours=20),
                                               "members": 4, "reserves": 2, "tenderer_representatives": 1},
                                      actor=officer)
    assert refused.value.code == "representatives"


def test_the_tenderer_appoints_on_the_panel_page_and_the_representative_reaches_the_scoring_page(
        client, login, logout, opened, clock):
    from tender.evaluation.models import InvitationStatus
    from tests.factories import csrf_token

    world = opened()
    panel = _drawn(world)
    people = world["people"]
    url = f"/evaluation/tenders/{world['tender'].id}/panel"
    login(people["officer"])
    page = client.get(url).get_data(as_text=True)
    assert "panel/representatives" in page and people["colleague"].email in page
    colleague = people["colleague"].active_memberships()[0]
    refused = client.post(f"{url}/representatives", data={"representative-membership_id": "",
                                                          "csrf_token": csrf_token(page)})
    assert refused.status_code == 422 and "请选择本单位的人员。" in refused.get_data(as_text=True)
    done = client.post(f"{url}/representatives", data={"representative-membership_id": str(colleague.id),
                                                       "csrf_token": csrf_token(page)})
    assert done.status_code in (302, 303)
    logout()
    login(people["colleague"])
    panel_page = client.get(f"/evaluation/panels/{panel.id}")
    assert panel_page.status_code == 200
    answer = client.post(f"/evaluation/panels/{panel.id}/answer",
                         data={"answer-answer": "accept", "csrf_token": csrf_token(panel_page.get_data(as_text=True))})
    assert answer.status_code in (302, 303)
    db.session.expire_all()
    assert [i.status for i in panel.invitations if i.representative] == [InvitationStatus.ACCEPTED]
    assert client.get(f"/evaluation/panels/{panel.id}/score/technical").status_code == 200
    logout()
    login(people["officer"])  # the tenderer's other people are not on the panel
    assert client.get(f"/evaluation/panels/{panel.id}/score/technical").status_code == 404



def test_the_bureau_is_not_offered_to_uphold_a_representatives_flagged_scores(opened, clock):
    from tender.evaluation.models import EvaluationFlag
    from tender.evaluation.operations import committee, results

    world = opened()
    panel = _drawn(world)
    people = world["people"]
    colleague = people["colleague"].active_memberships()[0]
    invitation = committee.appoint_representative(panel, {"membership_id": colleague.id}, actor=people["officer"])
    db.session.commit()
    committee.answer_invitation(invitation, {"answer": "accept"}, actor=people["colleague"])
    db.session.commit()
    expert = committee.panel_members(panel)[0].membership
    on_rep, on_expert = (EvaluationFlag(panel=panel, kind="score_outlier", membership_id=m.id, bid_codes=["A"],
                                        item="emergency", summary="偏离其他成员的平均分") for m in (colleague, expert))
    db.session.add_all([on_rep, on_expert])
    db.session.commit()
    assert not results.upholdable(on_rep) and results.upholdable(on_expert)
    with pytest.raises(DomainError) as refused:
        results.uphold_flag(on_rep, {"note": "不成立"}, actor=people["supervisor"])
    assert refused.value.code == "not_expert"
