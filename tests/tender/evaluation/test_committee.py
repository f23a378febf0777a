"""The panel of a real tender: the draw after the opening, invitations, declines and silence calling
reserves, the move to evaluating, and conflicts with the real firms."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import DomainError
from core.extensions import db


def _draw(world, clock, **data):
    from tender.evaluation.operations import committee

    tender, officer = world["tender"], world["people"]["officer"]
    starts = tender.bid_deadline + timedelta(hours=20)
    committee.prepare_tender_draw(tender, {"evaluation_starts_at": starts, "members": 5, "reserves": 2, **data},
                                  actor=officer)
    db.session.commit()
    panel = committee.perform_tender_draw(tender, {"witness": "2026-10-20 见证"}, actor=officer)
    db.session.commit()
    return panel


def test_the_tenderer_draws_after_the_opening_and_the_panel_forms_when_all_accept(opened, clock):
    from tender.evaluation.models import InvitationStatus, PanelState
    from tender.evaluation.operations import committee, verify_draw
    from tender.tenders.models import TenderState

    world = opened()
    panel = _draw(world, clock)
    assert panel.state == PanelState.INVITING and len(panel.invitations) == 5
    assert sorted(c.code for c in panel.codes) == ["A", "B", "C"]
    assert verify_draw(panel.draw).ok
    for invitation in list(panel.invitations):
        committee.answer_invitation(invitation, {"answer": "accept"}, actor=invitation.membership.user)
    db.session.commit()
    assert panel.state == PanelState.FORMED and world["tender"].state == TenderState.EVALUATING
    assert all(i.status == InvitationStatus.ACCEPTED for i in panel.invitations)


def test_a_decline_and_silence_each_call_the_next_reserve(opened, clock):
    from tender.evaluation.models import InvitationStatus
    from tender.evaluation.operations import committee

    world = opened(experts=11)
    panel = _draw(world, clock, reserves=6)
    first, second = panel.invitations[0], panel.invitations[1]
    with pytest.raises(DomainError):
        committee.answer_invitation(first, {"answer": "decline", "reason": "other"}, actor=None)  # no note
    db.session.rollback()
    committee.answer_invitation(first, {"answer": "decline", "reason": "declared_conflict"}, actor=None)
    db.session.commit()
    assert len(panel.invitations) == 6 and panel.invitations[-1].seat.position == 6
    clock.set(second.respond_by + timedelta(minutes=1))
    assert committee.expire_invitations() == 5  # every pending invitation is past its time now
    db.session.commit()
    assert second.status == InvitationStatus.EXPIRED
    assert committee.expire_invitations() == 0  # the job is safe to run twice


def test_an_expert_employed_by_a_bidder_is_not_drawn(opened, clock, make_expert):
    from tender.evaluation.operations import committee

    world = opened(experts=7)
    firm = world["firms"][0]
    conflicted = make_expert(districts=("310104",), employer=(firm.name, firm.uscc))
    db.session.commit()
    tender = world["tender"]
    draw = committee.prepare_tender_draw(tender, {"evaluation_starts_at": tender.bid_deadline + timedelta(hours=20),
                                                  "members": 5, "reserves": 2}, actor=world["people"]["officer"])
    assert conflicted.membership_id not in {c.membership_id for c in draw.candidates}
    assert '"conflict":1' in draw.publication


def test_the_draw_is_refused_to_a_firm_and_before_the_opening(opened, clock):
    from tender.evaluation.operations import committee

    world = opened()
    firm_user = world["people"]["firm_users"][0]
    with pytest.raises(DomainError):
        committee.prepare_tender_draw(world["tender"], {"evaluation_starts_at": world["tender"].bid_deadline},
                                      actor=firm_user, membership=firm_user.memberships[0])


def test_panel_verify_by_tender_reference(app, opened, clock):
    world = opened()
    _draw(world, clock)
    result = app.test_cli_runner().invoke(args=["panel", "verify", world["tender"].reference])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output


def test_absence_after_accepting_is_recorded_and_a_reserve_called(opened, clock):
    from tender.evaluation.models import InvitationStatus, PanelState
    from tender.evaluation.operations import committee, profile_for

    world = opened()
    panel = _draw(world, clock)
    for invitation in list(panel.invitations):
        committee.answer_invitation(invitation, {"answer": "accept"}, actor=None)
    db.session.commit()
    absent = panel.invitations[0]
    supervisor = world["people"]["supervisor"]
    committee.mark_absent(panel, absent.membership, {"note": "接受邀请后未到场，也未请假。"}, actor=supervisor)
    db.session.commit()
    assert absent.status == InvitationStatus.WITHDRAWN and panel.state == PanelState.INVITING
    assert [c.kind for c in profile_for(absent.membership).conduct] == ["absent_after_accepting"]
    assert panel.invitations[-1].status == InvitationStatus.PENDING and panel.invitations[-1].seat.position == 6
    committee.answer_invitation(panel.invitations[-1], {"answer": "accept"}, actor=None)
    db.session.commit()
    assert panel.state == PanelState.FORMED and len(committee.panel_members(panel)) == 5


def test_the_bureau_marks_an_absent_expert_on_the_panel_page(client, login, logout, opened, clock):
    """The seats table offers the bureau "did not come" for an expert who accepted; a note is required;
    the tenderer is offered nothing and is refused."""
    from tender.evaluation.models import InvitationStatus
    from tender.evaluation.operations import profile_for
    from tests.factories import csrf_token
    from tests.tender.evaluation.flow import formed_panel

    world = opened()
    panel = formed_panel(world)
    absent = panel.invitations[0]
    url = f"/evaluation/tenders/{world['tender'].id}/panel"
    action = f"{url}/seats/{absent.id}/absent"

    login(world["people"]["officer"])
    page = client.get(url).get_data(as_text=True)
    assert action not in page
    refused = client.post(action, data={"absent-note": "未到场", "csrf_token": csrf_token(page)})
    assert refused.status_code in (403, 422)
    db.session.expire_all()
    assert absent.status == InvitationStatus.ACCEPTED
    logout()

    login(world["people"]["supervisor"])
    page = client.get(url).get_data(as_text=True)
    assert action in page
    empty = client.post(action, data={"absent-note": "  ", "csrf_token": csrf_token(page)})
    assert empty.status_code == 422 and "请说明情况，专家会看到。" in empty.get_data(as_text=True)
    db.session.expire_all()
    assert absent.status == InvitationStatus.ACCEPTED and not profile_for(absent.membership).conduct
    done = client.post(action, data={"absent-note": "接受邀请后未到场，也未请假。", "csrf_token": csrf_token(page)})
    assert done.status_code in (302, 303)
    db.session.expire_all()
    assert absent.status == InvitationStatus.WITHDRAWN
    assert [c.kind for c in profile_for(absent.membership).conduct] == ["absent_after_accepting"]
    assert panel.invitations[-1].status == InvitationStatus.PENDING
    assert action not in client.get(url).get_data(as_text=True)
