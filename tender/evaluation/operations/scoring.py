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
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from core import clock
from core.accounts.models import Membership, Role
from core.audit.operations import record_event
from core.db import DomainError, db
from tender.evaluation.models import (
    BidCode,
    DrawSeat,
    EvaluationPanel,
    InvitationStatus,
    PanelInvitation,
    PanelState,
    PresentationLot,
    Score,
    ScoreSheet,
    SeatRole,
    SeatStatus,
    SheetPart,
)
from tender.evaluation.operations.committee import is_member, panel_members
from tender.evaluation.operations.rules import rule_at
from tender.tenders.models import Tender

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
    return items_of_scheme(tender.scheme, part)


def items_of_scheme(scheme: dict | None, part: SheetPart) -> list[Item]:
    scheme = scheme or {}
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


def _base_revision(data: dict) -> int:
    base = data.get("revision")
    if not isinstance(base, int) or isinstance(base, bool):
        raise DomainError(_("Say which saved revision these scores start from."), code="revision", field="revision")
    return base


def _stale(revision: int) -> DomainError:
    return DomainError(_("These scores were changed in another window (revision %(n)d); reload to go on.",
                         n=revision), code="stale_revision")


def _entries(data: dict, items: dict[str, Item], bids: dict[str, int], rule) -> dict[tuple[int, str], tuple]:
    """The checked entries of a save: (bid id, item) → (points, reason), points None to clear a score."""
    step = Decimal(rule.step_tenths) / 10
    entries = data.get("scores")
    if not isinstance(entries, list) or len(entries) > len(items) * len(bids):
        raise DomainError(_("Send the scores as a list."), code="scores", field="scores")
    found = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise DomainError(_("Send the scores as a list."), code="scores", field="scores")
        item, bid_id = items.get(entry.get("item")), bids.get(entry.get("bid"))
        if item is None or bid_id is None:
            raise DomainError(_("There is no such bid or item."), code="unknown", field="scores")
        reason = (entry.get("reason") or "").strip()[:rule.reason_max_chars] or None
        if entry.get("points") in (None, ""):
            found[(bid_id, item.key)] = (None, None)
            continue
        points = _points(entry.get("points"))
        if not item.accepts(points, step):
            raise DomainError(_("%(item)s: give %(step)s steps from 0 to %(max)s, or an anchor's points.",
                                item=item.key, step=step, max=item.max_points), code="points", field="scores")
        found[(bid_id, item.key)] = (points, reason)
    return found


def save_sheet(panel: EvaluationPanel, membership: Membership, part: SheetPart, data: dict, *, actor) -> ScoreSheet:
    """Save an expert's draft scores of one part; ``revision`` must be the one the draft started from.

    This is the full path, which also makes the sheet at its first save; the page's later autosaves
    go through ``autosave``, which writes the same rows with far less reading."""
    now = clock.now()
    if part.value not in {p for p, acts in scoring_actions(panel, membership).items() if "score" in acts}:
        raise DomainError(_("This part cannot be scored now."), code="not_open")
    sheet = sheet_of(panel, membership, part)
    if sheet is None:
        sheet = ScoreSheet(panel=panel, membership_id=membership.id, part=part, revision=0)
        db.session.add(sheet)
    base = _base_revision(data)
    if base != sheet.revision:
        raise _stale(sheet.revision)
    entries = _entries(data, {i.key: i for i in items_of(panel.tender, part)}, {c.code: c.bid_id for c in panel.codes},
                       rule_at("scoring", now))
    existing = {(s.bid_id, s.item): s for s in sheet.scores}
    sheet.revision += 1
    for (bid_id, key), (points, reason) in entries.items():
        score = existing.get((bid_id, key))
        if points is None:
            if score is not None:
                db.session.delete(existing.pop((bid_id, key)))
        elif score is None:
            db.session.add(Score(sheet=sheet, bid_id=bid_id, item=key, points=points, reason=reason,
                                 revision=sheet.revision, updated_at=now))
        elif Decimal(score.points) != points or score.reason != reason:
            score.points, score.reason, score.revision, score.updated_at = points, reason, sheet.revision, now
    sheet.saved_at = now
    if panel.state == PanelState.FORMED:
        panel.state = PanelState.SCORING
    db.session.flush()
    return sheet


def autosave(panel_id: int, membership: Membership | None, part: SheetPart, data: dict) -> tuple[int, datetime] | None:
    """Save into an expert's existing, unlocked sheet, reading only what the save needs.

    One query finds the sheet together with the proof that ``membership`` serves on the panel now
    (its invitation accepted, its seat serving), that the sheet is not locked and that the panel is
    scoring, plus the tender's scheme for the items' bounds; then the bid codes, the scoring rule,
    and the scores already saved. The revision is taken by ``UPDATE … WHERE revision = :base AND
    locked_at IS NULL``, so a second window or a lock that came first makes this save stale; only
    the scores that changed are written. A part that was open when its sheet was made stays open
    (the codes are revealed for good, the speaking order is fixed for good), so the sheet's
    existence stands for the part's opening.

    Returns the new revision and the time saved, or None when this quick path cannot prove the
    save allowed (no sheet yet, locked, not a serving member, panel not scoring): the caller then
    takes ``save_sheet``, which answers each of those cases exactly.
    """
    if membership is None or membership.platform_role != Role.EXPERT:
        return None
    seat_serving = sa.or_(DrawSeat.status == SeatStatus.CALLED,
                          sa.and_(DrawSeat.role == SeatRole.MEMBER, DrawSeat.status == SeatStatus.DRAWN))
    row = db.session.execute(
        sa.select(ScoreSheet.id, ScoreSheet.revision, EvaluationPanel.state, Tender.scheme)
        .join(EvaluationPanel, EvaluationPanel.id == ScoreSheet.panel_id)
        .join(Tender, Tender.id == EvaluationPanel.tender_id)
        .join(PanelInvitation, sa.and_(PanelInvitation.panel_id == ScoreSheet.panel_id,
                                       PanelInvitation.membership_id == ScoreSheet.membership_id,
                                       PanelInvitation.status == InvitationStatus.ACCEPTED))
        .join(DrawSeat, sa.and_(DrawSeat.id == PanelInvitation.seat_id, DrawSeat.draw_id == EvaluationPanel.draw_id,
                                seat_serving))
        .where(ScoreSheet.panel_id == panel_id, ScoreSheet.membership_id == membership.id, ScoreSheet.part == part,
               ScoreSheet.locked_at.is_(None), EvaluationPanel.state.in_(SCORING_STATES))
        .limit(1)
    ).first()
    if row is None:
        return None
    sheet_id, revision, state, scheme = row
    base = _base_revision(data)
    if base != revision:
        raise _stale(revision)
    now = clock.now()
    items = {i.key: i for i in items_of_scheme(scheme, part)}
    bids = dict(db.session.execute(sa.select(BidCode.code, BidCode.bid_id).where(BidCode.panel_id == panel_id)).all())
    entries = _entries(data, items, bids, rule_at("scoring", now))
    taken = db.session.execute(
        sa.update(ScoreSheet).where(ScoreSheet.id == sheet_id, ScoreSheet.revision == base, ScoreSheet.locked_at.is_(None))
        .values(revision=base + 1, saved_at=now).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        current = db.session.scalar(sa.select(ScoreSheet.revision).where(ScoreSheet.id == sheet_id))
        raise _stale(current if current is not None else base)
    revision = base + 1
    existing = {(bid_id, key): (score_id, points, reason) for score_id, bid_id, key, points, reason in db.session.execute(
        sa.select(Score.id, Score.bid_id, Score.item, Score.points, Score.reason).where(Score.sheet_id == sheet_id))}
    added, changed, cleared = [], [], []
    for (bid_id, key), (points, reason) in entries.items():
        known = existing.get((bid_id, key))
        if points is None:
            if known is not None:
                cleared.append(known[0])
        elif known is None:
            added.append({"sheet_id": sheet_id, "bid_id": bid_id, "item": key, "points": points, "reason": reason,
                          "revision": revision, "updated_at": now})
        elif Decimal(known[1]) != points or known[2] != reason:
            changed.append({"id": known[0], "points": points, "reason": reason, "revision": revision,
                            "updated_at": now})
    if cleared:
        db.session.execute(sa.delete(Score).where(Score.id.in_(cleared)).execution_options(synchronize_session=False))
    if added:
        db.session.execute(sa.insert(Score), added)
    if changed:
        db.session.execute(sa.update(Score), changed)
    if state == PanelState.FORMED:
        db.session.execute(sa.update(EvaluationPanel).where(EvaluationPanel.id == panel_id,
                                                            EvaluationPanel.state == PanelState.FORMED)
                           .values(state=PanelState.SCORING).execution_options(synchronize_session=False))
    return revision, now


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
    from tender.evaluation.operations.pool import profile_for

    profile = profile_for(membership)  # None for the tenderer's representative: no conduct history
    if now > late and profile is not None and not any(
            s.membership_id == membership.id and s.locked_at and s.id != sheet.id and s.locked_at > late
            for s in panel.sheets):
        from tender.evaluation.operations.standing import record_expert_conduct

        record_expert_conduct(profile, {
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
