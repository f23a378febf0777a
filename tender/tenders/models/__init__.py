"""Tables of the tender package (招标): one module per concern."""

from tender.tenders.models.agency import AgencyStaff
from tender.tenders.models.participation import Clarification, ClarificationKind, Question, Registration
from tender.tenders.models.procedure import DEFAULTS, RULES, RULES_BY_KEY, Procedure, RuleSpec, ServiceStandard
from tender.tenders.models.states import EDITABLE_STATES, PUBLIC_STATES, TRANSITIONS, TenderState
from tender.tenders.models.tender import (
    AgencyAppointment, CancelReason, CustodianKind, FeeModel, OwnersResolution, PropertyType, Tender, TenderArea,
    TenderCustodian, TenderDocument, TenderKind, TenderNameGram,
)

__all__ = [
    "AgencyStaff", "Clarification", "ClarificationKind", "Question", "Registration", "DEFAULTS", "RULES",
    "RULES_BY_KEY", "Procedure", "RuleSpec", "ServiceStandard", "EDITABLE_STATES", "PUBLIC_STATES", "TRANSITIONS",
    "TenderState", "AgencyAppointment", "CancelReason", "CustodianKind", "FeeModel", "OwnersResolution",
    "PropertyType", "Tender", "TenderArea", "TenderNameGram", "TenderCustodian", "TenderDocument", "TenderKind",
]
