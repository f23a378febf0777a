"""The city bureau's pages: the pool with its counts, one expert's file, employer changes, conduct, pool rules."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import clock
from core.accounts.forms import SPECIALTIES, district_choices
from core.accounts.models import MemberRole, Membership, OrgKind, Role
from core.authz import access, active_membership, roles
from core.db import db
from core.pagination import paginate
from core.requests import attempt
from core.web import no_store
from tender.evaluation import forms
from tender.evaluation import operations as ops
from tender.evaluation.models import EmploymentStatus, ExpertEmployment
from tender.evaluation.operations.standing import profiles_by_membership
from tender.evaluation.views import bp

CITY = roles(Role.SUPERVISOR, org_kinds=(OrgKind.CITY_BUREAU,))
PER_PAGE = 25


@bp.get("/pool")
@access(CITY)
@no_store
def pool():
    city = active_membership().organisation
    specialty = request.args.get("specialty") if request.args.get("specialty") in SPECIALTIES else None
    pending = request.args.get("pending") == "1"
    page = paginate(ops.pool_query(city.id, specialty=specialty, pending_only=pending), per_page=PER_PAGE)
    profiles = profiles_by_membership([m.id for m in page.items])
    now = clock.now()
    rows = []
    for m in page.items:
        profile = profiles.get(m.id)
        rows.append({"membership": m, "profile": profile, "reasons": ops.eligibility(profile, now),
                     "weight": ops.draw_weight(profile, now) if profile else None,
                     "years": ops.years_of_practice(profile, clock.today()) if profile else None,
                     "pending": profile.pending_employment() if profile else None})
    args = {k: v for k, v in (("specialty", specialty), ("pending", "1" if pending else None)) if v}
    return render_template("evaluation/pool.html", page=page, rows=rows, counts=ops.pool_counts(city.id, now),
                           specialties=SPECIALTIES, specialty=specialty, pending=pending, args=args)


def _expert(membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    city = active_membership().organisation
    if membership is None or membership.role != MemberRole.EXPERT or membership.organisation_id != city.id:
        abort(404)
    return membership


def _expert_page(membership: Membership, **given):
    profile = ops.profile_for(membership)
    now = clock.now()
    found = {"decision_form": forms.DecisionForm(prefix="decision"), "conduct_form": forms.ConductForm(prefix="conduct"),
             "employment_form": forms.PastEmploymentForm(prefix="past")}
    found.update(given)
    return render_template("evaluation/expert.html", membership=membership, profile=profile, now=now,
                           reasons=ops.eligibility(profile, now), weight=ops.draw_weight(profile, now) if profile else None,
                           years=ops.years_of_practice(profile, clock.today()) if profile else None,
                           actions=ops.bureau_actions(profile, active_membership()), specialties=SPECIALTIES,
                           district_names=dict(c for c in district_choices() if c[0]), **found)


@bp.get("/pool/<int:membership_id>")
@access(CITY)
@no_store
def expert(membership_id: int):
    return _expert_page(_expert(membership_id))


def _back(membership: Membership, message: str):
    flash(message, "success")
    return redirect(url_for("evaluation.expert", membership_id=membership.id))


@bp.post("/pool/<int:membership_id>/employment/<int:employment_id>")
@access(CITY)
@no_store
def decide_employment(membership_id: int, employment_id: int):
    membership = _expert(membership_id)
    employment = db.session.get(ExpertEmployment, employment_id)
    if employment is None or employment.profile.membership_id != membership.id:
        abort(404)
    form = forms.DecisionForm(prefix="decision")
    if form.validate_on_submit():
        data = {"confirm": form.decision.data == "confirm", "note": form.note.data}
        if attempt(form, ops.decide_employer_change, employment, data, actor=current_user):
            confirmed = employment.status == EmploymentStatus.CONFIRMED
            return _back(membership, _("The change is confirmed.") if confirmed else _("The change is not confirmed."))
    return _expert_page(membership, decision_form=form)


def _profile_or_404(membership: Membership):
    profile = ops.profile_for(membership)
    if profile is None:
        abort(404)
    return profile


def _bureau_form(membership_id: int, form_class, prefix: str, page_name: str, operation, fields, done: str):
    """Submit one of the expert page's forms to ``operation`` on the expert's profile."""
    membership = _expert(membership_id)
    profile = _profile_or_404(membership)
    form = form_class(prefix=prefix)
    if form.validate_on_submit():
        if attempt(form, operation, profile, {k: form[k].data for k in fields}, actor=current_user):
            return _back(membership, done)
    return _expert_page(membership, **{page_name: form})


@bp.post("/pool/<int:membership_id>/employment")
@access(CITY)
@no_store
def record_employment(membership_id: int):
    return _bureau_form(membership_id, forms.PastEmploymentForm, "past", "employment_form", ops.record_employment,
                        ("employer_name", "employer_uscc", "position", "started_on", "ended_on"),
                        _("The employment is recorded."))


@bp.post("/pool/<int:membership_id>/conduct")
@access(CITY)
@no_store
def record_conduct(membership_id: int):
    return _bureau_form(membership_id, forms.ConductForm, "conduct", "conduct_form", ops.record_expert_conduct,
                        ("kind", "occurred_on", "note", "weight_effect", "tender_id"), _("The conduct record is entered."))


@bp.route("/rules", methods=["GET", "POST"])
@access(CITY)
def pool_rules():
    now = clock.now()
    current = ops.rule_at("pool", now)
    form = forms.PoolRuleForm()
    if not form.is_submitted():
        form.min_years.data, form.senior_titles.data = current.min_years, list(current.senior_titles)
    if form.validate_on_submit():
        valid_from = form.valid_from.data.replace(tzinfo=clock.SHANGHAI)
        data = {"valid_from": valid_from, "note": form.note.data,
                "values": {"min_years": form.min_years.data, "senior_titles": form.senior_titles.data}}
        if attempt(form, ops.set_rule, "pool", data, actor=current_user):
            flash(_("The new values take effect at the time given."), "success")
            return redirect(url_for("evaluation.pool_rules"))
    return render_template("evaluation/rules.html", form=form, current=current, history=ops.rule_history("pool"), now=now)
