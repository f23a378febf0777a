"""Reading bids: what later stages (the opening, the evaluation) build on."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from core.db import db
from tender.bidding.models import Bid, BidVersion


def bids_of(tender) -> list[Bid]:
    """Every bid of the tender with its final version, any status, by id."""
    return list(db.session.scalars(
        sa.select(Bid).where(Bid.tender_id == tender.id).order_by(Bid.id)
        .options(selectinload(Bid.current_version), selectinload(Bid.security))
    ))


def submission_of(bid: Bid) -> BidVersion | None:
    """The bid's final version, unless it was withdrawn."""
    version = bid.current_version
    if version is None or version.withdrawn_at is not None:
        return None
    return version
