"""Registration (one question per page, check your answers, a reference), the bureau's review queue,
organisation members and the city expert pool."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.accounts import forms, uscc
from core.accounts import operations as ops
from core.accounts.models import USCC_KINDS, MemberRole, Membership, Organisation, OrgKind, OrgStatus, Role
from core.authz import PUBLIC, access, active_membership, require, roles
from core.db import db
from core.db import DomainError
from core.requests import ConcurrentChange, attempt
from core.pagination import paginate
from core.web import no_store
from core.security import hash_password

bp = Blueprint("accounts", __name__)

DRAFT = "registration"
DONE = "registration_done"
# Which registration step asks for each field, so an error found at the end links back to it.
FIELD_STEP = {
    "kind": "accounts.register_kind",
    "uscc": "accounts.register_organisation",
    "filing_record": "accounts.register_organisation",
    "district_code": "accounts.register_organisation",
    "email": "accounts.register_account",
}
ORG_FIELDS = ("name", "uscc", "uscc_confirmed", "community", "filing_record", "district_code", "address", "contact_phone")
ACCOUNT_FIELDS = ("admin_name", "email", "phone")


def _draft() -> dict:
    return dict(session.get(DRAFT) or {})


def _save(draft: dict, **values) -> None:
    draft.update(values)
    session[DRAFT] = draft


def _account_done(draft: dict) -> bool:
    if draft.get("use_my_account"):
        return current_user.is_authenticated and draft.get("user_id") == current_user.id
    return "password_hash" in draft


def _missing_step(draft: dict, upto: str) -> str | None:
    """The first earlier step not yet answered, so a user who jumps ahead is sent back to it."""
    order = ["kind", "organisation", "account"]
    done = {"kind": "kind" in draft, "organisation": "name" in draft, "account": _account_done(draft)}
    for step in order[: order.index(upto) if upto in order else len(order)]:
        if not done[step]:
            return url_for(f"accounts.register_{step}")
    return None


@bp.get("/register")
@access(PUBLIC)
def register():
    return render_template("accounts/register_start.html")


@bp.route("/register/kind", methods=["GET", "POST"])
@access(PUBLIC)
def register_kind():
    draft = _draft()
    form = forms.KindForm(data={"kind": draft.get("kind")})
    if form.validate_on_submit():
        if draft.get("kind") and draft["kind"] != form.kind.data:
            # Another kind asks other questions: keep the account, forget the organisation answers.
            draft = {k: v for k, v in draft.items() if k not in ORG_FIELDS}
        _save(draft, kind=form.kind.data)
        return redirect(url_for("accounts.register_organisation"))
    return render_template("accounts/register_kind.html", form=form, hints=forms.KIND_HINTS)


@bp.route("/register/organisation", methods=["GET", "POST"])
@access(PUBLIC)
@no_store
def register_organisation():
    draft = _draft()
    if (back := _missing_step(draft, "organisation")) is not None:
        return redirect(back)
    kind = OrgKind(draft["kind"])
    form_cls = forms.UsccOrganisationForm if kind in USCC_KINDS else forms.AssemblyForm
    form = form_cls(data={k: draft.get(k) for k in ORG_FIELDS if k in draft})
    if form.validate_on_submit():
        if kind in USCC_KINDS and ops.uscc_taken(form.uscc.data):
            form.uscc.errors.append(str(ops.USCC_TAKEN))
        elif kind == OrgKind.OWNERS_ASSEMBLY and ops.filing_record_taken(form.filing_record.data):
            form.filing_record.errors.append(str(ops.FILING_TAKEN))
        else:
            values = {k: form[k].data for k in ORG_FIELDS if k in form._fields}
            _save(draft, **values)
            return redirect(url_for("accounts.register_check" if _account_done(draft) else "accounts.register_account"))
    check_failed = kind in USCC_KINDS and form.uscc.data and uscc.problem(form.uscc.data) == "check_character"
    return render_template(
        "accounts/register_organisation.html", form=form, kind=kind, kind_label=forms.KIND_LABELS[kind], check_failed=check_failed
    )


@bp.route("/register/account", methods=["GET", "POST"])
@access(PUBLIC)
@no_store
def register_account():
    draft = _draft()
    if (back := _missing_step(draft, "account")) is not None:
        return redirect(back)
    if current_user.is_authenticated:
        # Someone already signed in becomes the administrator with the account they have.
        form = forms.UseMyAccountForm()
        if form.validate_on_submit():
            draft = {k: v for k, v in draft.items() if k not in ("password_hash", *ACCOUNT_FIELDS)}
            _save(draft, use_my_account=True, user_id=current_user.id)
            return redirect(url_for("accounts.register_check"))
        return render_template("accounts/register_account_existing.html", form=form)
    form = forms.AdminAccountForm(data={k: draft.get(k) for k in ACCOUNT_FIELDS})
    if form.validate_on_submit():
        # Whether the address already has an account is not said here (nor anywhere to the
        # registrant): the address's owner hears of it by mail when the registration is sent.
        values = {k: form[k].data for k in ACCOUNT_FIELDS}
        # Only the hash is kept between steps: the password itself never reaches the session cookie.
        draft = {k: v for k, v in draft.items() if k not in ("use_my_account", "user_id")}
        _save(draft, password_hash=hash_password(form.password.data), **values)
        return redirect(url_for("accounts.register_check"))
    return render_template("accounts/register_account.html", form=form)


@bp.route("/register/check", methods=["GET", "POST"])
@access(PUBLIC)
@no_store
def register_check():
    draft = _draft()
    if (back := _missing_step(draft, "check")) is not None:
        return redirect(back)
    form = forms.SubmitForm()
    problem = None
    if form.validate_on_submit():
        actor = current_user if draft.get("use_my_account") else None
        done = attempt(form, ops.register_organisation, draft, actor=actor)
        if done:
            org, user = done.value
            session.pop(DRAFT, None)
            # Everything shown next comes from the answers, never from what was found in the database.
            session[DONE] = {"email": ops.normalise_email(draft["email"]) if not draft.get("use_my_account") else user.email,
                             "district": draft["district_code"],
                             "override": bool(draft.get("uscc")) and uscc.problem(draft["uscc"]) == "check_character"}
            return redirect(url_for("accounts.register_done"))
        error = done.error
        if isinstance(error, ConcurrentChange) and "uscc" in error.constraint:
            # The same code was registered in the same instant (uq_organisation_uscc).
            error = DomainError(str(ops.USCC_TAKEN), field="uscc")
        problem = {"message": error.message, "url": url_for(FIELD_STEP.get(error.field, "accounts.register_kind"))}
        form.form_errors.clear()
    kind = OrgKind(draft["kind"])
    return render_template(
        "accounts/register_check.html",
        form=form,
        draft=draft,
        kind=kind,
        kind_label=forms.KIND_LABELS[kind],
        district=forms.district_name(draft.get("district_code")),
        uses_uscc=kind in USCC_KINDS,
        problem=problem,
    )


@bp.get("/register/confirmation")
@access(PUBLIC)
@no_store
def register_done():
    done = session.get(DONE)
    if not isinstance(done, dict) or "email" not in done:
        return redirect(url_for("accounts.register"))
    # The same page whether or not the address already had an account: the reference goes by mail.
    bureau = ops.bureau_for(done.get("district"))
    return render_template("accounts/register_done.html", email=done["email"], bureau=bureau,
                           override=done.get("override", False))


@bp.get("/register/status")
@access(PUBLIC)
def registration_status():
    reference = (request.args.get("reference") or "").strip()[:20]
    org = ops.find_by_reference(reference) if reference else None
    return render_template(
        "accounts/registration_status.html",
        reference=reference,
        org=org,
        status_labels=forms.STATUS_LABELS,
        kind_labels=forms.KIND_LABELS,
        district=forms.district_name(org.district_code) if org else "",
    )


# The bureau's review queue ------------------------------------------------------------------------


def _registration(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None or org.kind not in forms.KIND_HINTS:
        abort(404)
    membership = active_membership()
    require(ops.is_competent_bureau(membership, org) or ops.may_override(membership), "not_competent_bureau")
    return org


@bp.get("/registrations")
@access(roles(Role.SUPERVISOR, Role.OPERATOR))
def review_queue():
    membership = active_membership()
    wanted = request.args.get("status", OrgStatus.PENDING.value)
    status = OrgStatus(wanted) if wanted in {s.value for s in OrgStatus} else OrgStatus.PENDING
    page = paginate(ops.registrations_query(membership, status))
    return render_template(
        "accounts/review_queue.html",
        orgs=page.items,
        page=page,
        status=status,
        statuses=list(OrgStatus),
        status_labels=forms.STATUS_LABELS,
        kind_labels=forms.KIND_LABELS,
        district_name=forms.district_name,
        all_districts=membership.organisation.kind != OrgKind.DISTRICT_BUREAU,
    )


@bp.get("/registrations/<int:org_id>")
@access(roles(Role.SUPERVISOR, Role.OPERATOR))
def review(org_id: int):
    org = _registration(org_id)
    return _review_page(org, forms.DecisionForm(prefix="d"), forms.OverrideForm(prefix="o"))


def _review_page(org: Organisation, decision_form, override_form, status: int = 200):
    membership = active_membership()
    admins = [m.user for m in org.memberships if m.is_admin and m.active]
    return (
        render_template(
            "accounts/review.html",
            org=org,
            admins=admins,
            decision_form=decision_form,
            override_form=override_form,
            can_decide=ops.is_competent_bureau(membership, org),
            can_override=ops.may_override(membership),
            status_labels=forms.STATUS_LABELS,
            kind_labels=forms.KIND_LABELS,
            district=forms.district_name(org.district_code),
        ),
        status,
    )


@bp.post("/registrations/<int:org_id>/decision")
@access(roles(Role.SUPERVISOR, Role.OPERATOR))
def decide(org_id: int):
    org = _registration(org_id)
    form = forms.DecisionForm(prefix="d")
    if not form.validate_on_submit():
        return _review_page(org, form, forms.OverrideForm(prefix="o"), 422)
    data = {"note": form.reason.data, "reason": form.reason.data}
    approve = form.decision.data == "approve"
    operation = ops.approve_registration if approve else ops.reject_registration
    name = org.name
    if not attempt(form, operation, org, data, actor=current_user, membership=active_membership()):
        return _review_page(org, form, forms.OverrideForm(prefix="o"), 409)
    flash(_("%(name)s is verified.", name=name) if approve else _("The registration of %(name)s is rejected.", name=name),
          "success")
    return redirect(url_for("accounts.review_queue"))


@bp.post("/registrations/<int:org_id>/override")
@access(roles(Role.SUPERVISOR, Role.OPERATOR))
def override(org_id: int):
    org = _registration(org_id)
    form = forms.OverrideForm(prefix="o")
    if form.validate_on_submit():
        name = org.name
        if attempt(form, ops.override_uscc, org, {"reason": form.reason.data}, actor=current_user,
                   membership=active_membership()):
            flash(_("The code of %(name)s is accepted and the organisation is verified.", name=name), "success")
            return redirect(url_for("accounts.review_queue"))
    return _review_page(org, forms.DecisionForm(prefix="d"), form, 422)


# Members of my organisation -----------------------------------------------------------------------


def _my_admin_membership() -> Membership:
    membership = active_membership()
    require(membership is not None and membership.is_admin, "not_organisation_admin")
    return membership


MEMBER_ROLES = roles(Role.TENDERER, Role.AGENCY, Role.FIRM, Role.SUPERVISOR, Role.OPERATOR)


@bp.route("/organisation/members", methods=["GET", "POST"])
@access(MEMBER_ROLES)
def members():
    mine = _my_admin_membership()
    org = mine.organisation
    form = forms.MemberForm()
    if form.validate_on_submit():
        added = attempt(form, ops.add_member, org,
                        {"name": form.name.data, "email": form.email.data, "role": form.role.data}, actor=current_user)
        if added:
            _membership, created = added.value
            if created:
                flash(_("%(email)s is added. We have sent them a mail that tells them how to choose a password.", email=form.email.data), "success")
            else:
                flash(_("%(email)s already had an account and now also has a role in %(org)s.", email=form.email.data, org=org.name), "success")
            return redirect(url_for("accounts.members"))
    people = sorted((m for m in org.memberships if m.active), key=lambda m: (m.role.value, m.user.name))
    return render_template(
        "accounts/members.html", org=org, people=people, form=form, remove_form=forms.RemoveMemberForm(),
        role_labels=forms.MEMBER_ROLE_LABELS, specialties=forms.SPECIALTIES,
    )


@bp.post("/organisation/members/<int:membership_id>/remove")
@access(MEMBER_ROLES)
def remove_member(membership_id: int):
    mine = _my_admin_membership()
    target = db.session.get(Membership, membership_id)
    if target is None or target.organisation_id != mine.organisation_id or not target.active:
        abort(404)
    form = forms.RemoveMemberForm()
    if not form.validate_on_submit():
        abort(400)
    name = target.user.name
    removed = attempt(form, ops.deactivate_member, target, actor=current_user)
    if removed:
        flash(_("%(name)s no longer has this role.", name=name), "success")
    else:
        flash(removed.error.message, "error")
    return redirect(url_for("accounts.members"))


# The city expert pool -----------------------------------------------------------------------------


@bp.route("/experts", methods=["GET", "POST"])
@access(roles(Role.SUPERVISOR))
def experts():
    membership = active_membership()
    require(membership.organisation.kind == OrgKind.CITY_BUREAU, "city_bureau_only")
    city = membership.organisation
    form = forms.ExpertForm()
    if form.validate_on_submit():
        data = {k: form[k].data for k in ("name", "email", "phone", "specialty")}
        if attempt(form, ops.create_expert, city, data, actor=current_user):
            flash(_("%(name)s is added to the expert pool.", name=form.name.data), "success")
            return redirect(url_for("accounts.experts"))
    pool = db.session.scalars(
        db.select(Membership).where(Membership.organisation_id == city.id, Membership.role == MemberRole.EXPERT, Membership.active)
    ).all()
    pool.sort(key=lambda m: (m.specialty or "", m.user.name))
    return render_template("accounts/experts.html", form=form, pool=pool, specialties=forms.SPECIALTIES)
