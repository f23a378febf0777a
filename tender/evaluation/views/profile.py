"""The expert's own profile page: details, relations, days unavailable, employer changes."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import clock
from core.accounts.forms import SPECIALTIES, district_choices
from core.accounts.models import Role
from core.authz import access, active_membership, roles
from core.db import db
from core.requests import attempt
from core.web import no_store
from tender.evaluation import forms
from tender.evaluation import operations as ops
from tender.evaluation.models import ExpertRelation, ExpertUnavailability
from tender.evaluation.views import bp

EXPERT = roles(Role.EXPERT)


def _forms(profile, **given):
    districts = [c for c in district_choices() if c[0]]
    found = {
        "profile_form": forms.ProfileForm(prefix="profile", districts=districts, obj=None),
        "relation_form": forms.RelationForm(prefix="relation"),
        "absence_form": forms.UnavailabilityForm(prefix="absence"),
        "employer_form": forms.EmployerForm(prefix="employer"),
        "action_form": forms.ActionForm(),
    }
    found.update(given)
    form = found["profile_form"]
    if profile is not None and not form.is_submitted():
        form.title.data, form.title_certificate.data = profile.title, profile.title_certificate
        form.practice_since.data, form.note.data = profile.practice_since, profile.note
        form.districts.data, form.other_specialties.data = profile.district_codes, list(profile.other_specialties or [])
    return found


def _page(**given):
    membership = active_membership()
    profile = ops.profile_for(membership)
    now = clock.now()
    return render_template(
        "evaluation/profile.html", membership=membership, profile=profile, now=now,
        reasons=ops.eligibility(profile, now), weight=ops.draw_weight(profile, now) if profile else None,
        years=ops.years_of_practice(profile, clock.today()) if profile else 0,
        rule=ops.rule_at("pool", now), specialties=SPECIALTIES, actions=ops.profile_actions(profile, clock.today()), **_forms(profile, **given))


@bp.get("/profile")
@access(EXPERT)
@no_store
def profile():
    return _page()


def _done(message: str):
    flash(message, "success")
    return redirect(url_for("evaluation.profile"))


@bp.post("/profile")
@access(EXPERT)
@no_store
def save_profile():
    form = forms.ProfileForm(prefix="profile", districts=[c for c in district_choices() if c[0]])
    if form.validate_on_submit():
        data = {k: form[k].data for k in ("title", "title_certificate", "practice_since", "districts",
                                          "other_specialties", "note")}
        if attempt(form, ops.update_profile, active_membership(), data, actor=current_user):
            return _done(_("Your profile is saved."))
    return _page(profile_form=form)


@bp.post("/profile/relations")
@access(EXPERT)
@no_store
def declare_relation():
    form = forms.RelationForm(prefix="relation")
    if form.validate_on_submit():
        data = {k: form[k].data for k in ("person_name", "relationship_kind", "organisation_name", "organisation_uscc",
                                          "person_role")}
        if attempt(form, ops.declare_relation, active_membership(), data, actor=current_user):
            return _done(_("The relation is declared. You will not be drawn for tenders it concerns."))
    return _page(relation_form=form)


def _own(model, object_id: int):
    """A row of the signed-in expert's own profile, or 404."""
    profile = ops.profile_for(active_membership())
    row = db.session.get(model, object_id)
    if profile is None or row is None or row.profile_id != profile.id:
        abort(404)
    return row


def _act_on_own(model, object_id: int, operation, done: str, failed: str):
    """Run a one-button operation on a row of the expert's own profile and go back to the page."""
    row = _own(model, object_id)
    form = forms.ActionForm()
    if form.validate_on_submit() and attempt(form, operation, row, actor=current_user):
        return _done(done)
    flash(" ".join(form.form_errors) or failed, "error")
    return redirect(url_for("evaluation.profile"))


@bp.post("/profile/relations/<int:relation_id>/withdraw")
@access(EXPERT)
@no_store
def withdraw_relation(relation_id: int):
    return _act_on_own(ExpertRelation, relation_id, ops.withdraw_relation, _("The relation is withdrawn."),
                       _("The relation could not be withdrawn."))


@bp.post("/profile/unavailability")
@access(EXPERT)
@no_store
def mark_unavailable():
    form = forms.UnavailabilityForm(prefix="absence")
    if form.validate_on_submit():
        data = {k: form[k].data for k in ("starts_on", "ends_on", "reason")}
        if attempt(form, ops.mark_unavailable, active_membership(), data, actor=current_user):
            return _done(_("You will not be drawn on these days."))
    return _page(absence_form=form)


@bp.post("/profile/unavailability/<int:absence_id>/remove")
@access(EXPERT)
@no_store
def remove_unavailability(absence_id: int):
    return _act_on_own(ExpertUnavailability, absence_id, ops.remove_unavailability, _("The days are available again."),
                       _("The days could not be removed."))


@bp.post("/profile/employer")
@access(EXPERT)
@no_store
def propose_employer():
    form = forms.EmployerForm(prefix="employer")
    if form.validate_on_submit():
        data = {k: form[k].data for k in ("employer_name", "employer_uscc", "position", "started_on")}
        if attempt(form, ops.propose_employer_change, active_membership(), data, actor=current_user):
            return _done(_("The change is sent to the city bureau; it counts once they confirm it."))
    return _page(employer_form=form)
