"""Public credit lookup: search, subject pages, the seriously-untrustworthy list, printable reports and
their verification. Every public read is an HTTP-cacheable answer (credit.cache.public_answer)."""

from __future__ import annotations

from datetime import datetime

import segno
from flask import abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from core import clock
from core.accounts.models import District
from core.authz import PUBLIC, access
from core.db import db
from core.extensions import csrf
from core.web import int_arg
from credit import chart, listing, ratelimit, search
from credit.cache import public_answer
from credit.operations.reports import find_report, format_code, issue_report
from credit.public import firm_profile, listing_view, manager_profile, record_view, standing_view
from credit.views import bp

LIST_PAGE_SIZE = 50


def locale() -> str:
    return str(get_locale())


def _districts():
    return db.session.scalars(db.select(District).order_by(District.code)).all()


@bp.get("/")
@access(PUBLIC)
@public_answer()
def lookup():
    query = request.args.get("q", "").strip()
    result = None
    listed = set()
    if query:
        result = search.lookup(query)
        if result["kind"] == "uscc" and len(result["firms"]) == 1:
            return redirect(_subject_url(result["firms"][0]))
        if result["kind"] == "certificate" and len(result["managers"]) == 1:
            return redirect(url_for("credit.manager", certificate_no=result["managers"][0].certificate_no))
        listed = listing.listed_subject_ids([f.id for f in result["firms"]], clock.now())
    return render_template("credit/lookup.html", query=query, result=result, listed=listed)


@bp.post("/id-lookup")
@access(PUBLIC)
@csrf.exempt  # finds a public page, nothing more: the form has no authority a forged request could borrow
def manager_by_id():
    """Find a project manager by full ID number and exact name; the number travels only in this POST body."""
    ratelimit.enforce("id_lookup")
    manager = search.manager_by_id_and_name(request.form.get("id_number", ""), request.form.get("name", ""))
    if manager is not None:
        return redirect(url_for("credit.manager", certificate_no=manager.certificate_no), code=303)
    page = render_template("credit/lookup.html", query="", result=None, listed=set(), id_not_found=True,
                           id_name=request.form.get("name", "")[:100])
    return page, 200, {"Cache-Control": "no-store"}


def _subject_url(subject) -> str:
    return url_for("credit.agency" if subject.is_agency else "credit.firm", uscc=subject.uscc)


def _subject_page(uscc: str, *, agency: bool):
    subject = search.firm_by_uscc(uscc)
    if subject is None:
        abort(404)
    if subject.is_agency != agency:
        return redirect(_subject_url(subject), code=301)
    profile = firm_profile(subject)
    svg = chart.score_chart(profile.history, title=_("Credit score over the last three years"))
    return render_template("credit/firm.html", profile=profile, chart=svg, standing=standing_view(profile.standing, locale()),
                           records=[record_view(r, locale()) for r in profile.records])


@bp.get("/firms/<uscc>")
@access(PUBLIC)
@public_answer()
def firm(uscc: str):
    return _subject_page(uscc, agency=False)


@bp.get("/agencies/<uscc>")
@access(PUBLIC)
@public_answer()
def agency(uscc: str):
    return _subject_page(uscc, agency=True)


@bp.get("/managers/<certificate_no>")
@access(PUBLIC)
@public_answer()
def manager(certificate_no: str):
    subject = search.manager_by_certificate(certificate_no)
    if subject is None:
        abort(404)
    profile = manager_profile(subject)
    return render_template("credit/manager.html", profile=profile, standing=standing_view(profile.standing, locale()),
                           records=[record_view(r, locale()) for r in profile.records])


@bp.get("/untrustworthy")
@access(PUBLIC)
@public_answer()
def untrustworthy():
    """The seriously-untrustworthy list, by deciding district, a page at a time."""
    district = request.args.get("district") or None
    districts = _districts()
    if district and district not in {d.code for d in districts}:
        district = None
    page = int_arg("page", 1)
    found = listing.listed_subjects(clock.now(), district=district, page=page, per_page=LIST_PAGE_SIZE)
    return render_template("credit/untrustworthy.html", pager=found, district=district, districts=districts,
                           at=clock.now())


def _issue(subject, profile_of, kind: str):
    if subject is None:
        abort(404)
    cert = issue_report(profile_of(subject), kind=kind)
    return redirect(url_for("credit.report", code=cert.code))


# Anyone may issue a report: a forged request could only issue one more, so these forms carry no
# token and the pages that hold them stay the same for every visitor (cacheable).
@bp.post("/firms/<uscc>/report")
@access(PUBLIC)
@csrf.exempt
def firm_report(uscc: str):
    ratelimit.enforce("report")
    subject = search.firm_by_uscc(uscc)
    return _issue(subject, firm_profile, "agency" if subject is not None and subject.is_agency else "firm")


@bp.post("/managers/<certificate_no>/report")
@access(PUBLIC)
@csrf.exempt
def manager_report(certificate_no: str):
    ratelimit.enforce("report")
    return _issue(search.manager_by_certificate(certificate_no), manager_profile, "manager")


def verification_qr(code: str) -> str:
    """The verification link of a report as a QR code, an SVG data URI (allowed by the pages' CSP)."""
    return segno.make(url_for("credit.verify", code=code, _external=True), error="m").svg_data_uri(scale=4, border=2)


def _profile_of(cert, at):
    if cert.subject_kind == "manager":
        subject = search.manager_by_certificate(cert.subject_key)
        return manager_profile(subject, at=at) if subject else None
    subject = search.firm_by_uscc(cert.subject_key)
    return firm_profile(subject, at=at) if subject else None


@bp.get("/reports/<code>")
@access(PUBLIC)
@public_answer()
def report(code: str):
    """The printable report, rebuilt as it stood when issued (records listed by reference)."""
    cert = find_report(code)
    if cert is None:
        abort(404)
    profile = _profile_of(cert, cert.issued_at)
    if profile is None:
        abort(404)
    return render_template("credit/report.html", cert=cert, code=format_code(cert.code), profile=profile,
                           standing=standing_view(profile.standing, locale()), qr=verification_qr(cert.code),
                           records=[record_view(r, locale()) for r in profile.records])


@bp.get("/verify")
@access(PUBLIC)
@public_answer("verify")
def verify():
    code = request.args.get("code", "").strip()[:64]
    cert = find_report(code) if code else None
    now = None
    if cert is not None:
        current = _profile_of(cert, clock.now())
        now = standing_view(current.standing, locale()) if current else None
    return render_template("credit/verify.html", code=code, cert=cert, now=now,
                           listing=listing_view_of_cert(cert), formatted=format_code(cert.code) if cert else None)


def listing_view_of_cert(cert):
    """The listing as the report stated it, in the reader's language."""
    if cert is None or not cert.listing:
        return None
    english = locale().startswith("en")
    end = cert.listing["end"]
    return {"start": datetime.fromisoformat(cert.listing["start"]), "end": datetime.fromisoformat(end) if end else None,
            "basis": [dict(b, item_title=b["title_en"] if english else b["title_zh"]) for b in cert.listing["basis"]]}


__all__ = ["listing_view"]
