"""The blind check after the opening (暗标检查): technical documents scanned for the bidder's identity;
the hits go to the bureau, which decides whether the bid breaks the blind rule."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import clock
from core.audit.operations import record_event
from core.db import DomainError, db
from core.messages import define
from tender.evaluation import bids as bidding
from tender.evaluation.models import BlindCheck, BlindDecision
from tender.tenders.models import Tender, TenderState
from tender.tenders.operations.access import BUREAU, capacity

BLIND_HITS = define("evaluation.blind_hits", _l("Tender %(ref)s: the blind check found the bidder's identity"),
                    _l("%(n)s technical documents name their bidder. Decide on the tender's panel page whether the "
                       "bids break the blind rule."))


def check_tender(tender: Tender) -> list[BlindCheck]:
    """Scan every opened bid's technical PDFs once; a bid checked before is left as it is."""
    from tender.evaluation.documents import DocumentError, read_document
    from tender.evaluation.operations.results import _identity, _read

    done = {c.bid_id for c in db.session.scalars(sa.select(BlindCheck).where(BlindCheck.tender_id == tender.id))}
    made = []
    for bid in bidding.opened_bids(tender):
        if bid.id in done:
            continue
        hits = []
        for n, doc in enumerate(bidding.technical_documents(bid), start=1):
            try:
                extracted = read_document(_read(doc), doc.name, str(bid.id), _identity(bid))
            except DocumentError as exc:
                hits.append({"document": n, "name": doc.name, "page": None, "kind": "unreadable", "text": exc.code})
                continue
            hits += [{"document": n, "name": doc.name, "page": h.page, "kind": h.kind, "text": h.snippet}
                     for h in extracted.for_bureau.hits]
        check = BlindCheck(tender_id=tender.id, bid_id=bid.id, hits=hits, checked_at=clock.now(),
                           decision=BlindDecision.PENDING if hits else BlindDecision.NO_BREACH)
        db.session.add(check)
        made.append(check)
    db.session.flush()
    flagged = [c for c in made if c.hits]
    if flagged:
        from tender.tenders.operations.lifecycle import tell_bureau

        tell_bureau(tender, BLIND_HITS, {"ref": tender.reference or str(tender.id), "n": len(flagged)}, actor=None)
    if made:
        record_event("evaluation.blind_checked", tender, actor=None,
                     details={"tender": tender.id, "bids": len(made), "with_hits": len(flagged)})
    return made


def check_opened_tenders() -> int:
    """Every opened tender whose bids have not all been checked (the periodic job)."""
    checked = 0
    for tender in db.session.scalars(sa.select(Tender).where(Tender.state == TenderState.OPENED).order_by(Tender.id)):
        if bidding.opened_at(tender) is not None:
            checked += len(check_tender(tender))
    return checked


def decide_blind_check(check: BlindCheck, data: dict, *, actor, membership) -> BlindCheck:
    """The bureau decides whether the hits break the blind rule, with its reasons."""
    tender = db.session.get(Tender, check.tender_id)
    if capacity(tender, membership) != BUREAU:
        raise DomainError(_("Only the bureau decides on the blind check."), code="not_bureau")
    if check.decision != BlindDecision.PENDING:
        raise DomainError(_("This blind check was already decided."), code="decided")
    decision = data.get("decision")
    if decision not in (BlindDecision.BREACH.value, BlindDecision.NO_BREACH.value):
        raise DomainError(_("Choose whether the bid breaks the blind rule."), code="decision", field="decision")
    note = " ".join((data.get("note") or "").split())[:1000]
    if not note:
        raise DomainError(_("Give the reasons for the decision."), code="note", field="note")
    check.decision, check.note = BlindDecision(decision), note
    check.decided_by_id, check.decided_at = actor.id, clock.now()
    db.session.flush()
    record_event("evaluation.blind_decided", check, actor=actor, details={"bid": check.bid_id, "decision": decision})
    return check
