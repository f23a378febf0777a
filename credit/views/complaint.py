"""The public complaint form, one question per page, then check answers, confirmation and tracking."""

from __future__ import annotations

import secrets
from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from core.accounts.models import District
from core.authz import PUBLIC, access
from core.db import db
from core.requests import attempt
from core.web import body_limit
from credit import ratelimit
from credit.forms import (
    ComplaintContactForm,
    ComplaintDetailsForm,
    ComplaintEvidenceForm,
    ComplaintFirmForm,
    ComplaintPlaceForm,
    TrackForm,
)
from credit.models import Complaint, ComplaintAttachment
from credit.operations.complaints import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    draft_answers,
    normalise_tracking,
    complaint_progress,
    remove_attachment,
    save_draft,
    store_attachment,
    submit_complaint,
)
from credit.views import bp

TOKEN = "credit_complaint_token"
STEPS = ("complaint_firm", "complaint_place", "complaint_details", "complaint_evidence", "complaint_contact",
         "complaint_check")


def answers() -> dict:
    return draft_answers(session.get(TOKEN))


def save(values: dict) -> None:
    save_draft(draft_token(), values)
    session.modified = True  # sign the cookie again: the draft token lives as long as the visitor works


def draft_token() -> str:
    if TOKEN not in session:
        session[TOKEN] = secrets.token_urlsafe(24)
    return session[TOKEN]


def next_step(current: str) -> str:
    """After a change from the check page, go back there; otherwise to the next question."""
    if request.args.get("change"):
        return url_for("credit.complaint_check")
    return url_for("credit." + STEPS[STEPS.index(current) + 1])


def district_choices():
    english = str(get_locale()).startswith("en")
    return [("", _("Select the district"))] + [
        (d.code, d.name_en if english else d.name_zh) for d in db.session.scalars(sa.select(District).order_by(District.code))
    ]


def _question(endpoint: str, form, template: str, **context):
    if form.validate_on_submit():
        save({k: (v.isoformat() if isinstance(v, date) else v) for k, v in form.data.items() if k != "csrf_token"})
        return redirect(next_step(endpoint))
    return render_template(template, form=form, step=STEPS.index(endpoint) + 1, steps=len(STEPS) - 1, **context)


@bp.get("/complaint")
@access(PUBLIC)
def complaint_start():
    return render_template("credit/complaint/start.html")


@bp.route("/complaint/firm", methods=["GET", "POST"])
@access(PUBLIC)
def complaint_firm():
    return _question("complaint_firm", ComplaintFirmForm(data=answers()), "credit/complaint/firm.html")


@bp.route("/complaint/place", methods=["GET", "POST"])
@access(PUBLIC)
def complaint_place():
    form = ComplaintPlaceForm(data=answers())
    form.district_code.choices = district_choices()
    return _question("complaint_place", form, "credit/complaint/place.html")


@bp.route("/complaint/details", methods=["GET", "POST"])
@access(PUBLIC)
def complaint_details():
    data = dict(answers())
    if data.get("occurred_on"):
        data["occurred_on"] = date.fromisoformat(data["occurred_on"])
    return _question("complaint_details", ComplaintDetailsForm(data=data), "credit/complaint/details.html")


def _uploads():
    return list(db.session.scalars(
        sa.select(ComplaintAttachment).where(ComplaintAttachment.draft_token == draft_token(),
                                             ComplaintAttachment.complaint_id.is_(None)).order_by(ComplaintAttachment.id)
    ))


@bp.route("/complaint/evidence", methods=["GET", "POST"])
@access(PUBLIC)
@body_limit(MAX_ATTACHMENT_BYTES + 64 * 1024)  # one file and the form fields
def complaint_evidence():
    if request.method == "POST":
        ratelimit.enforce("complaint_upload", current_app.config["CREDIT_UPLOADS_PER_MINUTE"])
    form = ComplaintEvidenceForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        if request.form.get("action") == "upload":
            if upload is None or not upload.filename:
                form.file.errors.append(_("Select a file to add."))
            elif attempt(form, store_attachment, draft_token(), upload.filename, upload.read(MAX_ATTACHMENT_BYTES + 1)):
                return redirect(request.full_path)
        elif request.form.get("remove"):
            remove_attachment(draft_token(), request.form["remove"])
            return redirect(request.full_path)
        else:
            return redirect(next_step("complaint_evidence"))
    return render_template("credit/complaint/evidence.html", form=form, uploads=_uploads(), max_files=MAX_ATTACHMENTS,
                           step=4, steps=len(STEPS) - 1)



@bp.route("/complaint/contact", methods=["GET", "POST"])
@access(PUBLIC)
def complaint_contact():
    return _question("complaint_contact", ComplaintContactForm(data=answers()), "credit/complaint/contact.html")


REQUIRED = ("firm_name", "community", "district_code", "description", "complainant_kind", "complainant_name")


@bp.route("/complaint/check", methods=["GET", "POST"])
@access(PUBLIC)
def complaint_check():
    data = answers()
    missing = [k for k in REQUIRED if not data.get(k)]
    if missing:
        first = {"firm_name": "complaint_firm", "community": "complaint_place", "district_code": "complaint_place",
                 "description": "complaint_details"}.get(missing[0], "complaint_contact")
        return redirect(url_for("credit." + first))
    if request.method == "POST":
        from flask_wtf.csrf import validate_csrf

        validate_csrf(request.form.get("csrf_token"))
        ratelimit.enforce("complaint")
        values = dict(data)
        values["occurred_on"] = date.fromisoformat(data["occurred_on"]) if data.get("occurred_on") else None
        complaint = submit_complaint(values, draft_token=session.get(TOKEN))
        session.pop(TOKEN, None)
        session["credit_complaint_done"] = complaint.tracking_number
        return redirect(url_for("credit.complaint_done"))
    district = db.session.get(District, data["district_code"])
    return render_template("credit/complaint/check.html", a=data, district=district, uploads=_uploads())


@bp.get("/complaint/done")
@access(PUBLIC)
def complaint_done():
    number = session.get("credit_complaint_done")
    if not number:
        return redirect(url_for("credit.complaint_start"))
    return render_template("credit/complaint/done.html", tracking_number=number)


@bp.get("/complaint/track")
@access(PUBLIC)
def complaint_track():
    form = TrackForm(request.args)
    complaint = None
    searched = bool(request.args.get("tracking_number"))
    if searched and form.validate():
        ratelimit.enforce("track")
        complaint = db.session.scalars(
            sa.select(Complaint).where(Complaint.tracking_number == normalise_tracking(form.tracking_number.data))
        ).first()
    return render_template("credit/complaint/track.html", form=form, complaint=complaint, searched=searched,
                           progress=complaint_progress(complaint) if complaint else [])


@bp.get("/complaint/attachments/<int:attachment_id>")
@access(PUBLIC)
def complaint_upload_preview(attachment_id: int):
    """A complainant may open only the files of the complaint they are filling in."""
    attachment = db.session.get(ComplaintAttachment, attachment_id)
    if attachment is None or attachment.complaint_id is not None or attachment.draft_token != session.get(TOKEN):
        abort(404)
    return _send(attachment)


def _send(attachment: ComplaintAttachment):
    from flask import Response

    response = Response(attachment.data, mimetype=attachment.content_type)
    response.headers["Content-Disposition"] = f"attachment; filename=evidence-{attachment.id}{_ext(attachment)}"
    response.headers["Cache-Control"] = "no-store"
    return response


def _ext(attachment: ComplaintAttachment) -> str:
    return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[attachment.content_type]
