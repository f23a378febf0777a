"""Tables of the award stage (定标): one module per concern."""

from tender.award.models.award import Award, AwardFiling, AwardReminder, FilingKind, FilingState, OfferOutcome
from tender.award.models.objections import (
    AwardComplaint, ComplaintDecision, AwardObjection, ObjectionPoint, ObjectionState, PartyKind,
)
from tender.award.models.publicity import CandidatePublicity, PublicityCandidate

__all__ = [
    "Award", "AwardFiling", "AwardReminder", "FilingKind", "FilingState", "OfferOutcome", "AwardComplaint",
    "ComplaintDecision", "AwardObjection", "ObjectionPoint", "ObjectionState", "PartyKind", "CandidatePublicity",
    "PublicityCandidate",
]
