"""Evaluation models; importing this package registers them all."""

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
from tender.evaluation.models.rules import EvaluationRule

__all__ = [
    "Draw", "DrawCandidate", "DrawSeat", "DrawStatus", "SeatRole", "SeatStatus",
    "EmploymentStatus", "ExpertConduct", "ExpertDistrict", "ExpertEmployment", "ExpertProfile", "ExpertRelation",
    "ExpertUnavailability", "Relationship", "EvaluationRule",
]
