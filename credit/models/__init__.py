"""Credit models, split by topic; importing this package registers them all."""

from credit.models.catalogue import (
    CatalogueStatus,
    CatalogueVersion,
    ConductItem,
    ConductKind,
    Severity,
    SubjectKind,
)
from credit.models.complaints import Complaint, ComplaintAttachment, ComplaintDraft, ComplaintStatus, ComplainantKind
from credit.models.exchange import ExchangeBatch, ExchangeItem, ImportRun, ReportCertificate
from credit.models.policy import CreditPolicy, GradeRule
from credit.models.records import (
    Correction,
    CorrectionOutcome,
    CreditRecord,
    Decision,
    DecisionCounter,
    Objection,
    ObjectionOutcome,
    RecordSource,
    RecordStatus,
)
from credit.models.subjects import CreditSubject, Employment, ManagedProject, ProjectManager

__all__ = [
    "CatalogueStatus", "CatalogueVersion", "ConductItem", "ConductKind",
    "Severity", "SubjectKind", "Complaint", "ComplaintAttachment", "ComplaintDraft", "ComplaintStatus", "ComplainantKind",
    "ExchangeBatch", "ExchangeItem", "ImportRun", "ReportCertificate", "CreditPolicy", "GradeRule",
    "Correction", "CorrectionOutcome", "CreditRecord", "Decision", "DecisionCounter", "Objection", "ObjectionOutcome",
    "RecordSource", "RecordStatus", "CreditSubject", "Employment", "ManagedProject", "ProjectManager",
]
