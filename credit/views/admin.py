"""Administration of the registry's rules: the conduct catalogue."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.accounts.models import OrgKind, Role
from core.authz import access, roles
from core.db import db
from core.requests import attempt
from credit.forms import ItemForm
from credit.models import CatalogueVersion, ConductItem, ConductKind, Severity, SubjectKind
from credit.operations import activate_version, add_item, draft_version, update_item, version_actions
from credit.views import bp
from credit.views.desk import submitted

# The registry's rules are the city bureau's and the operators', not a district bureau's.
ADMIN = roles(Role.SUPERVISOR, Role.OPERATOR, org_kinds=(OrgKind.CITY_BUREAU, OrgKind.OPERATOR))


class _Errors:
    """Where a refusal of a button without fields is shown: at the top of the page."""

    def __init__(self):
        self.form_errors: list[str] = []


def _catalogue_page(errors=None, status: int = 200):
    versions = db.session.scalars(sa.select(CatalogueVersion).order_by(CatalogueVersion.number.desc())).all()
    return render_template("credit/admin/catalogue.html", versions=versions, errors=errors or _Errors()), status


@bp.get("/admin/catalogue")
@access(ADMIN)
def catalogue():
    return _catalogue_page()


@bp.post("/admin/catalogue/drafts")
@access(ADMIN)
def catalogue_draft():
    errors = _Errors()
    done = attempt(errors, draft_version, {"label": (request.form.get("label") or "").strip()[:200] or None},
                   actor=current_user)
    if done:
        return redirect(url_for("credit.catalogue_version", version_id=done.value.id))
    return _catalogue_page(errors, status=409)


def _version_page(version, errors=None, status: int = 200):
    return render_template("credit/admin/version.html", version=version, actions=version_actions(version),
                           errors=errors or _Errors()), status


@bp.get("/admin/catalogue/<int:version_id>")
@access(ADMIN)
def catalogue_version(version_id: int):
    return _version_page(db.session.get(CatalogueVersion, version_id) or abort(404))


@bp.post("/admin/catalogue/<int:version_id>/activation")
@access(ADMIN)
def catalogue_activate(version_id: int):
    version = db.session.get(CatalogueVersion, version_id) or abort(404)
    errors = _Errors()
    if attempt(errors, activate_version, version, actor=current_user):
        flash(_("Version %(n)s is now the active catalogue.", n=version.number), "success")
        return redirect(url_for("credit.catalogue_version", version_id=version_id))
    return _version_page(db.session.get(CatalogueVersion, version_id), errors, status=409)


def _item_data(form: ItemForm) -> dict:
    return {
        "code": form.code.data.strip(), "subject_kind": SubjectKind(form.subject_kind.data), "kind": ConductKind(form.kind.data),
        "severity": Severity(form.severity.data), "points": form.points.data, "title_zh": form.title_zh.data,
        "title_en": form.title_en.data, "description": form.description.data or None, "basis": form.basis.data or None,
        "publication_months": form.publication_months.data, "correction_after_months": form.correction_after_months.data,
        "is_example": form.is_example.data == "1",
    }


@bp.route("/admin/items/<int:item_id>", methods=["GET", "POST"])
@access(ADMIN)
def catalogue_item(item_id: int):
    item = db.session.get(ConductItem, item_id) or abort(404)
    values = {f: getattr(getattr(item, f), "value", getattr(item, f)) for f in ItemForm().data if f != "csrf_token"}
    values["is_example"] = "1" if item.is_example else "0"
    form = ItemForm(data=values)
    if request.method == "POST" and submitted(form, lambda: update_item(item, _item_data(form), actor=current_user),
                                              message=_("Saved.")):
        return redirect(url_for("credit.catalogue_version", version_id=item.version_id))
    item = db.session.get(ConductItem, item_id)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("credit/admin/item.html", form=form, item=item, version=item.version), status


@bp.route("/admin/catalogue/<int:version_id>/items/new", methods=["GET", "POST"])
@access(ADMIN)
def catalogue_item_new(version_id: int):
    version = db.session.get(CatalogueVersion, version_id) or abort(404)
    form = ItemForm(data={"is_example": "0", "correction_after_months": 0})
    if request.method == "POST" and submitted(form, lambda: add_item(version, _item_data(form), actor=current_user),
                                              message=_("Saved.")):
        return redirect(url_for("credit.catalogue_version", version_id=version_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("credit/admin/item.html", form=form, item=None,
                           version=db.session.get(CatalogueVersion, version_id)), status
