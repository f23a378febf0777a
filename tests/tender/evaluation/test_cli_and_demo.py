"""`flask panel verify` and `show`, and the demo profiles."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from core.accounts.models import OrgKind
from core.extensions import db


def performed_draw(now, make_expert, make_org, make_draft_tender):
    from tender.evaluation.conflicts import DrawParties
    from tender.evaluation.operations import DrawRequest, PanelSpec, perform_draw, prepare_draw

    for _ in range(8):
        make_expert()
    parties = DrawParties(make_org(OrgKind.DEVELOPER).id, None, (make_org().id,))
    draw = prepare_draw(DrawRequest(make_draft_tender().id, parties, PanelSpec(5, 2), ("residential",), "310104",
                                    now + timedelta(hours=2), now - timedelta(hours=1)), actor=None)
    perform_draw(draw, {"witness": "见证"}, actor=None)
    db.session.commit()
    return draw


def test_verify_says_ok_and_fails_on_a_changed_record(app, now, make_expert, make_org, make_draft_tender):
    draw = performed_draw(now, make_expert, make_org, make_draft_tender)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["panel", "verify", str(draw.id)])
    assert result.exit_code == 0 and f"draw {draw.id} verified" in result.output
    assert "ok   commitment" in result.output
    draw.result = list(reversed(draw.result))
    db.session.commit()
    result = runner.invoke(args=["panel", "verify", str(draw.id)])
    assert result.exit_code == 1 and "FAIL panel" in result.output
    assert runner.invoke(args=["panel", "verify", "99999"]).exit_code != 0


def test_show_prints_the_public_record(app, now, make_expert, make_org, make_draft_tender):
    draw = performed_draw(now, make_expert, make_org, make_draft_tender)
    result = app.test_cli_runner().invoke(args=["panel", "show", str(draw.id)])
    record = json.loads(result.output)
    assert record["seed"] == draw.seed.hex() and record["publication"]["commitment"] == draw.commitment
    assert draw.salt.hex() not in result.output


def test_the_demo_experts_get_profiles_once(app_ctx):
    from core.demo import seed
    from tender.evaluation.models import EmploymentStatus, ExpertConduct, ExpertEmployment, ExpertProfile, ExpertRelation
    from tender.evaluation.models import ExpertUnavailability

    seed()
    db.session.commit()
    seed()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(ExpertProfile.id))) == 12
    pending = db.session.scalars(sa.select(ExpertEmployment).where(ExpertEmployment.status == EmploymentStatus.PROPOSED)).all()
    assert len(pending) == 1 and pending[0].employer is not None  # a demo firm, so the change matters for conflicts
    assert db.session.scalar(sa.select(sa.func.count(ExpertRelation.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(ExpertUnavailability.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(ExpertConduct.id))) == 1


def test_the_demo_opened_tender_is_evaluating_with_a_drawn_panel(app_ctx):
    from core.demo import seed
    from tender.bidding.demo_opening import NAMES
    from tender.evaluation.models import InvitationStatus, PanelState
    from tender.evaluation.operations import committee, verify_draw
    from tender.tenders.models import Tender, TenderState

    seed()
    db.session.commit()
    tender = db.session.scalar(sa.select(Tender).where(Tender.community_name == NAMES["opened"]))
    panel = committee.panel_of(tender)
    assert tender.state == TenderState.EVALUATING and panel.state == PanelState.FORMED
    assert len(committee.panel_members(panel)) == 5 and verify_draw(panel.draw).ok
    assert all(i.status == InvitationStatus.ACCEPTED and i.sent_at for i in panel.invitations)
    assert len(panel.codes) == 3  # the revoked bid is not evaluated
    seed()
    db.session.commit()
    assert len(committee.panel_of(tender).invitations) == 5


def test_the_demo_signed_evaluation_has_its_flags_and_report(app_ctx):
    from core.demo import seed
    from tender.evaluation.demo import SIGNED
    from tender.evaluation.models import ReportState
    from tender.evaluation.operations import committee
    from tender.evaluation.operations.report import signed_report
    from tender.tenders.models import Tender

    seed()
    db.session.commit()
    tender = db.session.scalar(sa.select(Tender).where(Tender.community_name == SIGNED))
    report = signed_report(tender)
    assert report is not None and report.state == ReportState.SIGNED and report.signed_at is not None
    panel = committee.panel_of(tender)
    kinds = {f.kind for f in panel.flags}
    assert {"similar_text", "abnormally_low", "same_device"} <= kinds
    assert all(f.handlings for f in panel.flags)
    assert len(report.signatures) == 5
    seed()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Tender.id)).where(Tender.community_name == SIGNED)) == 1
