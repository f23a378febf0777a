"""The messages of the opening ceremony (开标通知), rendered in each reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.jobs.operations import tell, tell_organisation
from core.messages import at, define  # noqa: F401  (at: for callers' parameters)

POSTPONED = define("bidding.opening_postponed", _l("Tender %(ref)s: the opening is postponed to %(until)s"),
                   _l("%(community)s: only %(submitted)s of the %(threshold)s custodians needed had submitted their "
                      "shares by the set time, so the opening was not held. It takes place at %(until)s."))
OPENED = define("bidding.opened", _l("Tender %(ref)s: the bids were opened"),
                _l("%(community)s: %(received)s bids received, %(valid)s valid. The opening record is on the "
                   "opening page; bidders confirm it there."))
FAILED = define("bidding.failed", _l("Tender %(ref)s failed: too few valid bids"),
                _l("%(community)s: %(valid)s valid bids, fewer than the %(minimum)s needed. The tenderer may tender "
                   "again or, with the district bureau's approval, appoint a firm by negotiation."))
OBJECTION = define("bidding.opening_objection", _l("Tender %(ref)s: a bidder objected at the opening"),
                   _l("%(community)s: answer the objection on the opening page."))
OBJECTION_ANSWERED = define("bidding.opening_objection_answered",
                            _l("Tender %(ref)s: your objection at the opening was answered"),
                            _l("%(community)s: read the answer on the opening page."))
NEGOTIATION_REQUESTED = define("bidding.negotiation_requested",
                               _l("Tender %(ref)s: approval of a negotiated appointment requested"),
                               _l("%(community)s failed at its opening; the tenderer asks to appoint a firm by "
                                  "negotiation. Decide on the opening page."))
NEGOTIATION_DECIDED = define("bidding.negotiation_decided",
                             _l("Tender %(ref)s: the district bureau decided on the negotiated appointment"),
                             _l("%(community)s: the decision is on the opening page."))


def params(tender) -> dict:
    return {"ref": tender.reference, "community": tender.community_name}


def link(tender) -> str:
    return f"/tenders/{tender.id}/opening"


def tell_managers(tender, message, extra: dict, *, actor) -> None:
    options = dict(link=link(tender), kind="tender", mail_copy=True, actor=actor)
    tell_organisation(tender.tenderer, message, {**params(tender), **extra}, **options)
    if tender.appointment is not None:
        tell_organisation(tender.appointment.agency, message, {**params(tender), **extra}, **options)


def tell_bureau(tender, message, extra: dict, *, actor) -> None:
    from core.accounts.operations import bureau_for

    bureau = bureau_for(tender.district_code)
    if bureau is not None:
        tell_organisation(bureau, message, {**params(tender), **extra}, link=link(tender), kind="tender",
                          mail_copy=True, actor=actor)


def tell_everyone(tender, message, extra: dict, *, actor) -> None:
    """The tenderer and its agency, the bureau, every custodian and every firm that bid."""
    from tender.bidding.models.submission import Bid

    tell_managers(tender, message, extra, actor=actor)
    tell_bureau(tender, message, extra, actor=actor)
    for custodian in tender.custodians:
        tell(custodian.user, message, {**params(tender), **extra}, link=link(tender), kind="tender", mail_copy=True,
             actor=actor)
    firms = {bid.firm_id: bid.firm for bid in Bid.query.filter_by(tender_id=tender.id)}
    for firm in firms.values():
        tell_organisation(firm, message, {**params(tender), **extra}, link=link(tender), kind="tender",
                          mail_copy=True, actor=actor)
