"""After locking: the flags on real bids, what the panel did about each, the ranking, the report and its
signatures (汇总、异常线索处理、排序、评标报告).
"""

from __future__ import annotations

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import clock
from core.accounts.models import Membership
from core.audit.operations import record_event
from core.db import DomainError, db
from core.messages import define
from tender.evaluation import aggregation, bids as bidding, prices
from tender.evaluation.flags import (
    BidFingerprint,
    BidPrice,
    BidStaff,
    BidText,
    FileFacts,
    FlagInputs,
    ScoredItem,
    StaffMember,
    run_flags,
)
from tender.evaluation.models import (
    EvaluationCandidate,
    EvaluationFlag,
    EvaluationPanel,
    EvaluationReport,
    FlagAction,
    FlagHandling,
    PanelState,
    ReportSignature,
    ReportState,
    Score,
    SheetPart,
)
from tender.evaluation.operations.committee import is_member, panel_members
from tender.evaluation.operations.rules import rule_at
from tender.evaluation.operations.scoring import items_of, parts_of, sheet_of

CENT = Decimal("0.01")
REPORT_SIGNED = define("evaluation.report_signed", _l("Tender %(ref)s: the evaluation report is signed"),
                       _l("Every expert of the committee signed the evaluation report; read it and the ranked "
                          "candidates on the tender's evaluation page."))
SCORE_FLAGS = ("score_outlier", "ranking_contrary")


def all_locked(panel: EvaluationPanel, *, actor) -> None:
    """Every sheet is locked: the flags job runs next."""
    from core.jobs.queueing import enqueue_after_commit
    from tender.evaluation import tasks

    panel.state, panel.locked_at = PanelState.LOCKED, clock.now()
    db.session.flush()
    record_event("evaluation.panel_locked", panel, actor=actor, details={"tender": panel.tender_id})
    enqueue_after_commit(tasks.compute_flags, panel.id)


def _codes(panel: EvaluationPanel) -> dict[int, str]:
    return {c.bid_id: c.code for c in panel.codes}


def _read(doc) -> bytes:
    handle = bidding.read_document(doc)
    try:
        return handle.read()
    finally:
        handle.close()


def flag_inputs(panel: EvaluationPanel, progress=None) -> FlagInputs:
    """What the flags look at, from the opened bids: documents, submissions, securities, price sheets and scores."""
    from tender.evaluation.documents import DocumentError, read_document

    codes = _codes(panel)
    opened = [b for b in bidding.opened_bids(panel.tender) if b.id in codes]
    inputs = FlagInputs()
    for n, bid in enumerate(opened, start=1):
        code = codes[bid.id]
        files, pages = [], []
        for doc in bid.documents:
            data = _read(doc)
            metadata = None
            try:
                extracted = read_document(data, doc.name, code, _identity(bid))
                metadata = extracted.for_bureau.metadata
                if doc.part == "technical":
                    pages += list(extracted.for_experts.pages)
            except DocumentError:
                pass  # a file that cannot be read still counts by its hash; it has no text or metadata to compare
            files.append(FileFacts(doc.name, doc.sha256, metadata))
        inputs.texts.append(BidText(code, tuple(pages)))
        version = bidding.submission_of(bid)
        security = getattr(bid, "security", None)
        inputs.fingerprints.append(BidFingerprint(
            code, tuple(files), uploader_user_id=version.uploader_id if version else None,
            device_ids=(version.device_id,) if version and version.device_id else (),
            addresses=(version.remote_addr,) if version and version.remote_addr else (),
            security_account=security.payer_account if security else None))
        sheet = bid.price_sheet
        if sheet is not None:
            people = tuple(StaffMember(p.get("name", ""), p.get("post"), p.get("certificate_no"), p.get("id_number"),
                                       p.get("phone")) for p in (sheet.key_people or []))
            pm, contact = sheet.project_manager or {}, sheet.contact or {}
            inputs.staff.append(BidStaff(
                code, people,
                contact=StaffMember(contact.get("name", ""), "contact", phone=contact.get("phone")) if contact else None,
                project_manager=StaffMember(pm.get("name", ""), "project_manager", pm.get("certificate_no"),
                                            phone=pm.get("phone")) if pm else None))
            headcount = sum(int(s.get("headcount") or 0) for s in (sheet.staffing or []))
            months = panel.tender.contract_months or 12
            inputs.prices.append(BidPrice(code, int(sheet.annual_total_fen),
                                          period_total_fen=int(sheet.annual_total_fen) * months // 12,
                                          staff_person_months=headcount * months))
        if progress is not None:
            progress("documents", n, len(opened))
    for part in parts_of(panel.tender):
        maxima = {i.key: i.max_points for i in items_of(panel.tender, part)}
        for invitation in panel_members(panel):
            sheet = sheet_of(panel, invitation.membership, part)
            for s in (sheet.scores if sheet else []):
                inputs.scores.append(ScoredItem(str(invitation.membership_id), codes[s.bid_id], s.item,
                                                Decimal(s.points), maxima[s.item]))
    return inputs


def _identity(bid):
    from tender.evaluation.documents import BidderIdentity, Person

    sheet = bid.price_sheet
    people = []
    if sheet is not None:
        pm = sheet.project_manager or {}
        if pm.get("name"):
            people.append(Person(pm["name"], pm.get("certificate_no"), pm.get("phone")))
        people += [Person(p["name"], p.get("certificate_no"), p.get("phone"), p.get("id_number"))
                   for p in (sheet.key_people or []) if p.get("name")]
    return BidderIdentity(bid.firm.name, bid.firm.uscc, tuple(people))


def _summary(flag) -> str:
    return f"{flag.kind}: {', '.join(flag.bids)}"[:500]


def compute_flags(panel: EvaluationPanel, progress=None) -> list[EvaluationFlag]:
    """Run the flags engine on the panel's bids and scores and keep the leads (safe to run twice)."""
    if panel.state not in (PanelState.LOCKED, PanelState.FLAGGED):
        raise DomainError(_("Flags are computed once every sheet is locked."), code="not_locked")
    if panel.flags_done_at is not None:
        return list(panel.flags)
    rule = rule_at("flags", panel.locked_at)
    inputs = flag_inputs(panel, progress=progress)
    found = run_flags(inputs, rule, progress=progress)
    rows = []
    for flag in found:
        expert = int(flag.experts[0]) if flag.kind in SCORE_FLAGS and flag.experts else None
        details = {"figures": flag.figures, "experts": list(flag.experts) if flag.kind in SCORE_FLAGS else [],
                   "evidence": [{"label": e.label, "left": e.left, "right": e.right, "left_ref": e.left_ref,
                                 "right_ref": e.right_ref} for e in flag.evidence]}
        rows.append(EvaluationFlag(panel=panel, kind=flag.kind, bid_codes=list(flag.bids), membership_id=expert,
                                   item=flag.figures.get("item") if flag.kind == "score_outlier" else None,
                                   summary=_summary(flag), details=json.loads(json.dumps(details, default=str))))
    db.session.add_all(rows)
    panel.state, panel.flags_done_at, panel.flags_progress = PanelState.FLAGGED, clock.now(), 100
    db.session.flush()
    record_event("evaluation.flags_computed", panel, actor=None, details={"panel": panel.id, "flags": len(rows)})
    maybe_draft_report(panel)
    return rows


def flag_actions(flag: EvaluationFlag, membership: Membership | None) -> frozenset[str]:
    """What this member may record about the flag: the flagged expert confirms or changes their own score;
    any member records the panel's handling of other flags."""
    panel = flag.panel
    if panel.state != PanelState.FLAGGED or not is_member(panel, membership) or flag.handlings:
        return frozenset()
    if flag.kind == "score_outlier":
        return frozenset({"confirm", "change"}) if flag.membership_id == membership.id else frozenset()
    return frozenset({"no_action", "explanation_requested", "referred"})


def _flagged_score(flag: EvaluationFlag) -> Score | None:
    panel = flag.panel
    bid_id = next(c.bid_id for c in panel.codes if c.code == flag.bid_codes[0])
    for part in parts_of(panel.tender):
        sheet = next((s for s in panel.sheets if s.membership_id == flag.membership_id and s.part == part), None)
        for score in (sheet.scores if sheet else []):
            if score.bid_id == bid_id and score.item == flag.item:
                return score
    return None


def handle_flag(flag: EvaluationFlag, membership: Membership, data: dict, *, actor) -> FlagHandling:
    """Record what was done about one flag, with the reason (and the new points when a score changes)."""
    action = data.get("action")
    if action not in flag_actions(flag, membership):
        raise DomainError(_("You cannot record this for this flag."), code="action", field="action")
    note = " ".join((data.get("note") or "").split())[:1000]
    if len(note) < rule_at("scoring").reason_min_chars:
        raise DomainError(_("Write the reason (at least %(n)d characters).", n=rule_at("scoring").reason_min_chars),
                          code="note", field="note")
    handling = FlagHandling(flag=flag, action=FlagAction(action if action != "confirm" else "confirmed"), note=note,
                            recorded_by_id=actor.id, recorded_at=clock.now())
    db.session.add(handling)
    if action == "change":
        handling.action = FlagAction.CHANGED
    if flag.kind == "score_outlier":
        score = _flagged_score(flag)
        handling.points_before = score.points
        if action == "change":
            from tender.evaluation.operations.scoring import items_of as items

            item = next(i for p in parts_of(flag.panel.tender) for i in items(flag.panel.tender, p) if i.key == score.item)
            try:
                points = Decimal(str(data.get("points")))
            except Exception:
                raise DomainError(_("A score is a number."), code="points", field="points") from None
            from tender.evaluation.operations.scoring import step_of

            if not points.is_finite() or not item.accepts(points, step_of(clock.now())) or points == score.points:
                raise DomainError(_("Give the new score, different from the flagged one."), code="points",
                                  field="points")
            score.points, score.reason, score.updated_at = points, note, clock.now()
        handling.points_after = score.points
    db.session.flush()
    record_event("evaluation.flag_handled", flag, actor=actor,
                 details={"panel": flag.panel_id, "kind": flag.kind, "action": handling.action.value})
    maybe_draft_report(flag.panel)
    return handling


def upholdable(flag: EvaluationFlag) -> bool:
    """Whether the bureau may uphold this flag into conduct: a flag on the scoring of a drawn expert (the
    tenderer's representative has no expert profile, so no conduct history)."""
    from tender.evaluation.operations.pool import profile_for

    if flag.kind not in SCORE_FLAGS or flag.membership_id is None:
        return False
    return profile_for(db.session.get(Membership, flag.membership_id)) is not None


def uphold_flag(flag: EvaluationFlag, data: dict, *, actor) -> None:
    """The bureau upholds a flagged score: it enters the expert's conduct history and lowers the draw weight."""
    from tender.evaluation.operations.pool import profile_for
    from tender.evaluation.operations.standing import record_expert_conduct

    if flag.kind not in SCORE_FLAGS or flag.membership_id is None:
        raise DomainError(_("Only a flag on an expert's scoring can be upheld."), code="not_score_flag")
    if not upholdable(flag):
        raise DomainError(_("These are the scores of the tenderer's representative, who has no expert conduct "
                            "history; record the bureau's finding in the flag's handling."), code="not_expert")

    membership = db.session.get(Membership, flag.membership_id)
    profile = profile_for(membership)
    marker = f"[flag {flag.id}]"
    if any(c.kind == "flagged_scoring_upheld" and c.note.startswith(marker) for c in profile.conduct):
        raise DomainError(_("This flag was already upheld."), code="upheld")
    note = " ".join((data.get("note") or "").split())
    record_expert_conduct(profile, {"kind": "flagged_scoring_upheld", "occurred_on": clock.today(),
                                    "note": f"{marker} {note}" if note else "", "tender_id": flag.panel.tender_id},
                          actor=actor)


# --- ranking and the report ---

def _price_rule(tender) -> prices.PriceRule:
    scheme = tender.scheme or {}
    block = next((b for b in scheme.get("blocks", []) if b["key"] == "price"), {"points": 0})
    base = scheme.get("base_price") or {}
    ceiling = None
    if tender.ceiling_fen and tender.fee_model.value == "lump_sum" and tender.total_area_m2:
        ceiling = tender.ceiling_fen * tender.total_area_m2 * 12
    return prices.PriceRule(method=prices.PriceMethod(scheme.get("price_method", "base_price")),
                            max_points=Decimal(block["points"]),
                            per_percent_above=Decimal(base.get("above_per_percent", 30)) / 100,
                            per_percent_below=Decimal(base.get("below_per_percent", 20)) / 100, ceiling_fen=ceiling)


def results(panel: EvaluationPanel) -> dict:
    """The aggregation of the panel's locked scores with price and credit points, and the ranking."""
    from credit.operations import credit_factor

    tender = panel.tender
    codes = _codes(panel)
    opened = {b.id: b for b in bidding.opened_bids(tender)}
    scores, technical = [], set()
    for part in parts_of(tender):
        keys = {i.key for i in items_of(tender, part)}
        if part == SheetPart.TECHNICAL:
            technical |= keys
        for invitation in panel_members(panel):
            sheet = sheet_of(panel, invitation.membership, part)
            scores += [aggregation.ItemScore(str(invitation.membership_id), codes[s.bid_id], s.item, Decimal(s.points))
                       for s in (sheet.scores if sheet else [])]
    price_of = {codes[b]: int(opened[b].price_sheet.annual_total_fen) for b in codes if b in opened}
    price_points = prices.score_prices(price_of, _price_rule(tender))
    credit_block = next((b for b in tender.scheme.get("blocks", []) if b["key"] == "credit"), {"points": 0})
    credit_points = {codes[b]: (Decimal(str(credit_factor(opened[b].firm, tender.bid_deadline)))
                                * Decimal(credit_block["points"])).quantize(CENT, ROUND_HALF_UP)
                     for b in codes if b in opened}
    formula = {c: (price_points[c].points or Decimal(0)) + credit_points[c] for c in price_of}
    totals = aggregation.totals(scores, formula, technical)
    presentation_keys = {i.key for i in items_of(tender, SheetPart.PRESENTATION)}
    entries = [aggregation.RankEntry(c, t.total, price_of[c], t.technical, panel.lot.order.index(c) + 1
                                     if panel.lot and panel.lot.order and c in panel.lot.order else None)
               for c, t in totals.items() if price_points[c].rejected is None]
    ranking = aggregation.rank(entries)
    return {"totals": totals, "price": price_points, "credit": credit_points, "ranking": ranking,
            "presentation": {c: sum((m for i, m in t.items.items() if i in presentation_keys), Decimal("0.00"))
                             for c, t in totals.items()},
            "items": aggregation.aggregate_items(scores), "by_code": {c: opened[b] for b, c in codes.items()}}


def report_actions(report: EvaluationReport | None, membership: Membership | None) -> frozenset[str]:
    if report is None or report.state != ReportState.SIGNING:
        return frozenset()
    panel = db.session.scalar(sa.select(EvaluationPanel).where(EvaluationPanel.tender_id == report.tender_id))
    if not is_member(panel, membership) or any(s.membership_id == membership.id for s in report.signatures):
        return frozenset()
    return frozenset({"sign"})


def maybe_draft_report(panel: EvaluationPanel) -> EvaluationReport | None:
    """Once the flags are computed and every one has its handling, the report is drafted for signing."""
    if panel.state != PanelState.FLAGGED or any(not f.handlings for f in panel.flags):
        return None
    return draft_report(panel)


def draft_report(panel: EvaluationPanel) -> EvaluationReport:
    """Fix the report's body and its digest, with 1–3 ranked candidates, for the experts to sign."""
    from tender.evaluation.operations.report import report_body

    tender = panel.tender
    found = results(panel)
    body = report_body(panel, found)
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    report = EvaluationReport(tender_id=tender.id, state=ReportState.SIGNING, body=body,
                              sha256=hashlib.sha256(raw.encode("utf-8")).hexdigest(), created_at=clock.now())
    limit = min(int((tender.procedure_values or {}).get("max_candidates", 3)), rule_at("scoring").max_candidates)
    for place, entry in found["ranking"][:limit]:
        bid = found["by_code"][entry.bid]
        sheet = bid.price_sheet
        t = found["totals"][entry.bid]
        report.candidates.append(EvaluationCandidate(
            rank=len(report.candidates) + 1, bid_id=bid.id, firm_id=bid.firm_id, total_score=t.total,
            technical_score=t.technical, price_score=found["price"][entry.bid].points,
            presentation_score=found["presentation"][entry.bid], credit_score=found["credit"][entry.bid],
            annual_total_fen=int(sheet.annual_total_fen), fee_model=str(getattr(sheet.fee_model, "value", sheet.fee_model)),
            project_manager_name=(sheet.project_manager or {}).get("name"),
            project_manager_certificate=(sheet.project_manager or {}).get("certificate_no")))
    db.session.add(report)
    panel.state = PanelState.REPORTED
    db.session.flush()
    record_event("evaluation.report_drafted", report, actor=None, details={"tender": tender.id, "sha256": report.sha256})
    return report


def sign_report(report: EvaluationReport, membership: Membership, data: dict, *, actor) -> ReportSignature:
    """An expert signs the report's digest with the second factor; the last signature delivers it."""
    from core.auth.second_factor import check_second_factor
    from tender.tenders.operations.lifecycle import tell_bureau, tell_managers

    if "sign" not in report_actions(report, membership):
        raise DomainError(_("You cannot sign this report now."), code="sign_not_allowed")
    if data.get("sha256") != report.sha256:
        raise DomainError(_("The report changed since you read it; read it again."), code="digest")
    if check_second_factor(actor, (data.get("code") or "").strip()) is None:
        raise DomainError(_("The code from your authenticator is not right."), code="second_factor", field="code")
    signature = ReportSignature(report=report, membership_id=membership.id, sha256=report.sha256,
                                signed_at=clock.now())
    db.session.add(signature)
    db.session.flush()
    record_event("evaluation.report_signed", report, actor=actor, details={"sha256": report.sha256})
    panel = db.session.scalar(sa.select(EvaluationPanel).where(EvaluationPanel.tender_id == report.tender_id))
    if {i.membership_id for i in panel_members(panel)} <= {s.membership_id for s in report.signatures}:
        report.state, report.signed_at = ReportState.SIGNED, clock.now()
        tender = report.tender
        tell_managers(tender, REPORT_SIGNED, {"ref": tender.reference or str(tender.id)}, actor=actor)
        tell_bureau(tender, REPORT_SIGNED, {"ref": tender.reference or str(tender.id)}, actor=actor)
        record_event("evaluation.report_delivered", report, actor=actor, details={"tender": tender.id})
    return signature
