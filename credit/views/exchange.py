"""The bureau's export log and bulk import pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.authz import access, require
from core.db import db
from core.requests import attempt
from core.web import body_limit
from credit.access import is_administrator, supervisor_district
from credit.forms import ImportForm
from credit.models import ExchangeBatch, ImportRun
from credit.operations.exchange import cursor
from credit.operations.imports import import_records
from credit.views import bp
from credit.views.desk import SUPERVISOR, paginate

MAX_IMPORT_BYTES = 10 * 1024 * 1024


def _page(form=None, status: int = 200):
    city = is_administrator()  # the city bureau or an operator; otherwise a district bureau
    runs = sa.select(ImportRun).order_by(ImportRun.id.desc()).limit(20)
    if not city:
        runs = runs.where(ImportRun.created_by_id == current_user.id)
    pager = paginate(sa.select(ExchangeBatch).order_by(ExchangeBatch.id.desc()))
    return render_template("credit/desk/exchange.html", pager=pager, runs=db.session.scalars(runs).all(),
                           form=form or ImportForm(), cursor=cursor(), may_push=city), status


@bp.get("/desk/exchange")
@access(SUPERVISOR)
def exchange_log():
    return _page()


@bp.post("/desk/exchange/push")
@access(SUPERVISOR)
def exchange_push():
    from credit.tasks import enqueue_push

    require(is_administrator(), "administrator")
    enqueue_push()
    flash(_("The export job was queued."), "success")
    return redirect(url_for("credit.exchange_log"))


@bp.post("/desk/exchange/import")
@access(SUPERVISOR)
@body_limit(MAX_IMPORT_BYTES + 64 * 1024)
def exchange_import():
    form = ImportForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        data = upload.read(MAX_IMPORT_BYTES + 1) if upload is not None and upload.filename else None
        if data is None:
            form.file.errors.append(_("Select a CSV file."))
        elif len(data) > MAX_IMPORT_BYTES:
            form.file.errors.append(_("The file must be smaller than 10 MB."))
        else:
            city = is_administrator()
            done = attempt(form, import_records, upload.filename, data, actor=current_user,
                           district=None if city else supervisor_district(), decisions=city)
            if done:
                return redirect(url_for("credit.import_report", run_id=done.value.id))
    return _page(form, status=422)


@bp.get("/desk/imports/<int:run_id>")
@access(SUPERVISOR)
def import_report(run_id: int):
    run = db.session.get(ImportRun, run_id) or abort(404)
    if not is_administrator() and run.created_by_id != current_user.id:
        abort(404)
    return render_template("credit/desk/import_report.html", run=run)
