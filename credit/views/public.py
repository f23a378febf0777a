"""Public credit lookup: search, subject pages, printable reports and their verification."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from core.authz import PUBLIC, access
from core.db import db
from core.web import format_time
from credit import cache, chart, ratelimit, search
from credit.operations.reports import find_report, format_code, issue_report
from credit.public import firm_profile, manager_profile, record_view
from credit.views import bp


def locale() -> str:
    return str(get_locale())


@bp.get("/")
@access(PUBLIC)
def lookup():
    query = request.args.get("q", "").strip()
    id_number = request.args.get("id_number", "").strip()
    result = None
    manager_by_id = None
    if query:
        ratelimit.enforce()
        result = search.lookup(query)
        if result["kind"] == "uscc" and len(result["firms"]) == 1:
            return redirect(url_for("credit.firm", uscc=result["firms"][0].uscc))
        if result["kind"] == "certificate" and len(result["managers"]) == 1:
            return redirect(url_for("credit.manager", certificate_no=result["managers"][0].certificate_no))
    elif id_number:
        ratelimit.enforce("id_lookup")
        manager_by_id = search.manager_by_id_and_name(id_number, request.args.get("name", ""))
        if manager_by_id is not None:
            return redirect(url_for("credit.manager", certificate_no=manager_by_id.certificate_no))
    return render_template("credit/lookup.html", query=query, result=result, id_number_tried=bool(id_number))


@bp.get("/firms/<uscc>")
@access(PUBLIC)
def firm(uscc: str):
    ratelimit.enforce()
    subject = search.firm_by_uscc(uscc)
    if subject is None:
        abort(404)
    profile = firm_profile(subject)
    svg = chart.score_chart(profile.history, title=_("Credit score over the last three years"))
    page = render_template("credit/firm.html", profile=profile, chart=svg,
                           records=[record_view(r, locale()) for r in profile.records])
    cache.keep(profile.next_change, csrf_token=generate_csrf(), as_of=format_time(profile.at),
               rendered_locale=locale())
    return page


@bp.get("/managers/<certificate_no>")
@access(PUBLIC)
def manager(certificate_no: str):
    ratelimit.enforce()
    subject = search.manager_by_certificate(certificate_no)
    if subject is None:
        abort(404)
    profile = manager_profile(subject)
    return render_template("credit/manager.html", profile=profile,
                           records=[record_view(r, locale()) for r in profile.records])


def _issue(subject, profile_of, kind: str):
    if subject is None:
        abort(404)
    cert = issue_report(profile_of(subject), kind=kind)
    db.session.commit()
    return redirect(url_for("credit.report", code=cert.code))


@bp.post("/firms/<uscc>/report")
@access(PUBLIC)
def firm_report(uscc: str):
    ratelimit.enforce("report")
    return _issue(search.firm_by_uscc(uscc), firm_profile, "firm")


@bp.post("/managers/<certificate_no>/report")
@access(PUBLIC)
def manager_report(certificate_no: str):
    ratelimit.enforce("report")
    return _issue(search.manager_by_certificate(certificate_no), manager_profile, "manager")


@bp.get("/reports/<code>")
@access(PUBLIC)
def report(code: str):
    """The printable report, rebuilt as it stood when issued (records listed by reference)."""
    ratelimit.enforce()
    cert = find_report(code)
    if cert is None:
        abort(404)
    if cert.subject_kind == "firm":
        subject = search.firm_by_uscc(cert.subject_key)
        profile = firm_profile(subject, at=cert.issued_at)
    else:
        subject = search.manager_by_certificate(cert.subject_key)
        profile = manager_profile(subject, at=cert.issued_at)
    return render_template("credit/report.html", cert=cert, code=format_code(cert.code), profile=profile,
                           records=[record_view(r, locale()) for r in profile.records])


@bp.get("/verify")
@access(PUBLIC)
def verify():
    code = request.args.get("code", "").strip()
    cert = None
    if code:
        ratelimit.enforce("verify")
        cert = find_report(code)
    return render_template("credit/verify.html", code=code, cert=cert,
                           formatted=format_code(cert.code) if cert else None)
