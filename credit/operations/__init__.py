"""Business operations of the credit registry: they flush and record audit events, never commit.

The tendering module calls :func:`eligibility`, :func:`credit_factor`, :func:`score_at` and
:func:`record_tender_violation`.
"""

from credit.operations.catalogue import activate_version, add_item, draft_version, seed_catalogue, update_item, version_actions
from credit.operations.complaints import close_complaint, complaint_actions, store_attachment, submit_complaint
from credit.operations.process import (
    BUREAU_ACTIONS,
    SUBJECT_ACTIONS,
    allowed_actions,
    decide_correction,
    decide_record,
    due_process_steps,
    expire_records,
    notify_record,
    object_to_record,
    open_record,
    pending_correction,
    publish_record,
    record_tender_violation,
    request_correction,
)
from credit.operations.subjects import add_managed_project, register_firm, register_manager, subject_for_organisation
from credit.scoring import Eligibility, credit_factor, eligibility, score_at

__all__ = [
    "activate_version", "add_item", "draft_version", "seed_catalogue", "update_item", "version_actions",
    "close_complaint", "complaint_actions", "store_attachment", "submit_complaint",
    "BUREAU_ACTIONS", "SUBJECT_ACTIONS", "allowed_actions", "decide_correction", "decide_record", "due_process_steps",
    "expire_records", "notify_record", "object_to_record", "open_record", "pending_correction", "publish_record",
    "record_tender_violation", "request_correction",
    "add_managed_project", "register_firm", "register_manager", "subject_for_organisation",
    "Eligibility", "credit_factor", "eligibility", "score_at",
]
