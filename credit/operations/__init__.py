"""Business operations of the credit registry: they flush and record audit events, never commit.

The tendering module calls :func:`eligibility`, :func:`credit_factor`, :func:`score_at` and
:func:`record_tender_violation`.
"""

from credit.operations.catalogue import activate_version, add_item, draft_version, seed_catalogue, update_item
from credit.operations.complaints import close_complaint, store_attachment, submit_complaint
from credit.operations.process import (
    decide_correction,
    decide_record,
    expire_records,
    notify_record,
    object_to_record,
    open_record,
    publish_record,
    record_tender_violation,
    request_correction,
)
from credit.operations.subjects import add_managed_project, register_firm, register_manager, subject_for_organisation
from credit.scoring import credit_factor, eligibility, score_at

__all__ = [
    "activate_version", "add_item", "draft_version", "seed_catalogue", "update_item",
    "close_complaint", "store_attachment", "submit_complaint",
    "decide_correction", "decide_record", "expire_records", "notify_record", "object_to_record",
    "open_record", "publish_record", "record_tender_violation", "request_correction",
    "add_managed_project", "register_firm", "register_manager", "subject_for_organisation",
    "credit_factor", "eligibility", "score_at",
]
