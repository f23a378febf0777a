"""Business operations of tenders: they check the rules, flush and record audit events, never commit.

Later stages (bidding, evaluation, award) use :func:`transition`, :func:`allowed_actions` and the
procedure values (:func:`tender_values`).
"""

from tender.tenders.operations.access import allowed_actions, capacity, may_view, require_action
from tender.tenders.operations.agencies import add_staff, end_staff
from tender.tenders.operations.drafting import (
    add_document, appoint_agency, create_tender, record_resolution, set_areas, set_custodians, set_scheme,
    submission_problems, update_tender, update_timeline,
)
from tender.tenders.operations.lifecycle import (
    InvalidTransition, accept_custodian_keys, cancel_tender, file_tender, publish_tender, return_tender,
    stop_for_changed_keys, submit_for_filing, transition,
)
from tender.tenders.operations.participation import (
    NotEligible, answer_question, ask_question, eligibility_of, issue_clarification, register_for_tender, send_deadline_reminders,
)
from tender.tenders.operations.rules import Problem, RulesBroken, set_procedure, tender_values, values_at

__all__ = [
    "allowed_actions", "capacity", "may_view", "require_action", "add_staff", "end_staff", "add_document",
    "appoint_agency", "create_tender", "record_resolution", "set_areas", "set_custodians", "set_scheme",
    "submission_problems", "update_tender", "update_timeline", "InvalidTransition", "accept_custodian_keys",
    "cancel_tender", "file_tender", "publish_tender", "return_tender", "stop_for_changed_keys", "submit_for_filing",
    "transition", "NotEligible", "eligibility_of", "answer_question", "ask_question", "issue_clarification", "register_for_tender",
    "send_deadline_reminders", "Problem", "RulesBroken", "set_procedure", "tender_values", "values_at",
]
