"""Tables of the bidding stage (投标与开标): one module per concern."""

from tender.bidding.models.opening import (  # noqa: F401
    BidDocument, BidPriceSheet, FailedTender, Opening, OpeningConfirmation, OpeningObjection, OpeningState, ShareSubmission,
)
from tender.bidding.models.submission import Bid, BidSecurity, BidStatus, BidVersion, SealedBidList

__all__ = ["Bid", "BidSecurity", "BidStatus", "BidVersion", "SealedBidList"]
