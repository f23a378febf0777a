"""Closing a tender at its bid deadline (截标) and publishing the signed list of sealed bids.

Whether a bid is on time is decided at request time by the server's clock; closing only moves the
tender forward once the deadline has passed: PUBLISHED → CLOSED, the signed list of the envelopes
that stand (hashes and the receipt log's head, no names), and a signed head of the audit chain.
A periodic job closes every tender whose deadline has passed; a page that finds one still open
asks for that job at once. Closing twice does nothing the second time.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from core import clock
from core.audit.operations import record_event, sign_chain_head
from core.db import db
from tender.bidding.models import Bid, BidStatus, SealedBidList
from tender.bidding.operations.submission import lock_tender
from tender.sealing.operations import receipt_log, sign_sealed_list
from tender.tenders.models import Tender, TenderState
from tender.tenders.operations import transition


def due(tender: Tender, now: datetime) -> bool:
    """Whether the tender's deadline has passed and it is not closed yet."""
    return tender.state == TenderState.PUBLISHED and tender.bid_deadline is not None and now >= tender.bid_deadline


def standing_envelopes(tender: Tender) -> list[str]:
    """The SHA-256 of each bid's final envelope, withdrawn bids left out."""
    bids = db.session.scalars(sa.select(Bid).where(Bid.tender_id == tender.id, Bid.status == BidStatus.SUBMITTED))
    return sorted(b.current_version.envelope_sha256 for b in bids if b.current_version is not None)


def close_tender(tender: Tender, *, actor=None, now: datetime | None = None) -> SealedBidList | None:
    """Close a tender whose deadline has passed and publish its signed list; None if not due."""
    now = now or clock.now()
    lock_tender(tender)
    if not due(tender, now):
        return sealed_list_of(tender)
    envelopes = standing_envelopes(tender)
    signed = sign_sealed_list(tender.reference, envelopes, now)
    sealed = SealedBidList(tender_id=tender.id, signed=signed, signed_at=now)
    db.session.add(sealed)
    transition(tender, TenderState.CLOSED, actor=actor,
               details={"sealed_bids": len(envelopes), "log_entries": len(receipt_log(tender.reference))})
    record_event("bid.sealed_list_signed", tender, actor=actor, district=tender.district_code,
                 details={"reference": tender.reference, "envelopes": envelopes})
    db.session.flush()
    sign_chain_head(f"tender_deadline:{tender.reference}")
    return sealed


def close_due_tenders(now: datetime | None = None, *, limit: int = 100) -> list[int]:
    """Close every published tender whose deadline has passed (the periodic job); the ids closed."""
    now = now or clock.now()
    ids = list(db.session.scalars(sa.select(Tender.id).where(Tender.state == TenderState.PUBLISHED,
                                                             Tender.bid_deadline <= now).limit(limit)))
    closed = []
    for tender_id in ids:
        tender = db.session.get(Tender, tender_id)
        if close_tender(tender, now=now) is not None:
            closed.append(tender_id)
    return closed


def sealed_list_of(tender: Tender) -> SealedBidList | None:
    return db.session.scalar(sa.select(SealedBidList).where(SealedBidList.tender_id == tender.id))


def public_list(tender: Tender) -> dict | None:
    """What the public page shows and a firm checks its receipt against: the signed list, the signed
    checkpoint and the whole log (its entries name bids by their opaque ids, never a firm)."""
    sealed = sealed_list_of(tender)
    if sealed is None:
        return None
    return {"tender": tender.reference, "signed_at": sealed.signed_at, **sealed.signed,
            "log": receipt_log(tender.reference)}


def listed_envelopes(published: dict) -> list[str]:
    """The envelope fingerprints in a published list (read from its signed payload)."""
    import json

    from tender.sealing.receipts import decode_payload

    return json.loads(decode_payload(published["list"]))["envelopes"]
