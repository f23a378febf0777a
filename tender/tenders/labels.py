"""Words the pages show for the tender package's codes (translated when shown)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

STATE_LABELS = {
    "draft": _l("Draft"),
    "pending_filing": _l("Waiting for filing"),
    "returned": _l("Returned for changes"),
    "filed": _l("Filed, not yet announced"),
    "published": _l("Announced"),
    "closed": _l("Bids closed"),
    "opened": _l("Bids opened"),
    "evaluating": _l("Being evaluated"),
    "candidates_published": _l("Candidates under publicity"),
    "awarded": _l("Awarded"),
    "contracted": _l("Contract signed"),
    "cancelled": _l("Cancelled"),
    "failed": _l("Failed"),
}
PHASE_LABELS = {
    **STATE_LABELS,
    "filing_overdue": _l("Waiting for filing, overdue"),
    "open_for_bids": _l("Open for bids"),
    "deadline_passed": _l("Deadline passed, bids being closed"),
    "stopped": _l("Stopped: a custodian's key changed"),
}
PHASE_TAGS = {"open_for_bids": "tag-ok", "filing_overdue": "tag-error", "stopped": "tag-error", "returned": "tag-warn",
              "cancelled": "tag-error", "failed": "tag-error", "pending_filing": "tag-warn"}
# The labelled steps of this part of a tender's life, shown on every tender page.
STEPS = (("draft", _l("Draft")), ("pending_filing", _l("Filing")), ("filed", _l("Filed")),
         ("published", _l("Open for bids")), ("closed", _l("Bids closed")))
KIND_LABELS = {"preliminary": _l("Preliminary property management (developer)"),
               "owners": _l("Owners' assembly")}
FEE_LABELS = {"lump_sum": _l("Lump sum (包干制)"), "commission": _l("Commission (酬金制)")}
PROPERTY_LABELS = {"residential": _l("Residential"), "villa": _l("Villas"), "office": _l("Offices"),
                   "commercial": _l("Shops and commercial"), "parking": _l("Parking"),
                   "public": _l("Public facilities"), "other": _l("Other")}
CANCEL_LABELS = {"tenderer_withdrew": _l("The tenderer withdrew the tender"),
                 "requirements_changed": _l("The service requirements changed"),
                 "resolution_revoked": _l("The owners' resolution was revoked"),
                 "bureau_order": _l("Ordered by the housing bureau"),
                 "irregularity": _l("Irregularity in the procedure"),
                 "force_majeure": _l("Force majeure"), "other": _l("Other reason")}
CUSTODIAN_LABELS = {"tenderer": _l("Tenderer's officer"), "agency": _l("Agency's officer"),
                    "supervisor": _l("District bureau"), "other": _l("Other key holder")}
GRADE_NAMES = {1: ("一级", "Grade 1"), 2: ("二级", "Grade 2"), 3: ("三级", "Grade 3"), 4: ("四级", "Grade 4"),
               5: ("五级", "Grade 5")}
CLARIFICATION_LABELS = {"answer": _l("Answer"), "clarification": _l("Clarification"), "amendment": _l("Amendment")}
ELIGIBILITY_REASONS = {
    "seriously_untrustworthy_list": _l("Your firm is on the list of seriously untrustworthy subjects, so it may not bid."),
    "below_lowest_grade": _l("Your firm's credit score is below the lowest credit grade, so it may not bid."),
}
DEADLINE_LABELS = {"filing_due": _l("Filing decision due"), "bid_deadline": _l("Bid deadline")}


def phase_label(phase: str) -> str:
    return str(PHASE_LABELS.get(phase, phase))


def grade_name(grade: int | None) -> str:
    if grade not in GRADE_NAMES:
        return ""
    zh, en = GRADE_NAMES[grade]
    return en if str(get_locale()).startswith("en") else zh


def eligibility_reason(code: str) -> str:
    """A credit refusal code in plain words (credit may add codes: an unknown one is still shown)."""
    if code in ELIGIBILITY_REASONS:
        return str(ELIGIBILITY_REASONS[code])
    if code.startswith("grade_") and code.endswith("_may_not_bid"):
        grade = code[len("grade_"):-len("_may_not_bid")]
        return str(_l("Your firm's credit grade %(grade)s may not bid.", grade=grade))
    return str(_l("Your firm's credit record does not allow it to bid (%(code)s).", code=code))
