"""Business operations of the bidding stage; views and jobs call these, and later stages read bids here."""

from tender.bidding.operations import submission  # noqa: F401
from tender.bidding.operations.closing import close_due_tenders, close_tender, listed_envelopes, public_list, sealed_list_of
from tender.bidding.operations.queries import bids_of, submission_of
from tender.bidding.operations.submission import (
    accept_envelope, bid_of, bid_ref, bidding_actions, custodian_keys, declare_security, receipts_of,
    sealing_parameters, withdraw_bid,
)

__all__ = [
    "accept_envelope", "bid_of", "bid_ref", "bidding_actions", "bids_of", "close_due_tenders", "close_tender", "listed_envelopes",
    "custodian_keys", "declare_security", "public_list", "receipts_of", "sealed_list_of", "sealing_parameters",
    "submission_of", "withdraw_bid",
]
