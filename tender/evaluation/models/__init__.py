"""Evaluation models; importing this package registers them all (and the tenders and bids they name)."""

import tender.bidding.models  # noqa: F401  (bid, named by scores, codes and candidates)
import tender.tenders.models  # noqa: F401

from tender.evaluation.models.draw import Draw, DrawCandidate, DrawSeat, DrawStatus, SeatRole, SeatStatus
from tender.evaluation.models.pool import (
    EmploymentStatus,
    ExpertConduct,
    ExpertDistrict,
    ExpertEmployment,
    ExpertProfile,
    ExpertRelation,
    ExpertUnavailability,
    Relationship,
)
from tender.evaluation.models.report import EvaluationCandidate, EvaluationReport, ReportSignature, ReportState
from tender.evaluation.models.rules import EvaluationRule
from tender.evaluation.models.scoring import (
    BidCode,
    BlindCheck,
    BlindDecision,
    EvaluationFlag,
    EvaluationPanel,
    FlagAction,
    FlagHandling,
    InvitationStatus,
    PanelInvitation,
    PanelState,
    PresentationLot,
    Score,
    ScoreSheet,
    SheetPart,
)

__all__ = [
    "Draw", "DrawCandidate", "DrawSeat", "DrawStatus", "SeatRole", "SeatStatus",
    "EmploymentStatus", "ExpertConduct", "ExpertDistrict", "ExpertEmployment", "ExpertProfile", "ExpertRelation",
    "ExpertUnavailability", "Relationship", "EvaluationRule",
    "EvaluationCandidate", "EvaluationReport", "ReportSignature", "ReportState",
    "BidCode", "BlindCheck", "BlindDecision", "EvaluationFlag", "EvaluationPanel", "FlagAction", "FlagHandling",
    "InvitationStatus", "PanelInvitation", "PanelState", "PresentationLot", "Score", "ScoreSheet", "SheetPart",
]
