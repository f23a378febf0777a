"""The evaluation report: drafting it from the aggregated scores, signing, and reading it later (award)."""

from __future__ import annotations

import sqlalchemy as sa

from core.db import db
from tender.evaluation.models import EvaluationReport, ReportState


def report_of(tender) -> EvaluationReport | None:
    """The tender's report in any state, or None."""
    return db.session.scalar(sa.select(EvaluationReport).where(EvaluationReport.tender_id == tender.id))


def signed_report(tender) -> EvaluationReport | None:
    """The tender's report once every expert has signed it, else None."""
    return db.session.scalar(sa.select(EvaluationReport).where(EvaluationReport.tender_id == tender.id,
                                                               EvaluationReport.state == ReportState.SIGNED))



def _num(value) -> str | None:
    return None if value is None else str(value)


def report_body(panel, found: dict) -> dict:
    """The whole record as JSON: members, bids, every expert's scores and reasons, flags and handling, ranking."""
    from tender.evaluation.operations.committee import panel_members

    tender = panel.tender
    codes = {c.bid_id: c.code for c in panel.codes}
    members = panel_members(panel)
    sheets = []
    for invitation in members:
        for sheet in sorted((s for s in panel.sheets if s.membership_id == invitation.membership_id),
                            key=lambda s: s.part.value):
            sheets.append({"expert": invitation.membership_id, "part": sheet.part.value,
                           "locked_at": sheet.locked_at.isoformat() if sheet.locked_at else None,
                           "sha256": sheet.locked_sha256,
                           "scores": sorted([[codes[s.bid_id], s.item, _num(s.points), s.reason or ""]
                                             for s in sheet.scores])})
    flags = [{"id": f.id, "kind": f.kind, "bids": f.bid_codes, "expert": f.membership_id, "item": f.item,
              "details": f.details,
              "handling": [{"action": h.action.value, "note": h.note, "before": _num(h.points_before),
                            "after": _num(h.points_after), "by": h.recorded_by_id,
                            "at": h.recorded_at.isoformat()} for h in f.handlings]} for f in panel.flags]
    bids = []
    for code, bid in sorted(found["by_code"].items()):
        total = found["totals"].get(code)
        bids.append({"code": code, "bid": bid.id, "firm": bid.firm.name, "firm_id": bid.firm_id,
                     "annual_total_fen": int(bid.price_sheet.annual_total_fen),
                     "items": {k: _num(v) for k, v in (total.items if total else {}).items()},
                     "technical": _num(total.technical if total else None),
                     "price_points": _num(found["price"][code].points),
                     "price_rejected": found["price"][code].rejected,
                     "credit_points": _num(found["credit"][code]), "total": _num(total.total if total else None)})
    return {
        "tender": {"id": tender.id, "reference": tender.reference, "community": tender.community_name},
        "members": [{"membership": i.membership_id, "name": i.membership.user.name} for i in members],
        "lot": panel.lot.order if panel.lot else None,
        "bids": bids, "sheets": sheets, "flags": flags,
        "ranking": [{"place": place, "code": e.bid, "total": _num(e.total), "price_fen": e.price_fen}
                    for place, e in found["ranking"]],
    }
