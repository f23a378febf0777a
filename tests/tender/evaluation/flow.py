"""Helpers that walk a panel through its steps with the operations (the browser journey does it by hand)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from core.extensions import db
from tests.factories import unused_totp_code


def technical_only(scheme: dict) -> dict:
    """A scheme of three technical items and nothing else (for ``opened(scheme=...)``)."""
    import copy

    result = copy.deepcopy(scheme)
    for block in result["blocks"]:
        if block["key"] == "technical":
            block["items"], block["points"] = [["understanding", 8], ["organisation", 8], ["emergency", 6]], 22
        elif block["key"] in ("business", "presentation"):
            block["items"], block["points"] = [], 0
    return result


def formed_panel(world, **draw):
    """Draw the panel of an opened tender (5 experts, 2 reserves unless ``draw`` says otherwise) and have
    every drawn member accept."""
    from tender.evaluation.operations import committee

    tender, officer = world["tender"], world["people"]["officer"]
    committee.prepare_tender_draw(tender, {"evaluation_starts_at": tender.bid_deadline + timedelta(hours=20),
                                           "members": 5, "reserves": 2, **draw}, actor=officer)
    db.session.commit()
    panel = committee.perform_tender_draw(tender, {"witness": "2026-10-20 见证"}, actor=officer)
    db.session.commit()
    for invitation in list(panel.invitations):
        committee.answer_invitation(invitation, {"answer": "accept"}, actor=invitation.membership.user)
    db.session.commit()
    return panel


def score_all(panel, part, points_for, reason="评分理由：方案内容完整，措施具体可行。"):
    """Every member saves and locks ``part``; ``points_for(n, code, item) -> Decimal`` gives each score."""
    from tender.evaluation.operations import committee, scoring

    items = scoring.items_of(panel.tender, part)
    for n, invitation in enumerate(committee.panel_members(panel)):
        membership = invitation.membership
        entries = [{"bid": c.code, "item": i.key, "points": str(points_for(n, c.code, i)), "reason": reason}
                   for c in panel.codes for i in items]
        sheet = scoring.sheet_of(panel, membership, part)
        scoring.save_sheet(panel, membership, part, {"revision": sheet.revision if sheet else 0, "scores": entries},
                           actor=membership.user)
        db.session.commit()
        scoring.lock_sheet(panel, membership, part, {"code": unused_totp_code(membership.user)}, actor=membership.user)
        db.session.commit()


def good(n, code, item):
    """Everyone says good (75 %), bid B a little better."""
    share = Decimal("0.75") if code != "B" else Decimal(1)
    return (item.max_points * share).normalize()
