"""Scoring by the operations: allowed points, reasons at the ends, revisions, locking with the second
factor, blind codes until the technical part is locked, the lot, flags, ranking and the signed report."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.db import DomainError
from core.extensions import db
from tests.factories import unused_totp_code
from tests.tender.evaluation.flow import formed_panel, good, score_all
from tests.tender.evaluation.world import small_scheme


def test_points_are_anchors_or_half_steps_and_the_ends_need_a_reason(opened, clock):
    from tender.evaluation.models import SheetPart
    from tender.evaluation.operations import committee, scoring

    panel = formed_panel(opened(scheme=small_scheme))
    membership = committee.panel_members(panel)[0].membership
    item = scoring.items_of(panel.tender, SheetPart.TECHNICAL)[2]  # emergency, 6 points: anchors 6, 4.5, 3, 1.5, 0
    assert item.accepts(Decimal("4.5"), Decimal("0.5")) and item.accepts(Decimal("1.5"), Decimal("0.5"))
    assert not item.accepts(Decimal("4.2"), Decimal("0.5")) and not item.accepts(Decimal("6.5"), Decimal("0.5"))
    with pytest.raises(DomainError) as refused:
        scoring.save_sheet(panel, membership, SheetPart.TECHNICAL,
                           {"revision": 0, "scores": [{"bid": "A", "item": "emergency", "points": "4.2"}]}, actor=None)
    assert refused.value.code == "points"
    db.session.rollback()
    sheet = scoring.save_sheet(panel, membership, SheetPart.TECHNICAL,
                               {"revision": 0, "scores": [{"bid": "A", "item": "emergency", "points": "6"}]}, actor=None)
    db.session.commit()
    assert sheet.revision == 1
    assert ("A", "emergency", "reason") in scoring.missing(panel, sheet, SheetPart.TECHNICAL)
    with pytest.raises(DomainError) as stale:
        scoring.save_sheet(panel, membership, SheetPart.TECHNICAL, {"revision": 0, "scores": []}, actor=None)
    assert stale.value.code == "stale_revision"
    db.session.rollback()
    with pytest.raises(DomainError) as incomplete:
        scoring.lock_sheet(panel, membership, SheetPart.TECHNICAL, {"code": unused_totp_code(membership.user)},
                           actor=membership.user)
    assert incomplete.value.code == "incomplete"


def test_the_whole_evaluation_to_a_signed_report(opened, clock):
    from tender.evaluation.models import PanelState, ReportState, SheetPart
    from tender.evaluation.operations import committee, results, scoring
    from tender.evaluation.operations.report import report_of, signed_report

    world = opened(scheme=small_scheme)
    panel = formed_panel(world)
    members = committee.panel_members(panel)
    assert not scoring.part_open(panel, SheetPart.BUSINESS)
    # The fifth expert gives bid A 1.5 for emergency plans where the others give 4.5: an outlier.
    def technical(n, code, item):
        if n == 4 and code == "A" and item.key == "emergency":
            return Decimal("1.5")
        return good(n, code, item)
    score_all(panel, SheetPart.TECHNICAL, technical)
    assert scoring.codes_revealed(panel) and scoring.part_open(panel, SheetPart.BUSINESS)
    score_all(panel, SheetPart.BUSINESS, good)
    assert panel.state == PanelState.LOCKED
    flags = results.compute_flags(panel)
    db.session.commit()
    outliers = [f for f in flags if f.kind == "score_outlier"]
    assert len(outliers) == 1 and outliers[0].membership_id == members[4].membership_id
    assert outliers[0].bid_codes == ["A"] and outliers[0].item == "emergency"
    assert results.compute_flags(panel) == list(panel.flags)  # safe to run twice
    for flag in panel.flags:
        handler = members[4].membership if flag.kind == "score_outlier" else members[0].membership
        acts = results.flag_actions(flag, handler)
        action = "confirm" if "confirm" in acts else "no_action"
        results.handle_flag(flag, handler, {"action": action, "note": "已复核：应急预案缺少电梯困人处置流程。"},
                            actor=handler.user)
        db.session.commit()
    report = report_of(world["tender"])
    assert report is not None and report.state == ReportState.SIGNING
    ranking = [c.bid.firm_id for c in report.candidates]
    b = next(c.bid_id for c in panel.codes if c.code == "B")
    assert report.candidates[0].bid_id == b and len(ranking) == 3
    assert signed_report(world["tender"]) is None
    for invitation in members:
        results.sign_report(report, invitation.membership, {"sha256": report.sha256,
                                                            "code": unused_totp_code(invitation.membership.user)},
                            actor=invitation.membership.user)
        db.session.commit()
    assert signed_report(world["tender"]) is report and report.signed_at is not None
    handling = [f for f in report.body["flags"] if f["kind"] == "score_outlier"][0]["handling"]
    assert handling[0]["action"] == "confirmed"


def test_ranking_ties_are_broken_by_the_lower_price(opened, clock):
    from tender.evaluation.models import SheetPart
    from tender.evaluation.operations import results

    # Equal prices would be a flag; equal scores and prices 1,000,000 / 990,000 / 1,010,000 yuan.
    world = opened(scheme=small_scheme, prices=(1000000, 990000, 1010000))
    panel = formed_panel(world)
    same = lambda n, code, item: (item.max_points * Decimal("0.75")).normalize()  # noqa: E731
    score_all(panel, SheetPart.TECHNICAL, same)
    score_all(panel, SheetPart.BUSINESS, same)
    found = results.results(panel)
    price_of = {e.bid: e.price_fen for _place, e in found["ranking"]}
    totals = {e.bid: e.total for _place, e in found["ranking"]}
    ordered = [e.bid for _place, e in found["ranking"]]
    # The base-price method gives the price nearest the mean the most points; with equal scores the
    # totals differ only by price points, and any equal totals are ordered by the lower price.
    for first, second in zip(ordered, ordered[1:]):
        assert totals[first] > totals[second] or (totals[first] == totals[second] and price_of[first] < price_of[second])


def test_the_presentation_lot_is_committed_then_drawn_and_verifies(opened, clock):
    from tender.evaluation.models import SheetPart
    from tender.evaluation.operations import committee, scoring

    panel = formed_panel(opened())
    membership = committee.panel_members(panel)[0].membership
    assert "prepare_lot" in scoring.lot_actions(panel, membership)
    lot = scoring.prepare_lot(panel, actor=membership.user, membership=membership)
    db.session.commit()
    assert lot.order is None and lot.commitment == scoring.lot_commitment(lot.seed)
    scoring.perform_lot(panel, {"witness": "答辩抽签 见证"}, actor=membership.user, membership=membership)
    db.session.commit()
    assert sorted(lot.order) == ["A", "B", "C"] and scoring.verify_lot(lot)
    assert lot.order == scoring.lot_order(["C", "B", "A"], lot.seed, "答辩抽签 见证")
    assert not scoring.part_open(panel, SheetPart.PRESENTATION)  # still after the technical part is locked


def test_late_locking_and_an_upheld_flag_lower_the_draw_weight(opened, clock):
    from datetime import timedelta

    from tender.evaluation.models import SheetPart
    from tender.evaluation.operations import committee, draw_weight, profile_for, results

    world = opened(scheme=small_scheme)
    panel = formed_panel(world)
    members = [i.membership for i in committee.panel_members(panel)]
    before = draw_weight(profile_for(members[4]), clock_now := panel.evaluation_starts_at)
    clock.set(panel.evaluation_starts_at + timedelta(hours=9))  # past the eight hours to lock in

    def technical(n, code, item):
        return Decimal("1.5") if (n == 4 and code == "A" and item.key == "emergency") else good(n, code, item)
    score_all(panel, SheetPart.TECHNICAL, technical)
    score_all(panel, SheetPart.BUSINESS, good)
    kinds = [c.kind for c in profile_for(members[0]).conduct]
    assert kinds == ["late_locking"]  # once per expert and tender, not once per part
    flag = next(f for f in results.compute_flags(panel) if f.kind == "score_outlier")
    db.session.commit()
    supervisor = world["people"]["supervisor"]
    results.uphold_flag(flag, {"note": "该专家评分明显偏离且理由不成立。"}, actor=supervisor)
    db.session.commit()
    with pytest.raises(DomainError):
        results.uphold_flag(flag, {"note": "again"}, actor=supervisor)
    db.session.rollback()
    profile = profile_for(members[4])
    assert sorted(c.kind for c in profile.conduct) == ["flagged_scoring_upheld", "late_locking"]
    assert all(c.tender_id == world["tender"].id for c in profile.conduct)
    assert draw_weight(profile, clock_now + timedelta(days=1)) < before
