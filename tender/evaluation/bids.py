"""What the evaluation stage reads of the bidding stage: opened bids, their price sheets and documents.

One module, so the rest of the stage names the bidding stage's interface in one place.
"""

from __future__ import annotations

from typing import BinaryIO


def opened_bids(tender) -> list:
    """The tender's valid bids after the opening, by id, with price sheet and documents loaded."""
    from tender.bidding.operations.opening import opened_bids as of

    return of(tender)


def read_document(doc) -> BinaryIO:
    """A bid document's decrypted bytes (the caller has checked who may read it)."""
    from tender.bidding.operations.opening import read_document as read

    return read(doc)


def submission_of(bid):
    """The bid's final, not withdrawn version (uploader, device, address)."""
    from tender.bidding.operations import submission_of as final

    return final(bid)


def opened_at(tender):
    """When the tender's opening completed, or None."""
    import sqlalchemy as sa

    from core.db import db
    from tender.bidding.models import Opening

    opening = db.session.scalar(sa.select(Opening).where(Opening.tender_id == tender.id))
    return opening.completed_at if opening is not None else None


def technical_documents(bid) -> list:
    """The bid's technical documents in their order."""
    return sorted((d for d in bid.documents if d.part == "technical"), key=lambda d: (d.position, d.id))
