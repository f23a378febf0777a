"""The messages the award stage sends (通知), defined once and rendered in each reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.messages import define

CANDIDATES_PUBLISHED = define(
    "award.candidates_published", _l("Tender %(ref)s: candidates published"),
    _l("%(community)s: the ranked candidates are published until %(ends)s. Objections may be lodged until then."))
OBJECTION_LODGED = define(
    "award.objection_lodged", _l("Tender %(ref)s: objection %(objection)s lodged"),
    _l("An objection to the candidates was lodged. Answer it by %(due)s; no award can be made while it is open."))
OBJECTION_ANSWERED = define(
    "award.objection_answered", _l("Tender %(ref)s: your objection %(objection)s was answered"),
    _l("Read the answer on the tender's award page. A bidder not satisfied may complain to the district bureau "
       "until %(until)s."))
COMPLAINT_LODGED = define(
    "award.complaint_lodged", _l("Tender %(ref)s: complaint about objection %(objection)s"),
    _l("A bidder complained about the answer to an objection. Decide the complaint with your reasons."))
COMPLAINT_DECIDED = define(
    "award.complaint_decided", _l("Tender %(ref)s: the bureau decided complaint %(objection)s"),
    _l("Decision: %(decision)s. Reasons: %(reasons)s"))
AWARD_NOTICE = define(
    "award.notice", _l("Award notice: tender %(ref)s"),
    _l("Your firm is awarded the property services of %(community)s (中标通知书). Sign the contract with the "
       "tenderer by %(due)s."))
RESULT_NOTICE = define(
    "award.result", _l("Result of tender %(ref)s"),
    _l("The property services of %(community)s were awarded to %(winner)s. Thank you for your bid; your bid "
       "security is returned."))
OFFER_ENDED = define(
    "award.offer_ended", _l("Tender %(ref)s: the award to %(firm)s ended"),
    _l("Reason: %(reason)s. The next candidate, %(next)s, is offered the award."))
TENDER_FAILED = define(
    "award.failed", _l("Tender %(ref)s failed"),
    _l("%(community)s: no candidate is left to award, or the bureau ordered a new tender."))
FILING_SUBMITTED = define(
    "award.filing_submitted", _l("Tender %(ref)s: %(what)s submitted for filing"),
    _l("%(community)s: decide the filing with your reasons."))
FILING_DECIDED = define(
    "award.filing_decided", _l("Tender %(ref)s: %(what)s %(decision)s by the district bureau"),
    _l("%(reasons)s"))
DUE_SOON = define(
    "award.due_soon", _l("Tender %(ref)s: %(what)s due by %(due)s"),
    _l("%(community)s: file it with the district bureau before the period ends."))
OVERDUE = define(
    "award.overdue", _l("Tender %(ref)s: %(what)s overdue since %(due)s"),
    _l("%(community)s: the period has ended. File it with the district bureau now."))
