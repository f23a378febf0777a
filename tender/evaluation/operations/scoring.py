"""Scoring (专家评分): the items an expert scores, saving drafts by revision, locking with the second
factor, and the lot for the presentations' speaking order.

The technical part is scored blind: until every member has locked it, an expert sees the bids by
code only. The business and presentation parts follow, once the codes are revealed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from core import clock
from core.accounts.models import Membership
from core.audit.operations import record_event
from core.db import DomainError, db
from tender.evaluation.models import (
    EvaluationPanel,
    PanelState,
    PresentationLot,
    Score,
    ScoreSheet,
    SheetPart,
)
from tender.evaluation.operations.committee import is_member, panel_members
from tender.evaluation.operations.rules import rule_at

PARTS = (SheetPart.TECHNICAL, SheetPart.BUSINESS, SheetPart.PRESENTATION)
SCORING_STATES = (PanelState.FORMED, PanelState.SCORING)
LOT_COMMITMENT_LABEL = b"presentation-lot/v1 commitment\x00"
LOT_KEY_LABEL = b"presentation-lot/v1 key\x00"


@dataclass(frozen=True)
class Item:
    """One item an expert scores: its key, maximum and the points on its grading anchors."""

    key: str
    max_points: Decimal
    anchors: tuple[tuple[str, Decimal], ...]

    def accepts(self, points: Decimal, step: Decimal) -> bool:
        """An anchor's points, or a multiple of ``step`` within the range."""
        if points < 0 or points > self.max_points:
            return False
        return any(points == p for _name, p in self.anchors) or (points / step) == (points / step).to_integral_value()


def items_of(tender, part: SheetPart) -> list[Item]:
    """The scheme's items of one part, each with its anchors (excellent 100 % … absent 0)."""
    scheme = tender.scheme or {}
    anchors = scheme.get("anchors") or [["excellent", 100], ["good", 75], ["fair", 50], ["poor", 25], ["absent", 0]]
    block = next((b for b in scheme.get("blocks", []) if b.get("key") == part.value), None)
    if block is None:
        return []
    found = []
    for key, points in block.get("items", []):
        if not points:
            continue
        top = Decimal(points)
        found.append(Item(key, top, tuple((name, (top * Decimal(share) / 100).normalize()) for name, share in anchors)))
    return found


def parts_of(tender) -> list[SheetPart]:
    """The parts the experts score for this tender (those with items)."""
    return [p for p in PARTS if items_of(tender, p)]


def step_of(at) -> Decimal:
    return Decimal(rule_at("scoring", at).step_tenths) / 10


def sheet_of(panel: EvaluationPanel, membership: Membership, part: SheetPart) -> ScoreSheet | None:
    return next((s for s in panel.sheets if s.membership_id == membership.id and s.part == part), None)


def part_locked_by_all(panel: EvaluationPanel, part: SheetPart) -> bool:
    members = panel_members(panel)
    return bool(members) and all((s := sheet_of(panel, i.membership, part)) is not None and s.locked_at is not None
                                 for i in members)


def codes_revealed(panel: EvaluationPanel) -> bool:
    """Names appear beside the codes once every member has locked the technical part."""
    return part_locked_by_all(panel, SheetPart.TECHNICAL)


def part_open(panel: EvaluationPanel, part: SheetPart) -> bool:
    """Whether the part may be scored now (technical first, blind; then the others; presentation after its lot)."""
    if panel.state not in SCORING_STATES or part not in parts_of(panel.tender):
        return False
    if part == SheetPart.TECHNICAL:
        return True
    if not codes_revealed(panel):
        return False
    if part == SheetPart.PRESENTATION:
        return panel.lot is not None and panel.lot.order is not None
    return True


def scoring_actions(panel: EvaluationPanel, membership: Membership | None) -> dict[str, frozenset[str]]:
    """Per part, what this expert may do now: ``score`` (save drafts), ``lock``."""
    if not is_member(panel, membership):
        return {}
    result = {}
    for part in parts_of(panel.tender):
        sheet = sheet_of(panel, membership, part)
        if part_open(panel, part) and (sheet is None or sheet.locked_at is None):
            result[part.value] = frozenset({"score", "lock"})
        else:
            result[part.value] = frozenset()
    return result


def _points(value) -> Decimal:
    try:
        points = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("A score is a number."), code="points", field="scores") from None
    if not points.is_finite():
        raise DomainError(_("A score is a number."), code="points", field="scores")
    return points


def _needs_reason(item: Item, points: Decimal) -> bool:
    return points == 0 or points == item.max_points


def save_sheet(panel: EvaluationPanel, membership: Membership, part: SheetPart, data: dict, *, actor) -> ScoreSheet:
    """Save an expert's draft scores of one part; ``revision`` must be the one the draft started from."""
    now = clock.now()
    if part.value not in {p for p, acts in scoring_actions(panel, membership).items() if "score" in acts}:
        raise DomainError(_("This part cannot be scored now."), code="not_open")
    sheet = sheet_of(panel, membership, part)
    if sheet is None:
        sheet = ScoreSheet(panel=panel, membership_id=membership.id, part=part, revision=0)
        db.session.add(sheet)
    base = data.get("revision")
    if not isinstance(base, int) or isinstance(base, bool):
        raise DomainError(_("Say which saved revision these scores start from."), code="revision", field="revision")
    if base != sheet.revision:
        raise DomainError(_("These scores were changed in another window (revision %(n)d); reload to go on.",
                            n=sheet.revision), code="stale_revision")
    items = {i.key: i for i in items_of(panel.tender, part)}
    bids = {c.code: c.bid_id for c in panel.codes}
    step = step_of(now)
    rule = rule_at("scoring", now)
    entries = data.get("scores")
    if not isinstance(entries, list) or len(entries) > len(items) * len(bids):
        raise DomainError(_("Send the scores as a list."), code="scores", field="scores")
    existing = {(s.bid_id, s.item): s for s in sheet.scores}
    sheet.revision += 1
    for entry in entries:
        if not isinstance(entry, dict):
            raise DomainError(_("Send the scores as a list."), code="scores", field="scores")
        item, bid_id = items.get(entry.get("item")), bids.get(entry.get("bid"))
        if item is None or bid_id is None:
            raise DomainError(_("There is no such bid or item."), code="unknown", field="scores")
        reason = (entry.get("reason") or "").strip()[:rule.reason_max_chars] or None
        if entry.get("points") in (None, ""):
            if (bid_id, item.key) in existing:
                db.session.delete(existing.pop((bid_id, item.key)))
            continue
        points = _points(entry.get("points"))
        if not item.accepts(points, step):
            raise DomainError(_("%(item)s: give %(step)s steps from 0 to %(max)s, or an anchor's points.",
                                item=item.key, step=step, max=item.max_points), code="points", field="scores")
        score = existing.get((bid_id, item.key))
        if score is None:
            score = Score(sheet=sheet, bid_id=bid_id, item=item.key, points=points, reason=reason,
                          revision=sheet.revision, updated_at=now)
            db.session.add(score)
            existing[(bid_id, item.key)] = score
        else:
            score.points, score.reason, score.revision, score.updated_at = points, reason, sheet.revision, now
    sheet.saved_at = now
    if panel.state == PanelState.FORMED:
        panel.state = PanelState.SCORING
    db.session.flush()
    return sheet


def missing(panel: EvaluationPanel, sheet: ScoreSheet | None, part: SheetPart) -> list[tuple[str, str, str]]:
    """(code, item, what) for every score still missing or needing its reason before locking."""
    rule = rule_at("scoring", clock.now())
    items = items_of(panel.tender, part)
    given = {(s.bid_id, s.item): s for s in (sheet.scores if sheet else [])}
    problems = []
    for code in panel.codes:
        for item in items:
            score = given.get((code.bid_id, item.key))
            if score is None:
                problems.append((code.code, item.key, "score"))
            elif _needs_reason(item, Decimal(score.points)) and len((score.reason or "").strip()) < rule.reason_min_chars:
                problems.append((code.code, item.key, "reason"))
    return problems


def canonical_scores(sheet: ScoreSheet, codes: dict[int, str]) -> str:
    rows = sorted([codes[s.bid_id], s.item, str(Decimal(s.points).normalize()), s.reason or ""] for s in sheet.scores)
    return json.dumps({"part": sheet.part.value, "scores": rows}, ensure_ascii=False, separators=(",", ":"))


def lock_sheet(panel: EvaluationPanel, membership: Membership, part: SheetPart, data: dict, *, actor) -> ScoreSheet:
    """Lock and sign an expert's scores of one part with the second factor; late locking is recorded."""
    from core.auth.second_factor import check_second_factor

    now = clock.now()
    if "lock" not in scoring_actions(panel, membership).get(part.value, frozenset()):
        raise DomainError(_("This part cannot be locked now."), code="not_open")
    sheet = sheet_of(panel, membership, part)
    gaps = missing(panel, sheet, part)
    if gaps:
        raise DomainError(_("Score every item of every bid, with a reason for any score at either end of its range, "
                            "before locking (%(n)d left).", n=len(gaps)), code="incomplete")
    if check_second_factor(actor, (data.get("code") or "").strip()) is None:
        raise DomainError(_("The code from your authenticator is not right."), code="second_factor", field="code")
    codes = {c.bid_id: c.code for c in panel.codes}
    sheet.locked_at = now
    sheet.locked_sha256 = hashlib.sha256(canonical_scores(sheet, codes).encode("utf-8")).hexdigest()
    db.session.flush()
    record_event("evaluation.sheet_locked", sheet, actor=actor,
                 details={"panel": panel.id, "part": part.value, "sha256": sheet.locked_sha256})
    late = panel.evaluation_starts_at + timedelta(hours=rule_at("scoring", now).lock_hours)
    if now > late and not any(s.membership_id == membership.id and s.locked_at and s.id != sheet.id
                              and s.locked_at > late for s in panel.sheets):
        from tender.evaluation.operations.pool import profile_for
        from tender.evaluation.operations.standing import record_expert_conduct

        record_expert_conduct(profile_for(membership), {
            "kind": "late_locking", "occurred_on": clock.today(), "tender_id": panel.tender_id,
            "note": f"locked {part.value} scores {int((now - late).total_seconds() // 60)} minutes late"}, actor=None)
    if all(part_locked_by_all(panel, p) for p in parts_of(panel.tender)):
        from tender.evaluation.operations.results import all_locked

        all_locked(panel, actor=actor)
    return sheet


# --- the presentation lot (答辩顺序抽签) ---

def lot_commitment(seed: bytes) -> str:
    return hashlib.sha256(LOT_COMMITMENT_LABEL + seed).hexdigest()


def lot_order(codes: list[str], seed: bytes, witness: str) -> list[str]:
    """Speaking order: codes by HMAC-SHA256(key, code), highest first; key = SHA-256(label ‖ seed ‖ witness)."""
    from tender.evaluation.panel import normal_witness

    key = hashlib.sha256(LOT_KEY_LABEL + seed + normal_witness(witness).encode("utf-8")).digest()
    return sorted(codes, key=lambda c: (hmac.new(key, c.encode("ascii"), hashlib.sha256).digest(), c), reverse=True)


def lot_actions(panel: EvaluationPanel, membership: Membership | None) -> frozenset[str]:
    if SheetPart.PRESENTATION not in parts_of(panel.tender) or not is_member(panel, membership):
        return frozenset()
    if panel.lot is None:
        return frozenset({"prepare_lot"}) if panel.state in SCORING_STATES else frozenset()
    return frozenset({"perform_lot"}) if panel.lot.order is None else frozenset()


def prepare_lot(panel: EvaluationPanel, *, actor, membership: Membership | None = None) -> PresentationLot:
    """Publish the commitment to a secret seed and the codes taking part."""
    from tender.evaluation.panel import new_seed

    if "prepare_lot" not in lot_actions(panel, membership):
        raise DomainError(_("The lot cannot be prepared now."), code="lot_not_allowed")
    seed = new_seed()
    lot = PresentationLot(panel=panel, commitment=lot_commitment(seed), seed=seed,
                          codes=sorted(c.code for c in panel.codes), prepared_at=clock.now())
    db.session.add(lot)
    db.session.flush()
    record_event("evaluation.lot_prepared", lot, actor=actor, details={"panel": panel.id, "commitment": lot.commitment})
    return lot


def perform_lot(panel: EvaluationPanel, data: dict, *, actor, membership: Membership | None = None) -> PresentationLot:
    """Reveal the seed with the witness text and fix the speaking order."""
    from tender.evaluation.panel import normal_witness

    if "perform_lot" not in lot_actions(panel, membership):
        raise DomainError(_("The lot cannot be drawn now."), code="lot_not_allowed")
    witness = normal_witness(data.get("witness") or "")
    if not witness or len(witness) > 200:
        raise DomainError(_("Enter the witness text read out at the draw (at most 200 characters)."),
                          code="witness", field="witness")
    lot = panel.lot
    lot.witness, lot.order, lot.performed_at = witness, lot_order(list(lot.codes), lot.seed, witness), clock.now()
    db.session.flush()
    record_event("evaluation.lot_performed", lot, actor=actor,
                 details={"panel": panel.id, "seed": lot.seed.hex(), "witness": witness, "order": lot.order})
    return lot


def verify_lot(lot: PresentationLot) -> bool:
    return lot.commitment == lot_commitment(lot.seed) and (
        lot.order is None or lot.order == lot_order(list(lot.codes), lot.seed, lot.witness or ""))
