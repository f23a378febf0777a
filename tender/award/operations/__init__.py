"""Business rules of the award stage (定标): publicity, objections and complaints, the award, filings."""

from tender.award.operations import state  # noqa: F401  (first: the others read it)
from tender.award.operations.access import allowed_actions, award_capacity, objection_actions, require
from tender.award.operations.award import confirm_award, end_offer, return_securities, send_award_notices
from tender.award.operations.filing import (
    decide_filing, fee_notice, fee_notices, overdue, send_reminders, submit_award_filing, submit_contract,
)
from tender.award.operations.objections import (
    answer_objection, decide_complaint, lodge_complaint, lodge_objection, lodge_owner_objection,
)
from tender.award.operations.publicity import publication_due, publish_candidates

__all__ = [
    "allowed_actions", "award_capacity", "objection_actions", "require", "confirm_award", "end_offer",
    "return_securities", "send_award_notices", "decide_filing", "fee_notice", "fee_notices", "overdue",
    "send_reminders", "submit_award_filing", "submit_contract", "answer_objection", "decide_complaint",
    "lodge_complaint", "lodge_objection", "lodge_owner_objection", "publication_due", "publish_candidates",
]
