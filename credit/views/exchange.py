"""The bureau's export log and bulk import pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.accounts.models import Role
from core.authz import access, require, roles
from core.db import DomainError, db
from core.web import body_limit
from credit.access import is_administrator, supervisor_district
from credit.forms import ImportForm
from credit.models import ExchangeBatch, ImportRun
from credit.operations.exchange import cursor, import_records
from credit.views import bp

SUPERVISOR = roles(Role.SUPERVISOR)
MAX_IMPORT_BYTES = 10 * 1024 * 1024


@bp.route("/desk/exchange", methods=["GET", "POST"])
@access(SUPERVISOR)
@body_limit(MAX_IMPORT_BYTES + 64 * 1024)
def exchange_log():
    city = is_administrator()  # the city bureau or an operator; otherwise a district bureau
    form = ImportForm()
    if request.method == "POST" and request.form.get("action") == "push":
        from flask_wtf.csrf import validate_csrf

        from credit.tasks import enqueue_push

        validate_csrf(request.form.get("csrf_token"))
        require(city, "administrator")
        enqueue_push()
        flash(_("The export job was queued."), "success")
        return redirect(url_for("credit.exchange_log"))
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors.append(_("Select a CSV file."))
        else:
            data = upload.read(MAX_IMPORT_BYTES + 1)
            if len(data) > MAX_IMPORT_BYTES:
                form.file.errors.append(_("The file must be smaller than 10 MB."))
            else:
                try:
                    run = import_records(upload.filename, data, actor=current_user,
                                         district=None if city else supervisor_district(), decisions=city)
                    db.session.commit()
                    return redirect(url_for("credit.import_report", run_id=run.id))
                except DomainError as exc:
                    db.session.rollback()
                    form.file.errors.append(exc.message)
    batches = db.session.scalars(sa.select(ExchangeBatch).order_by(ExchangeBatch.id.desc()).limit(100)).all()
    runs = sa.select(ImportRun).order_by(ImportRun.id.desc()).limit(20)
    if not city:
        runs = runs.where(ImportRun.created_by_id == current_user.id)
    return render_template("credit/desk/exchange.html", batches=batches, runs=db.session.scalars(runs).all(), form=form,
                           cursor=cursor(), may_push=city)


@bp.get("/desk/imports/<int:run_id>")
@access(SUPERVISOR)
def import_report(run_id: int):
    run = db.session.get(ImportRun, run_id) or abort(404)
    if not is_administrator() and run.created_by_id != current_user.id:
        abort(404)
    return render_template("credit/desk/import_report.html", run=run)
