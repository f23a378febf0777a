"""Business operations of the bidding stage; views and jobs call these, and later stages read bids here."""

from tender.bidding.operations.queries import bids_of, submission_of

__all__ = ["bids_of", "submission_of"]
