"""Public JSON API of the credit registry (/api/v1/credit/...).

Every read is an HTTP-cacheable answer (ETag, Cache-Control, 304; credit.cache.public_answer). The
ID-number lookup is a POST, so an ID number never appears in a URL or an access log.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from flask_smorest import Blueprint, abort

from core import clock
from core.authz import PUBLIC, access
from credit import listing, ratelimit, search
from credit.cache import public_answer
from credit.operations.reports import find_report
from credit.public import firm_profile, manager_profile, record_view, standing_view
from credit.schemas import (
    EligibilitySchema,
    FirmProfileSchema,
    IdLookupSchema,
    LookupQuerySchema,
    LookupResultSchema,
    ManagerProfileSchema,
    ManagerSummarySchema,
    ReportSchema,
    ScoreQuerySchema,
    StandingSchema,
)
from credit.scoring import credit_factor, eligibility, score_at

blp = Blueprint("credit_api", __name__, url_prefix="/api/v1/credit", description="Public credit lookup")


def _locale() -> str:
    return str(get_locale())


def _firm_or_404(uscc: str):
    firm = search.firm_by_uscc(uscc)
    if firm is None:
        abort(404, message="No firm or agency with this unified social credit code.")
    return firm


def _page_url(subject) -> str:
    return url_for("credit.agency" if subject.is_agency else "credit.firm", uscc=subject.uscc, _external=True)


def _manager_summary(m):
    return {"certificate_no": m.certificate_no, "name": m.name,
            "url": url_for("credit.manager", certificate_no=m.certificate_no, _external=True)}


@blp.get("/lookup")
@access(PUBLIC)
@public_answer()
@blp.arguments(LookupQuerySchema, location="query")
@blp.response(200, LookupResultSchema)
def lookup(args):
    """Search by any part of a firm's or agency's name (ranked), a USCC or a certificate number."""
    result = search.lookup(args["q"], limit=args["limit"])
    listed = listing.listed_subject_ids([f.id for f in result["firms"]], clock.now())
    return {"kind": result["kind"],
            "firms": [{"uscc": f.uscc, "name": f.name, "kind": f.kind.value, "listed": f.id in listed,
                       "url": _page_url(f)} for f in result["firms"]],
            "managers": [_manager_summary(m) for m in result["managers"]]}


@blp.post("/id-lookup")
@access(PUBLIC)
@blp.arguments(IdLookupSchema)
@blp.response(200, ManagerSummarySchema)
def manager_by_id(args):
    """Find a project manager by full ID number together with the exact name, sent in the body (never in a URL);
    the ID is never returned."""
    ratelimit.enforce("id_lookup")
    manager = search.manager_by_id_and_name(args["id_number"], args["name"])
    if manager is None:
        abort(404, message="No project manager matches this ID number and name.")
    return _manager_summary(manager)


@blp.get("/firms/<uscc>")
@access(PUBLIC)
@public_answer()
@blp.response(200, FirmProfileSchema)
def firm(uscc):
    """A firm's or agency's grade and listing, score, records in force, project managers and score history."""
    profile = firm_profile(_firm_or_404(uscc))
    f, locale = profile.firm, _locale()
    return {
        "uscc": f.uscc, "name": f.name, "kind": f.kind.value, "qualification": f.qualification,
        "head_office_uscc": f.head_office.uscc if f.head_office else None,
        "branch_usccs": [b.uscc for b in f.branches], "standing": standing_view(profile.standing, locale),
        "records": [record_view(r, locale) for r in profile.records],
        "managers": [{"certificate_no": m.certificate_no, "name": m.name, "points": p} for m, p in profile.managers],
        "history": profile.history, "url": _page_url(f),
    }


@blp.get("/firms/<uscc>/score")
@access(PUBLIC)
@public_answer()
@blp.arguments(ScoreQuerySchema, location="query")
@blp.response(200, StandingSchema)
def firm_score(args, uscc):
    """The firm's score, grade and listing at an instant (``at``), e.g. a tender's bid deadline."""
    return standing_view(score_at(_firm_or_404(uscc), args.get("at") or clock.now()), _locale())


@blp.get("/firms/<uscc>/eligibility")
@access(PUBLIC)
@public_answer()
@blp.arguments(ScoreQuerySchema, location="query")
@blp.response(200, EligibilitySchema)
def firm_eligibility(args, uscc):
    """May the firm bid at ``at``, why not (codes and plain words), and its credit factor."""
    firm, at = _firm_or_404(uscc), args.get("at") or clock.now()
    result = eligibility(firm, at)
    return {"eligible": result.eligible, "reasons": result.reasons, "reason_texts": result.reason_texts,
            "standing": standing_view(result.standing, _locale()), "credit_factor": credit_factor(firm, at)}


@blp.get("/managers/<certificate_no>")
@access(PUBLIC)
@public_answer()
@blp.response(200, ManagerProfileSchema)
def manager(certificate_no):
    """A project manager's points in force and listing, records, communities and employer."""
    subject = search.manager_by_certificate(certificate_no)
    if subject is None:
        abort(404, message="No project manager with this certificate number.")
    profile = manager_profile(subject)
    m, locale = profile.manager, _locale()
    return {"certificate_no": m.certificate_no, "name": m.name, "firm_uscc": m.firm.uscc if m.firm else None,
            "standing": standing_view(profile.standing, locale), "records": [record_view(r, locale) for r in profile.records],
            "communities": [p.community for p in profile.projects],
            "url": url_for("credit.manager", certificate_no=m.certificate_no, _external=True)}


@blp.get("/reports/<code>")
@access(PUBLIC)
@public_answer("verify")
@blp.response(200, ReportSchema)
def report(code):
    """Check a printed credit report by its verification code: what it stated, the listing included."""
    cert = find_report(code)
    if cert is None:
        abort(404, message="No report has this code.")
    return cert
