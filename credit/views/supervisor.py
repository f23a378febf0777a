"""The supervisor's desk: complaint intake by district, record files and each due-process step, the
project manager's file, statistics."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from core import clock
from core.accounts.models import District
from core.audit.models import AuditEvent
from core.audit.operations import record_event
from core.authz import access
from core.db import DomainError, db
from core.requests import attempt
from credit import pii, search
from credit.access import may_see_national_id, require_district, supervisor_district
from credit.forms import CloseComplaintForm, CorrectionDecisionForm, DecisionForm, OpenRecordForm
from credit.labels import timeline_label
from credit.models import (
    Complaint,
    ComplaintAttachment,
    ComplaintStatus,
    ConductItem,
    CreditRecord,
    Decision,
    ProjectManager,
    RecordSource,
    RecordStatus,
)
from credit.operations import (
    BUREAU_ACTIONS,
    allowed_actions,
    close_complaint,
    complaint_actions,
    decide_correction,
    decide_record,
    due_process_steps,
    notify_record,
    open_record,
    pending_correction,
    publish_record,
)
from credit.operations.catalogue import active_version
from credit.operations.complaints import mark_record_opened, require_complaint_action
from credit.views import bp
from credit.views.complaint import _send, district_choices
from credit.views.desk import SUPERVISOR, district_filter, load_complaint, load_record, paginate, submitted


def _item_choices():
    locale = str(get_locale())
    return [(i.id, f"{i.code} · {i.title(locale)} ({i.points})" + (" · " + _("example") if i.is_example else ""))
            for i in active_version().items]


@bp.get("/desk/intake")
@access(SUPERVISOR)
def intake():
    where, chosen = district_filter(Complaint.district_code)
    status = request.args.get("status", "received")
    query = sa.select(Complaint).where(where).order_by(Complaint.created_at)
    if status in ComplaintStatus._value2member_map_:
        query = query.where(Complaint.status == ComplaintStatus(status))
    return render_template("credit/desk/intake.html", pager=paginate(query), status=status, chosen=chosen,
                           districts=district_choices(), city=supervisor_district() is None)


def _resolve_subject(text: str):
    kind, value = search.classify(text)
    subject = search.firm_by_uscc(value) if kind == "uscc" else (
        search.manager_by_certificate(value) if kind == "certificate" else None)
    if subject is None:
        raise DomainError(_("No firm, agency or project manager in the registry has this code."), code="subject",
                          field="subject")
    return subject


def _open_from_form(form: OpenRecordForm, source: RecordSource, complaint: Complaint | None = None):
    require_district(form.district_code.data)
    if complaint is not None:
        require_complaint_action(complaint, "open_record")
    item = db.session.get(ConductItem, form.item_id.data)
    if item is None:
        raise DomainError(_("Select the conduct item."), code="item", field="item_id")
    record = open_record(_resolve_subject(form.subject.data), {
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


def _complaint_page(complaint: Complaint, record_form=None, close_form=None, status: int = 200):
    if record_form is None:
        subject_hint = complaint.subject.uscc if complaint.subject else (complaint.firm_uscc or "")
        record_form = _record_form(complaint.district_code, subject=subject_hint, occurred_on=complaint.occurred_on,
                                   facts=complaint.description)
    return render_template("credit/desk/complaint.html", complaint=complaint, form=record_form,
                           close_form=close_form or CloseComplaintForm(prefix="close"),
                           actions=complaint_actions(complaint)), status


@bp.get("/desk/complaints/<int:complaint_id>")
@access(SUPERVISOR)
def complaint_review(complaint_id: int):
    return _complaint_page(load_complaint(complaint_id))


@bp.post("/desk/complaints/<int:complaint_id>/record")
@access(SUPERVISOR)
def complaint_open_record(complaint_id: int):
    complaint = load_complaint(complaint_id)
    form = _record_form(complaint.district_code)
    if form.validate_on_submit():
        done = attempt(form, _open_from_form, form, RecordSource.COMPLAINT, complaint)
        if done:
            flash(_("Draft record %(ref)s opened.", ref=done.value.reference), "success")
            return redirect(url_for("credit.record_file", record_id=done.value.id))
    return _complaint_page(db.session.get(Complaint, complaint_id), record_form=form, status=422)


@bp.post("/desk/complaints/<int:complaint_id>/close")
@access(SUPERVISOR)
def complaint_close(complaint_id: int):
    complaint = load_complaint(complaint_id)
    form = CloseComplaintForm(prefix="close")
    if submitted(form, close_complaint, complaint, {"reason": form.reason.data}, actor=current_user,
                 message=_("The complaint was closed and the complainant can see the reason.")):
        return redirect(url_for("credit.intake"))
    return _complaint_page(db.session.get(Complaint, complaint_id), close_form=form, status=422)


@bp.get("/desk/complaints/<int:complaint_id>/files/<int:attachment_id>")
@access(SUPERVISOR)
def complaint_file(complaint_id: int, attachment_id: int):
    complaint = load_complaint(complaint_id)
    attachment = db.session.get(ComplaintAttachment, attachment_id)
    if attachment is None or attachment.complaint_id != complaint.id:
        abort(404)
    return _send(attachment)


@bp.get("/desk/records")
@access(SUPERVISOR)
def records():
    where, chosen = district_filter(CreditRecord.district_code)
    status = request.args.get("status", "")
    query = sa.select(CreditRecord).where(where).order_by(CreditRecord.updated_at.desc(), CreditRecord.id.desc())
    if status in RecordStatus._value2member_map_:
        query = query.where(CreditRecord.status == RecordStatus(status))
    return render_template("credit/desk/records.html", pager=paginate(query), status=status, chosen=chosen,
                           districts=district_choices(), city=supervisor_district() is None)


@bp.route("/desk/records/new", methods=["GET", "POST"])
@access(SUPERVISOR)
def record_new():
    form = _record_form()
    if form.validate_on_submit():
        done = attempt(form, _open_from_form, form, RecordSource.INSPECTION)
        if done:
            flash(_("Draft record %(ref)s opened.", ref=done.value.reference), "success")
            return redirect(url_for("credit.record_file", record_id=done.value.id))
    return render_template("credit/desk/record_new.html", form=form), 422 if form.errors or form.form_errors else 200


def record_timeline(record: CreditRecord) -> list[tuple[AuditEvent, str]]:
    """The record's history from the audit chain, each step named in the reader's language."""
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.subject_type == "credit_record", AuditEvent.subject_id == str(record.id))
        .order_by(AuditEvent.seq)
    )
    return [(e, timeline_label(e.action)) for e in events]


def _record_page(record: CreditRecord, *, decision_form=None, correction_form=None, status: int = 200):
    now = clock.now()
    return render_template(
        "credit/desk/record.html", record=record, form=decision_form or DecisionForm(prefix="decide"),
        correction=pending_correction(record), correction_form=correction_form or CorrectionDecisionForm(prefix="correction"),
        timeline=record_timeline(record), now=now, actions=allowed_actions(record, now) & BUREAU_ACTIONS,
        steps=due_process_steps(record, now)), status


def _after_step(done, record_id: int, **forms):
    if done:
        return redirect(url_for("credit.record_file", record_id=record_id))
    return _record_page(load_record(record_id), status=422, **forms)


@bp.get("/desk/records/<int:record_id>")
@access(SUPERVISOR)
def record_file(record_id: int):
    return _record_page(load_record(record_id))


def _button_step(record_id: int, operation):
    """A step taken by a button alone (no fields but the form token): run it, or show why not."""
    form = DecisionForm(prefix="decide")
    done = attempt(form, operation, load_record(record_id), actor=current_user)
    if done:
        flash(_("Saved."), "success")
    return _after_step(done, record_id, decision_form=form)


@bp.post("/desk/records/<int:record_id>/notify")
@access(SUPERVISOR)
def record_notify(record_id: int):
    return _button_step(record_id, notify_record)


@bp.post("/desk/records/<int:record_id>/decision")
@access(SUPERVISOR)
def record_decide(record_id: int):
    record = load_record(record_id)
    form = DecisionForm(prefix="decide")
    data = {"decision": Decision(form.decision.data) if form.decision.data in Decision._value2member_map_ else None,
            "reasons": form.reasons.data, "points": form.points.data,
            "objection_outcome": form.objection_outcome.data or None, "objection_answer": form.objection_answer.data}
    return _after_step(submitted(form, decide_record, record, data, actor=current_user, message=_("Saved.")), record_id,
                       decision_form=form)


@bp.post("/desk/records/<int:record_id>/publication")
@access(SUPERVISOR)
def record_publish(record_id: int):
    return _button_step(record_id, publish_record)


@bp.post("/desk/records/<int:record_id>/correction")
@access(SUPERVISOR)
def record_correction(record_id: int):
    record = load_record(record_id)
    form = CorrectionDecisionForm(prefix="correction")
    correction = pending_correction(record)
    if correction is None:
        form.form_errors.append(_("No correction request is waiting for a check."))
        return _after_step(None, record_id, correction_form=form)
    done = submitted(form, decide_correction, correction, {"outcome": form.outcome.data, "reasons": form.reasons.data},
                     actor=current_user, message=_("Saved."))
    return _after_step(done, record_id, correction_form=form)


def _manager_page(manager: ProjectManager, national_id: str | None = None):
    records_ = db.session.scalars(sa.select(CreditRecord).where(CreditRecord.manager_id == manager.id)
                                  .order_by(CreditRecord.id.desc())).all()
    withheld = bool(manager.national_id_enc) and not may_see_national_id(manager)
    return render_template("credit/desk/manager.html", manager=manager, national_id=national_id, withheld=withheld,
                           records=records_, now=clock.now())


@bp.get("/desk/managers/<int:manager_id>")
@access(SUPERVISOR)
def manager_private(manager_id: int):
    """The supervisor's view of a project manager; the national ID only after a deliberate request."""
    return _manager_page(db.session.get(ProjectManager, manager_id) or abort(404))


@bp.post("/desk/managers/<int:manager_id>/national-id")
@access(SUPERVISOR)
def manager_national_id(manager_id: int):
    """Show the national ID to a supervisor who may see it; every showing is an audit event."""
    manager = db.session.get(ProjectManager, manager_id) or abort(404)
    if not manager.national_id_enc or not may_see_national_id(manager):
        abort(403)
    national_id = pii.decrypt_id(manager.national_id_enc, manager.certificate_no)
    record_event("credit.national_id_viewed", manager, actor=current_user, details={"certificate_no": manager.certificate_no})
    return _manager_page(manager, national_id), 200, {"Cache-Control": "no-store"}


@bp.get("/desk/statistics")
@access(SUPERVISOR)
def statistics():
    where, chosen = district_filter(CreditRecord.district_code)
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
        .where(district_filter(Complaint.district_code)[0]).group_by(Complaint.district_code, Complaint.status)
    ).all()
    ctable: dict[str, dict[str, int]] = {}
    for code, status, count in complaints:
        ctable.setdefault(code, {})[status.value] = count
    districts = {d.code: d for d in db.session.scalars(sa.select(District))}
    peak = max((row[3] for row in by_item), default=1)
    return render_template("credit/desk/statistics.html", table=table, ctable=ctable, by_item=by_item,
                           districts=districts, statuses=[s.value for s in RecordStatus], peak=peak, chosen=chosen)
