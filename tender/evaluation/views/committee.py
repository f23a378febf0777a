"""The panel of a real tender: the draw page of the tenderer, its agency and the bureau (with the blind
check's hits for the bureau), and the expert's invitation."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import clock
from core.accounts.models import Role
from core.authz import access, active_membership, require, roles
from core.clock import SHANGHAI
from core.db import db
from core.requests import attempt
from core.web import no_store
from tender.evaluation import forms
from tender.evaluation.models import BlindCheck, EvaluationPanel
from tender.evaluation.operations import blind, committee
from tender.evaluation.views import bp
from tender.tenders.models import Tender
from tender.tenders.operations.access import BUREAU, capacity

MANAGERS = roles(Role.TENDERER, Role.AGENCY, Role.SUPERVISOR)
EXPERT = roles(Role.EXPERT)
# Who sits on a panel: drawn experts and the tenderer's representatives; each page then asks for an
# invitation to this panel (anyone else: 404).
PANEL_MEMBERS = roles(Role.EXPERT, Role.TENDERER)


def _tender(tender_id: int) -> Tender:
    tender = db.session.get(Tender, tender_id)
    if tender is None:
        abort(404)
    require(committee.may_draw(tender, active_membership()), "not_your_tender")
    return tender


def _representative_form(tender: Tender) -> forms.RepresentativeForm:
    form = forms.RepresentativeForm(prefix="representative")
    form.membership_id.choices = [("", _("Choose…"))] + [
        (str(m.id), f"{m.user.name} · {m.user.email}") for m in committee.representative_candidates(tender)]
    return form


def _panel_page(tender: Tender, **given):
    membership = active_membership()
    now = clock.now()
    panel = committee.panel_of(tender)
    bureau = capacity(tender, membership) == BUREAU
    checks = list(db.session.scalars(db.select(BlindCheck).where(BlindCheck.tender_id == tender.id)
                                     .order_by(BlindCheck.id))) if bureau else []
    found = {"prepare_form": forms.PrepareDrawForm(prefix="prepare", data={"members": 5, "reserves": 2,
                                                                            "tenderer_representatives": 0}),
             "representative_form": _representative_form(tender),
             "witness_form": forms.WitnessForm(prefix="witness"), "blind_form": forms.BlindDecisionForm(prefix="blind"),
             "absent_form": forms.AbsentForm(prefix="absent")}
    found.update(given)
    from tender.evaluation.operations.report import report_of

    report = report_of(tender)
    from tender.evaluation.operations import results

    score_flags = [f for f in panel.flags if f.kind in results.SCORE_FLAGS] if panel and bureau else []
    return render_template("evaluation/tender_panel.html", tender=tender, panel=panel, now=now, report=report,
                           score_flags=score_flags, uphold_form=forms.UpholdForm(prefix="uphold"),
                           upholdable={f.id for f in score_flags if results.upholdable(f)},
                           seat_actions=committee.seat_actions(panel, membership) if panel else {},
                           actions=committee.draw_actions(tender, membership, now), bureau=bureau, checks=checks,
                           names=panel is not None and committee.panel_names_visible(panel, membership),
                           members=committee.panel_members(panel) if panel else [], **found)


@bp.get("/tenders/<int:tender_id>/panel")
@access(MANAGERS)
@no_store
def tender_panel(tender_id: int):
    return _panel_page(_tender(tender_id))


@bp.post("/tenders/<int:tender_id>/panel/prepare")
@access(MANAGERS)
def prepare_draw(tender_id: int):
    tender = _tender(tender_id)
    form = forms.PrepareDrawForm(prefix="prepare")
    if form.validate_on_submit():
        starts = form.evaluation_starts_at.data.replace(tzinfo=SHANGHAI)
        data = {"evaluation_starts_at": starts, "members": form.members.data, "reserves": form.reserves.data,
                "tenderer_representatives": form.tenderer_representatives.data}
        if attempt(form, committee.prepare_tender_draw, tender, data, actor=current_user, membership=active_membership()):
            flash(_("The commitment and the candidate list are published; perform the draw with the witness text."),
                  "success")
            return redirect(url_for("evaluation.tender_panel", tender_id=tender.id))
    return _panel_page(tender, prepare_form=form), 422


@bp.post("/tenders/<int:tender_id>/panel/perform")
@access(MANAGERS)
def perform_draw(tender_id: int):
    tender = _tender(tender_id)
    form = forms.WitnessForm(prefix="witness")
    if form.validate_on_submit():
        if attempt(form, committee.perform_tender_draw, tender, {"witness": form.witness.data}, actor=current_user,
                   membership=active_membership()):
            flash(_("The panel is drawn; the invitations are on their way."), "success")
            return redirect(url_for("evaluation.tender_panel", tender_id=tender.id))
    return _panel_page(tender, witness_form=form), 422


@bp.post("/tenders/<int:tender_id>/panel/representatives")
@access(roles(Role.TENDERER))
def appoint_representative(tender_id: int):
    """The tenderer names one of its people to a representative seat of the drawn panel."""
    tender = _tender(tender_id)
    panel = committee.panel_of(tender)
    if panel is None:
        abort(404)
    form = _representative_form(tender)
    if form.validate_on_submit():
        if attempt(form, committee.appoint_representative, panel, {"membership_id": form.membership_id.data},
                   actor=current_user, membership=active_membership()):
            flash(_("Your representative is invited to the panel."), "success")
            return redirect(url_for("evaluation.tender_panel", tender_id=tender.id))
    return _panel_page(tender, representative_form=form), 422


@bp.post("/tenders/<int:tender_id>/panel/seats/<int:invitation_id>/absent")
@access(roles(Role.SUPERVISOR))
def mark_absent(tender_id: int, invitation_id: int):
    """The bureau records that an expert who accepted did not come; the next reserve is invited."""
    from tender.evaluation.models import PanelInvitation

    tender = _tender(tender_id)
    panel = committee.panel_of(tender)
    invitation = db.session.get(PanelInvitation, invitation_id)
    if panel is None or invitation is None or invitation.panel_id != panel.id:
        abort(404)
    form = forms.AbsentForm(prefix="absent")
    if form.validate_on_submit():
        if attempt(form, committee.mark_absent, panel, invitation.membership, {"note": form.note.data},
                   actor=current_user, viewer=active_membership()):
            flash(_("The absence is recorded and the next reserve is invited."), "success")
            return redirect(url_for("evaluation.tender_panel", tender_id=tender.id))
    return _panel_page(tender, absent_form=form), 422


@bp.post("/tenders/<int:tender_id>/blind/<int:check_id>")
@access(roles(Role.SUPERVISOR))
def decide_blind(tender_id: int, check_id: int):
    tender = _tender(tender_id)
    check = db.session.get(BlindCheck, check_id)
    if check is None or check.tender_id != tender.id:
        abort(404)
    form = forms.BlindDecisionForm(prefix="blind")
    if form.validate_on_submit():
        if attempt(form, blind.decide_blind_check, check, {"decision": form.decision.data, "note": form.note.data},
                   actor=current_user, membership=active_membership()):
            flash(_("The decision is recorded."), "success")
            return redirect(url_for("evaluation.tender_panel", tender_id=tender.id))
    return _panel_page(tender, blind_form=form), 422


@bp.post("/tenders/<int:tender_id>/flags/<int:flag_id>/uphold")
@access(roles(Role.SUPERVISOR))
def uphold_flag(tender_id: int, flag_id: int):
    from tender.evaluation.models import EvaluationFlag
    from tender.evaluation.operations import results

    tender = _tender(tender_id)
    require(capacity(tender, active_membership()) == BUREAU, "not_bureau")
    panel = committee.panel_of(tender)
    flag = db.session.get(EvaluationFlag, flag_id)
    if panel is None or flag is None or flag.panel_id != panel.id:
        abort(404)
    form = forms.UpholdForm(prefix="uphold")
    if form.validate_on_submit() and attempt(form, results.uphold_flag, flag, {"note": form.note.data},
                                             actor=current_user):
        flash(_("The flag is upheld and entered in the expert's conduct history."), "success")
        return redirect(url_for("evaluation.tender_panel", tender_id=tender.id))
    return _panel_page(tender, uphold_form=form), 422


# --- the expert's side ---

def expert_panel(panel_id: int) -> EvaluationPanel:
    """The panel, for an expert invited to it (anyone else: 404, so panels cannot be probed)."""
    panel = db.session.get(EvaluationPanel, panel_id)
    if panel is None or committee.invitation_for(panel, active_membership()) is None:
        abort(404)
    return panel


def panel_home(panel: EvaluationPanel, **given):
    from tender.evaluation.operations import results, scoring
    from tender.evaluation.operations.report import report_of

    membership = active_membership()
    invitation = committee.invitation_for(panel, membership)
    report = report_of(panel.tender)
    found = {"answer_form": forms.AnswerForm(prefix="answer"), "witness_form": forms.WitnessForm(prefix="lot"),
             "sign_form": forms.SecondFactorForm(prefix="sign")}
    found.update(given)
    flags = [(f, results.flag_actions(f, membership)) for f in panel.flags]
    return render_template("evaluation/expert_panel.html", panel=panel, tender=panel.tender, invitation=invitation,
                           member=committee.is_member(panel, membership), now=clock.now(),
                           parts=scoring.parts_of(panel.tender), actions=scoring.scoring_actions(panel, membership),
                           sheets={p.value: scoring.sheet_of(panel, membership, p) for p in scoring.parts_of(panel.tender)},
                           lot_actions=scoring.lot_actions(panel, membership), revealed=scoring.codes_revealed(panel),
                           flags=flags, report=report, report_actions=results.report_actions(report, membership),
                           **found)


@bp.get("/panels/<int:panel_id>")
@access(PANEL_MEMBERS)
@no_store
def panel(panel_id: int):
    return panel_home(expert_panel(panel_id))


@bp.post("/panels/<int:panel_id>/answer")
@access(PANEL_MEMBERS)
def answer(panel_id: int):
    panel = expert_panel(panel_id)
    form = forms.AnswerForm(prefix="answer")
    if form.validate_on_submit():
        data = {"answer": form.answer.data, "reason": form.reason.data or None, "note": form.note.data}
        if attempt(form, committee.answer_invitation, committee.invitation_for(panel, active_membership()), data,
                   actor=current_user):
            flash(_("Your answer is recorded."), "success")
            return redirect(url_for("evaluation.panel", panel_id=panel.id))
    return panel_home(panel, answer_form=form), 422
