"""Public JSON API of the credit registry (/api/v1/credit/...)."""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from flask_smorest import Blueprint, abort

from core.authz import PUBLIC, access
from core.db import utcnow
from credit import cache, ratelimit, search
from credit.operations.reports import find_report
from credit.public import firm_profile, manager_profile, record_view
from credit.schemas import (
    EligibilitySchema,
    FirmProfileSchema,
    IdLookupQuerySchema,
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


def _firm_or_404(uscc: str):
    firm = search.firm_by_uscc(uscc)
    if firm is None:
        abort(404, message="No firm with this unified social credit code.")
    return firm


def _firm_summary(f):
    return {"uscc": f.uscc, "name": f.name, "url": url_for("credit.firm", uscc=f.uscc, _external=True)}


def _manager_summary(m):
    return {"certificate_no": m.certificate_no, "name": m.name,
            "url": url_for("credit.manager", certificate_no=m.certificate_no, _external=True)}


@blp.get("/lookup")
@access(PUBLIC)
@blp.arguments(LookupQuerySchema, location="query")
@blp.response(200, LookupResultSchema)
def lookup(args):
    """Search by any part of a firm's name (ranked), a USCC or a certificate number."""
    ratelimit.enforce()
    result = search.lookup(args["q"], limit=args["limit"])
    cache.keep()  # names and codes only: no instant makes this answer change, only writes do
    return {"kind": result["kind"], "firms": [_firm_summary(f) for f in result["firms"]],
            "managers": [_manager_summary(m) for m in result["managers"]]}


@blp.get("/managers/by-id")
@access(PUBLIC)
@blp.arguments(IdLookupQuerySchema, location="query")
@blp.response(200, ManagerSummarySchema)
def manager_by_id(args):
    """Find a project manager by full ID number together with the exact name (the ID is never returned)."""
    ratelimit.enforce("id_lookup")
    manager = search.manager_by_id_and_name(args["id_number"], args["name"])
    if manager is None:
        abort(404, message="No project manager matches this ID number and name.")
    return _manager_summary(manager)


@blp.get("/firms/<uscc>")
@access(PUBLIC)
@blp.response(200, FirmProfileSchema)
def firm(uscc):
    """A firm's grade, score, records in force, project managers and score history."""
    ratelimit.enforce()
    profile = firm_profile(_firm_or_404(uscc))
    f, locale = profile.firm, str(get_locale())
    return {
        "uscc": f.uscc, "name": f.name, "qualification": f.qualification,
        "head_office_uscc": f.head_office.uscc if f.head_office else None,
        "branch_usccs": [b.uscc for b in f.branches], "standing": profile.standing,
        "records": [record_view(r, locale) for r in profile.records],
        "managers": [{"certificate_no": m.certificate_no, "name": m.name, "points": p} for m, p in profile.managers],
        "history": profile.history, "url": url_for("credit.firm", uscc=f.uscc, _external=True),
    }


@blp.get("/firms/<uscc>/score")
@access(PUBLIC)
@blp.arguments(ScoreQuerySchema, location="query")
@blp.response(200, StandingSchema)
def firm_score(args, uscc):
    """The firm's score and grade at an instant (``at``), e.g. a tender's bid deadline."""
    ratelimit.enforce()
    return score_at(_firm_or_404(uscc), args.get("at") or utcnow())


@blp.get("/firms/<uscc>/eligibility")
@access(PUBLIC)
@blp.arguments(ScoreQuerySchema, location="query")
@blp.response(200, EligibilitySchema)
def firm_eligibility(args, uscc):
    """May the firm bid at ``at``, why not, and its credit factor."""
    ratelimit.enforce()
    firm, at = _firm_or_404(uscc), args.get("at") or utcnow()
    result = eligibility(firm, at)
    return {"eligible": result.eligible, "reasons": result.reasons, "standing": result.standing,
            "credit_factor": credit_factor(firm, at)}


@blp.get("/managers/<certificate_no>")
@access(PUBLIC)
@blp.response(200, ManagerProfileSchema)
def manager(certificate_no):
    """A project manager's points in force, records, communities and employer."""
    ratelimit.enforce()
    subject = search.manager_by_certificate(certificate_no)
    if subject is None:
        abort(404, message="No project manager with this certificate number.")
    profile = manager_profile(subject)
    m = profile.manager
    return {"certificate_no": m.certificate_no, "name": m.name, "firm_uscc": m.firm.uscc if m.firm else None,
            "standing": profile.standing, "records": [record_view(r, str(get_locale())) for r in profile.records],
            "communities": [p.community for p in profile.projects],
            "url": url_for("credit.manager", certificate_no=m.certificate_no, _external=True)}


@blp.get("/reports/<code>")
@access(PUBLIC)
@blp.response(200, ReportSchema)
def report(code):
    """Check a printed credit report by its verification code."""
    ratelimit.enforce("verify")
    cert = find_report(code)
    if cert is None:
        abort(404, message="No report has this code.")
    return cert
