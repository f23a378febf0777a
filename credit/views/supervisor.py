"""The supervisor's desk: complaint intake by district, record files, decisions, objections, statistics."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.accounts.models import District, Role
from core.audit.models import AuditEvent
from core.authz import access, roles
from core.db import DomainError, db, utcnow
from credit import pii, search
from credit.access import may_see_national_id, require_district, supervisor_district
from credit.forms import CloseComplaintForm, CorrectionDecisionForm, DecisionForm, OpenRecordForm
from credit.models import (
    Complaint,
    ComplaintAttachment,
    ComplaintStatus,
    ConductItem,
    Correction,
    CreditRecord,
    Decision,
    ProjectManager,
    RecordSource,
    RecordStatus,
)
from credit.operations import (
    close_complaint,
    decide_correction,
    decide_record,
    notify_record,
    open_record,
    publish_record,
)
from credit.operations.catalogue import active_version
from credit.operations.complaints import mark_record_opened
from credit.views import bp
from credit.views.complaint import _send, district_choices

SUPERVISOR = roles(Role.SUPERVISOR)


def _district_filter(column):
    """Limit a query to the supervisor's district; the city bureau may pick one with ?district=."""
    own = supervisor_district()
    chosen = own or request.args.get("district") or None
    return (column == chosen) if chosen else sa.true(), chosen


def _item_choices():
    return [(i.id, f"{i.code} · {i.title(str(_locale()))} ({i.points})" + (" · " + _("example") if i.is_example else ""))
            for i in active_version().items]


def _locale():
    from flask_babel import get_locale

    return get_locale()


@bp.get("/desk/intake")
@access(SUPERVISOR)
def intake():
    where, chosen = _district_filter(Complaint.district_code)
    status = request.args.get("status", "received")
    query = sa.select(Complaint).where(where).order_by(Complaint.created_at)
    if status in ComplaintStatus._value2member_map_:
        query = query.where(Complaint.status == ComplaintStatus(status))
    complaints = db.session.scalars(query.limit(200)).all()
    return render_template("credit/desk/intake.html", complaints=complaints, status=status, chosen=chosen,
                           districts=district_choices(), city=supervisor_district() is None)


def _load_complaint(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id) or abort(404)
    require_district(complaint.district_code)
    return complaint


def _resolve_subject(text: str):
    kind, value = search.classify(text)
    subject = search.firm_by_uscc(value) if kind == "uscc" else (
        search.manager_by_certificate(value) if kind == "certificate" else None)
    if subject is None:
        raise DomainError(_("No firm or project manager in the registry has this code."), code="subject", field="subject")
    return subject


def _open_from_form(form: OpenRecordForm, source: RecordSource, complaint: Complaint | None = None):
    item = db.session.get(ConductItem, form.item_id.data)
    subject = _resolve_subject(form.subject.data)
    record = open_record(subject, {
        "item": item, "source": source, "facts": form.facts.data, "occurred_on": form.occurred_on.data,
        "district_code": form.district_code.data, "complaint_id": complaint.id if complaint else None,
        "source_ref": complaint.tracking_number if complaint else None,
    }, actor=current_user)
    if complaint is not None:
        mark_record_opened(complaint, actor=current_user)
    return record


def _record_form(district_code: str | None = None, **data) -> OpenRecordForm:
    form = OpenRecordForm(data=data)
    form.item_id.choices = _item_choices()
    form.district_code.choices = [c for c in district_choices() if c[0]]
    own = supervisor_district()
    if own:
        form.district_code.choices = [c for c in form.district_code.choices if c[0] == own]
    if not form.district_code.data:
        form.district_code.data = district_code or own
    return form


def _try(form, action):
    """Run an operation for a form; a refused rule becomes the field's message and nothing is kept."""
    try:
        result = action()
        db.session.commit()
        return result
    except DomainError as exc:
        db.session.rollback()
        target = getattr(form, exc.field, None) if exc.field else None
        if target is not None:
            target.errors = list(target.errors) + [exc.message]
        else:
            form.form_errors.append(exc.message)
        return None


@bp.route("/desk/complaints/<int:complaint_id>", methods=["GET", "POST"])
@access(SUPERVISOR)
def complaint_review(complaint_id: int):
    complaint = _load_complaint(complaint_id)
    subject_hint = complaint.subject.uscc if complaint.subject else (complaint.firm_uscc or "")
    record_form = _record_form(complaint.district_code, subject=subject_hint, occurred_on=complaint.occurred_on,
                               facts=complaint.description)
    close_form = CloseComplaintForm(prefix="close")
    if request.method == "POST":
        if complaint.status != ComplaintStatus.RECEIVED:
            raise DomainError(_("This complaint has already been handled."), code="complaint_handled")
        if request.form.get("action") == "close" and close_form.validate_on_submit():
            if _try(close_form, lambda: close_complaint(complaint, {"reason": close_form.reason.data}, actor=current_user)):
                flash(_("The complaint was closed and the complainant can see the reason."), "success")
                return redirect(url_for("credit.intake"))
        elif request.form.get("action") == "open" and record_form.validate_on_submit():
            record = _try(record_form, lambda: _open_from_form(record_form, RecordSource.COMPLAINT, complaint))
            if record:
                flash(_("Draft record %(ref)s opened.", ref=record.reference), "success")
                return redirect(url_for("credit.record_file", record_id=record.id))
    return render_template("credit/desk/complaint.html", complaint=complaint, form=record_form, close_form=close_form)


@bp.get("/desk/complaints/<int:complaint_id>/files/<int:attachment_id>")
@access(SUPERVISOR)
def complaint_file(complaint_id: int, attachment_id: int):
    complaint = _load_complaint(complaint_id)
    attachment = db.session.get(ComplaintAttachment, attachment_id)
    if attachment is None or attachment.complaint_id != complaint.id:
        abort(404)
    return _send(attachment)


@bp.get("/desk/records")
@access(SUPERVISOR)
def records():
    where, chosen = _district_filter(CreditRecord.district_code)
    status = request.args.get("status", "")
    query = sa.select(CreditRecord).where(where).order_by(CreditRecord.updated_at.desc())
    if status in RecordStatus._value2member_map_:
        query = query.where(CreditRecord.status == RecordStatus(status))
    rows = db.session.scalars(query.limit(200)).all()
    return render_template("credit/desk/records.html", records=rows, status=status, chosen=chosen,
                           districts=district_choices(), city=supervisor_district() is None)


@bp.route("/desk/records/new", methods=["GET", "POST"])
@access(SUPERVISOR)
def record_new():
    form = _record_form()
    if form.validate_on_submit():
        require_district(form.district_code.data)
        record = _try(form, lambda: _open_from_form(form, RecordSource.INSPECTION))
        if record:
            flash(_("Draft record %(ref)s opened.", ref=record.reference), "success")
            return redirect(url_for("credit.record_file", record_id=record.id))
    return render_template("credit/desk/record_new.html", form=form)


def _load_record(record_id: int) -> CreditRecord:
    record = db.session.get(CreditRecord, record_id) or abort(404)
    require_district(record.district_code)
    return record


def record_timeline(record: CreditRecord) -> list[AuditEvent]:
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.subject_type == "credit_record", AuditEvent.subject_id == str(record.id))
        .order_by(AuditEvent.seq)
    ))


@bp.route("/desk/records/<int:record_id>", methods=["GET", "POST"])
@access(SUPERVISOR)
def record_file(record_id: int):
    record = _load_record(record_id)
    decision_form = DecisionForm(prefix="decide")
    correction = next((c for c in record.corrections if c.outcome is None), None)
    correction_form = CorrectionDecisionForm(prefix="correction")
    action = request.form.get("action")
    if request.method == "POST":
        done = None
        if action == "notify":
            from flask_wtf.csrf import validate_csrf

            validate_csrf(request.form.get("csrf_token"))
            done = _try(decision_form, lambda: notify_record(record, actor=current_user))
        elif action == "publish":
            from flask_wtf.csrf import validate_csrf

            validate_csrf(request.form.get("csrf_token"))
            done = _try(decision_form, lambda: publish_record(record, actor=current_user))
        elif action == "decide" and decision_form.validate_on_submit():
            data = {"decision": Decision(decision_form.decision.data), "reasons": decision_form.reasons.data,
                    "points": decision_form.points.data,
                    "objection_outcome": decision_form.objection_outcome.data or None,
                    "objection_answer": decision_form.objection_answer.data}
            done = _try(decision_form, lambda: decide_record(record, data, actor=current_user))
        elif action == "correction" and correction is not None and correction_form.validate_on_submit():
            data = {"outcome": correction_form.outcome.data, "reasons": correction_form.reasons.data}
            done = _try(correction_form, lambda: decide_correction(correction, data, actor=current_user))
        if done is not None:
            flash(_("Saved."), "success")
            return redirect(url_for("credit.record_file", record_id=record.id))
    return render_template("credit/desk/record.html", record=record, form=decision_form, correction=correction,
                           correction_form=correction_form, timeline=record_timeline(record), now=utcnow())


@bp.get("/desk/managers/<int:manager_id>")
@access(SUPERVISOR)
def manager_private(manager_id: int):
    """The supervisor's view of a project manager, the only page that shows the national ID."""
    manager = db.session.get(ProjectManager, manager_id) or abort(404)
    withheld = bool(manager.national_id_enc) and not may_see_national_id(manager)
    national_id = None
    if manager.national_id_enc and not withheld:
        national_id = pii.decrypt_id(manager.national_id_enc, manager.certificate_no)
    from core.audit.operations import record_event

    if national_id:
        record_event("credit.national_id_viewed", manager, actor=current_user, details={"certificate_no": manager.certificate_no})
        db.session.commit()
    records_ = db.session.scalars(sa.select(CreditRecord).where(CreditRecord.manager_id == manager.id)
                                  .order_by(CreditRecord.id.desc())).all()
    return render_template("credit/desk/manager.html", manager=manager, national_id=national_id, withheld=withheld,
                           records=records_)


@bp.get("/desk/statistics")
@access(SUPERVISOR)
def statistics():
    where, chosen = _district_filter(CreditRecord.district_code)
    by_district = db.session.execute(
        sa.select(CreditRecord.district_code, CreditRecord.status, sa.func.count())
        .where(where).group_by(CreditRecord.district_code, CreditRecord.status)
    ).all()
    table: dict[str, dict[str, int]] = {}
    for code, status, count in by_district:
        table.setdefault(code, {})[status.value] = count
    by_item = db.session.execute(
        sa.select(ConductItem.code, ConductItem.title_zh, ConductItem.title_en, sa.func.count())
        .join(CreditRecord, CreditRecord.item_id == ConductItem.id)
        .where(where, CreditRecord.status.in_((RecordStatus.PUBLISHED, RecordStatus.DECIDED, RecordStatus.CORRECTED)))
        .group_by(ConductItem.code, ConductItem.title_zh, ConductItem.title_en).order_by(sa.func.count().desc())
    ).all()
    complaints = db.session.execute(
        sa.select(Complaint.district_code, Complaint.status, sa.func.count())
        .where(_district_filter(Complaint.district_code)[0]).group_by(Complaint.district_code, Complaint.status)
    ).all()
    ctable: dict[str, dict[str, int]] = {}
    for code, status, count in complaints:
        ctable.setdefault(code, {})[status.value] = count
    districts = {d.code: d for d in db.session.scalars(sa.select(District))}
    peak = max((row[3] for row in by_item), default=1)
    return render_template("credit/desk/statistics.html", table=table, ctable=ctable, by_item=by_item,
                           districts=districts, statuses=[s.value for s in RecordStatus], peak=peak, chosen=chosen)


__all__ = ["Correction"]
