"""The expert's scoring page (评分页面) and what it calls: the sheet's autosave, locking, the blind
documents, the presentation lot, the flags and the report with its signatures.

Before every member has locked the technical part, nothing here names a firm: bids are codes,
documents are served as ``A-1.pdf`` rebuilt without their metadata.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import clock
from core.accounts.models import Role
from core.authz import access, active_membership, require, roles
from core.db import DomainError, db
from core.requests import attempt
from core.web import no_store
from tender.evaluation import bids as bidding
from tender.evaluation import forms
from tender.evaluation.documents.clean import pages_only
from tender.evaluation.documents.pdf import DocumentError
from tender.evaluation.models import EvaluationFlag, SheetPart
from tender.evaluation.operations import committee, results, scoring
from tender.evaluation.operations.report import report_of
from tender.evaluation.views import bp
from tender.evaluation.views.committee import PANEL_MEMBERS, expert_panel, panel_home
from tender.tenders.models import Tender
from tender.tenders.operations.access import BUREAU, MANAGER, AGENCY, capacity
from tender.tenders.operations.scheme import ITEM_LABELS

REPORT_READERS = roles(Role.TENDERER, Role.AGENCY, Role.SUPERVISOR, Role.EXPERT)


def _member_panel(panel_id: int):
    panel = expert_panel(panel_id)
    require(committee.is_member(panel, active_membership()), "not_on_panel")
    return panel


def _part(part: str) -> SheetPart:
    try:
        return SheetPart(part)
    except ValueError:
        abort(404)


def sheet_state(panel, membership, part: SheetPart) -> dict:
    """The expert's saved sheet as the page and the autosave read it (codes, never bid ids)."""
    sheet = scoring.sheet_of(panel, membership, part)
    codes = {c.bid_id: c.code for c in panel.codes}
    return {"revision": sheet.revision if sheet else 0,
            "saved_at": sheet.saved_at.isoformat() if sheet and sheet.saved_at else None,
            "locked": bool(sheet and sheet.locked_at),
            "scores": [{"bid": codes[s.bid_id], "item": s.item, "points": str(Decimal(s.points).normalize()),
                        "reason": s.reason or ""} for s in (sheet.scores if sheet else [])]}


@bp.get("/panels/<int:panel_id>/score/<part>")
@access(PANEL_MEMBERS)
@no_store
def score_page(panel_id: int, part: str):
    panel, sheet_part = _member_panel(panel_id), _part(part)
    membership = active_membership()
    if sheet_part not in scoring.parts_of(panel.tender):
        abort(404)
    items = scoring.items_of(panel.tender, sheet_part)
    revealed = scoring.codes_revealed(panel)
    opened = {b.id: b for b in bidding.opened_bids(panel.tender)}
    bids = []
    for code in panel.codes:
        bid = opened.get(code.bid_id)
        docs = bidding.technical_documents(bid) if bid is not None and sheet_part == SheetPart.TECHNICAL else []
        bids.append({"code": code.code, "documents": len(docs),
                     "firm": bid.firm.name if revealed and bid is not None else None})
    rule = scoring.rule_at("scoring", clock.now())
    config = {
        "panel": panel.id, "part": sheet_part.value, "user": membership.id,
        "saveUrl": url_for("evaluation.sheet", panel_id=panel.id, part=sheet_part.value),
        "documentUrl": url_for("evaluation.bid_document", panel_id=panel.id, code="CODE", n=0).replace("/0.pdf", "/N.pdf"),
        "workerUrl": url_for("evaluation.static", filename="vendor/pdfjs/pdf.worker.min.mjs"),
        "cmapUrl": url_for("evaluation.static", filename="vendor/pdfjs/cmaps/"),
        "step": str(scoring.step_of(clock.now())), "reasonMin": rule.reason_min_chars,
        "items": [{"key": i.key, "label": str(ITEM_LABELS.get(i.key, i.key)), "max": str(i.max_points),
                   "anchors": [[name, str(p)] for name, p in i.anchors]} for i in items],
        "bids": bids, "sheet": sheet_state(panel, membership, sheet_part),
        "editable": "score" in scoring.scoring_actions(panel, membership).get(sheet_part.value, frozenset()),
    }
    return render_template("evaluation/score.html", panel=panel, tender=panel.tender, part=sheet_part, config=config,
                           bids=bids, items=items, lock_form=forms.SecondFactorForm(prefix="lock"),
                           missing=scoring.missing(panel, scoring.sheet_of(panel, membership, sheet_part), sheet_part))


@bp.route("/panels/<int:panel_id>/sheets/<part>", methods=["GET", "PUT"])
@access(PANEL_MEMBERS)
@no_store
def sheet(panel_id: int, part: str):
    """The expert's sheet: GET its state, PUT the page's autosave.

    One rule for both methods, so that a URL no panel can have is a 404 for either method."""
    if request.method == "PUT":
        return _save_sheet(panel_id, part)
    panel = _member_panel(panel_id)
    return jsonify(sheet_state(panel, active_membership(), _part(part)))


def _save_sheet(panel_id: int, part: str):
    """The autosave: the quick path into an existing sheet, else the full one (first save, refusals)."""
    sheet_part = _part(part)
    data = request.get_json(silent=True)
    membership = active_membership()
    saved = scoring.autosave(panel_id, membership, sheet_part, data) if isinstance(data, dict) else None
    if saved is None:
        panel = _member_panel(panel_id)
        if not isinstance(data, dict):
            raise DomainError(_("Send the scores as JSON."), code="body")
        sheet = scoring.save_sheet(panel, membership, sheet_part, data, actor=current_user)
        saved = (sheet.revision, sheet.saved_at)
    revision, saved_at = saved
    return jsonify({"revision": revision, "saved_at": saved_at.isoformat()})


@bp.post("/panels/<int:panel_id>/sheets/<part>/lock")
@access(PANEL_MEMBERS)
def lock_sheet(panel_id: int, part: str):
    panel, sheet_part = _member_panel(panel_id), _part(part)
    form = forms.SecondFactorForm(prefix="lock")
    if form.validate_on_submit() and attempt(form, scoring.lock_sheet, panel, active_membership(), sheet_part,
                                             {"code": form.code.data}, actor=current_user):
        flash(_("Your scores are locked and signed."), "success")
        return redirect(url_for("evaluation.panel", panel_id=panel.id))
    for message in form.form_errors + form.code.errors:
        flash(message, "error")
    return redirect(url_for("evaluation.score_page", panel_id=panel.id, part=sheet_part.value))


@bp.get("/panels/<int:panel_id>/bids/<code>/documents/<int:n>.pdf")
@access(PANEL_MEMBERS)
@no_store
def bid_document(panel_id: int, code: str, n: int):
    """A technical document rebuilt from its pages alone, named by the bid's code."""
    panel = _member_panel(panel_id)
    entry = next((c for c in panel.codes if c.code == code), None)
    if entry is None:
        abort(404)
    bid = next((b for b in bidding.opened_bids(panel.tender) if b.id == entry.bid_id), None)
    docs = bidding.technical_documents(bid) if bid is not None else []
    if not 1 <= n <= len(docs):
        abort(404)
    handle = bidding.read_document(docs[n - 1])
    try:
        data = handle.read()
    finally:
        handle.close()
    try:
        body = pages_only(data)
    except DocumentError:
        abort(404)
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{code}-{n}.pdf"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/panels/<int:panel_id>/lot/<step>")
@access(PANEL_MEMBERS)
def lot(panel_id: int, step: str):
    panel = _member_panel(panel_id)
    form = forms.WitnessForm(prefix="lot")
    if step == "prepare":
        if forms.ActionForm().validate_on_submit() and attempt(None, scoring.prepare_lot, panel, actor=current_user,
                                                               membership=active_membership()):
            flash(_("The commitment to the lot is published."), "success")
        return redirect(url_for("evaluation.panel", panel_id=panel.id))
    if step != "perform":
        abort(404)
    if form.validate_on_submit() and attempt(form, scoring.perform_lot, panel, {"witness": form.witness.data},
                                             actor=current_user, membership=active_membership()):
        flash(_("The speaking order is drawn."), "success")
        return redirect(url_for("evaluation.panel", panel_id=panel.id))
    return panel_home(panel, witness_form=form), 422


@bp.get("/panels/<int:panel_id>/flags.json")
@access(PANEL_MEMBERS)
@no_store
def flags_progress(panel_id: int):
    panel = _member_panel(panel_id)
    return jsonify({"state": panel.state.value, "progress": panel.flags_progress,
                    "done": panel.flags_done_at is not None, "flags": len(panel.flags)})


@bp.post("/panels/<int:panel_id>/flags/<int:flag_id>")
@access(PANEL_MEMBERS)
def handle_flag(panel_id: int, flag_id: int):
    panel = _member_panel(panel_id)
    flag = db.session.get(EvaluationFlag, flag_id)
    if flag is None or flag.panel_id != panel.id:
        abort(404)
    form = forms.FlagHandlingForm(prefix=f"flag{flag.id}")
    form.action.choices = [(a, a) for a in sorted(results.flag_actions(flag, active_membership()))]
    if form.validate_on_submit() and attempt(form, results.handle_flag, flag, active_membership(),
                                             {"action": form.action.data, "note": form.note.data,
                                              "points": form.points.data}, actor=current_user):
        flash(_("The handling of the flag is recorded."), "success")
        return redirect(url_for("evaluation.panel", panel_id=panel.id) + f"#flag-{flag.id}")
    for message in form.form_errors + form.action.errors + form.note.errors + form.points.errors:
        flash(message, "error")
    return redirect(url_for("evaluation.panel", panel_id=panel.id) + f"#flag-{flag.id}")


def _report_tender(tender_id: int):
    tender = db.session.get(Tender, tender_id)
    if tender is None:
        abort(404)
    report = report_of(tender)
    membership = active_membership()
    who = capacity(tender, membership)
    panel = committee.panel_of(tender)
    member = panel is not None and committee.is_member(panel, membership)
    if report is None or not (member or who == BUREAU or (who in (MANAGER, AGENCY) and report.signed_at)):
        abort(404)
    return tender, report, panel


@bp.get("/tenders/<int:tender_id>/report")
@access(REPORT_READERS)
@no_store
def report(tender_id: int):
    tender, found, panel = _report_tender(tender_id)
    names = {m["membership"]: m["name"] for m in found.body.get("members", [])}
    return render_template("evaluation/report.html", tender=tender, report=found, panel=panel, names=names,
                           item_labels=ITEM_LABELS, actions=results.report_actions(found, active_membership()),
                           sign_form=forms.SecondFactorForm(prefix="sign", data={"sha256": found.sha256}))


@bp.post("/tenders/<int:tender_id>/report/sign")
@access(PANEL_MEMBERS)
def sign_report(tender_id: int):
    tender, found, panel = _report_tender(tender_id)
    form = forms.SecondFactorForm(prefix="sign")
    if form.validate_on_submit() and attempt(form, results.sign_report, found, active_membership(),
                                             {"code": form.code.data, "sha256": form.sha256.data}, actor=current_user):
        flash(_("You signed the evaluation report."), "success")
    else:
        for message in form.form_errors + form.code.errors:
            flash(message, "error")
    return redirect(url_for("evaluation.report", tender_id=tender.id))
