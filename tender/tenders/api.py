"""JSON API of tenders (/api/v1/tenders/...): the public list and detail, and the calls that take a
tender from its draft to its announcement, its documents, questions and registrations."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort

from core import clock
from core.accounts.models import Role
from core.authz import PUBLIC, access, active_membership, require, roles
from core.db import DomainError, db
from core.idempotency import idempotent
from core.web import body_limit
from tender.tenders import operations as ops
from tender.tenders.models import Clarification, Question, Registration, Tender, TenderDocument
from tender.tenders.operations.access import capacity, registration_of
from tender.tenders.operations.queries import PAGE_SIZE, public_filter
from tender.tenders.views.common import row
from tender.tenders.schemas import (
    BureauQuestionSchema, BureauRegistrationSchema, CancelSchema, ClarificationSchema, DocumentSchema,
    DocumentUploadSchema, FilingSchema, ManagedTenderSchema, PublicTenderSchema, QuestionSchema, ReasonsSchema,
    RegistrationSchema, TenderCreateSchema, TenderQuerySchema, TenderUpdateSchema, TextSchema,
)

blp = Blueprint("tenders_api", __name__, url_prefix="/api/v1/tenders", description="Tenders")

READ = "tender:read"
WRITE = "tender:write"
MANAGERS = roles(Role.TENDERER, Role.AGENCY, scope=WRITE)
UPLOAD_LIMIT = 21 * 1024 * 1024


def _load(tender_id: int) -> Tender:
    tender = row(Tender, tender_id)
    if tender is None or not ops.may_view(tender, active_membership()):
        abort(404, message="No tender with this id is visible to you.")
    return tender


def document_view(tender: Tender, doc: TenderDocument) -> dict:
    return {"id": doc.id, "version": doc.version, "filename": doc.filename, "media_type": doc.media_type,
            "size": doc.size, "sha256": doc.digest, "change_note": doc.change_note, "issued_at": doc.issued_at,
            "url": url_for("tender.document", tender_id=tender.id, document_id=doc.id, _external=True)}


def tender_view(tender: Tender, *, managed: bool) -> dict:
    now = clock.now()
    docs = tender.documents if managed else tender.issued_documents()
    view = {c: getattr(tender, c) for c in (
        "id", "reference", "community_name", "district_code", "address", "buildings", "households", "service_grade",
        "service_scope", "ceiling_fen", "contract_months", "qualifications", "min_credit_score", "bid_validity_days",
        "bid_security_fen", "custodian_threshold", "documents_from", "documents_until", "bid_deadline", "opening_at",
        "original_deadline", "published_at", "scheme", "cancel_note", "ocds_status")}
    view.update(kind=tender.kind.value, state=tender.state.value, phase=tender.phase(now),
                fee_model=tender.fee_model.value, tenderer=tender.tenderer.name,
                agency=tender.appointment.agency.name if tender.appointment else None,
                areas=[{"property_type": a.property_type.value, "floor_area_m2": a.floor_area_m2} for a in tender.areas],
                custodian_count=len(tender.custodians),
                cancel_reason=tender.cancel_reason.value if tender.cancel_reason else None,
                documents=[document_view(tender, d) for d in docs],
                url=url_for("tender.detail", tender_id=tender.id, _external=True))
    if managed:
        membership = active_membership()
        actions = ops.allowed_actions(tender, membership, now)
        problems = (ops.submission_problems(tender, ops.tender_values(tender, now), now)
                    if "submit" in actions else [])
        view.update({c: getattr(tender, c) for c in ("submitted_at", "filing_due_at", "filed_at", "filing_number",
                                                      "return_reasons", "procedure_values")})
        view.update(allowed_actions=sorted(actions),
                    problems=[{"code": p.code, "field": p.field, "message": p.message} for p in problems])
    return view


def _managed(tender: Tender) -> bool:
    return capacity(tender, active_membership()) in ("tenderer", "agency", "bureau")


@blp.route("")
class Tenders(MethodView):
    @access(PUBLIC)
    @blp.arguments(TenderQuerySchema, location="query")
    @blp.response(200, PublicTenderSchema(many=True))
    @blp.paginate(max_page_size=100)
    def get(self, args, pagination_parameters):
        """Announced tenders, newest first, filtered by district, kind, status, dates and community name."""
        where = public_filter(args, clock.now())
        pagination_parameters.item_count = db.session.scalar(db.select(db.func.count(Tender.id)).where(where))
        first, size = pagination_parameters.first_item, pagination_parameters.page_size or PAGE_SIZE
        if first >= pagination_parameters.item_count:
            return []
        rows = db.session.scalars(db.select(Tender).where(where).order_by(Tender.published_at.desc(), Tender.id.desc())
                                  .offset(first).limit(size))
        return [tender_view(t, managed=False) for t in rows]

    @idempotent
    @access(roles(Role.TENDERER, scope=WRITE))
    @blp.arguments(TenderCreateSchema)
    @blp.response(201, ManagedTenderSchema)
    def post(self, data):
        """Start a draft tender for the caller's developer or owners' assembly."""
        tender = ops.create_tender(active_membership().organisation, data, actor=current_user)
        return tender_view(tender, managed=True)


@blp.route("/<int:tender_id>")
class TenderDetail(MethodView):
    @access(PUBLIC)
    @blp.response(200, ManagedTenderSchema)
    def get(self, tender_id: int):
        """A tender: the announcement for anyone; the filing and next actions for its tenderer, agency and bureau."""
        tender = _load(tender_id)
        return tender_view(tender, managed=_managed(tender))

    @access(MANAGERS)
    @blp.arguments(TenderUpdateSchema)
    @blp.response(200, ManagedTenderSchema)
    def patch(self, data, tender_id: int):
        """Change the facts and the planned timeline of a draft or returned tender."""
        tender = _load(tender_id)
        ops.update_tender(tender, data, actor=current_user)
        return tender_view(tender, managed=True)


def _move(tender_id: int, operation, data=None):
    tender = _load(tender_id)
    operation(tender, data or {}, actor=current_user)
    return tender_view(tender, managed=True)


@blp.route("/<int:tender_id>/submit", methods=["POST"])
@access(MANAGERS)
@blp.response(200, ManagedTenderSchema)
def submit(tender_id: int):
    """Submit the draft to the district bureau for filing (refused with every missing piece named)."""
    return _move(tender_id, ops.submit_for_filing)


@blp.route("/<int:tender_id>/file", methods=["POST"])
@access(roles(Role.SUPERVISOR, scope=WRITE))
@blp.arguments(FilingSchema)
@blp.response(200, ManagedTenderSchema)
def file(data, tender_id: int):
    """File the tender (the district bureau)."""
    return _move(tender_id, ops.file_tender, data)


@blp.route("/<int:tender_id>/return", methods=["POST"])
@access(roles(Role.SUPERVISOR, scope=WRITE))
@blp.arguments(ReasonsSchema)
@blp.response(200, ManagedTenderSchema)
def return_(data, tender_id: int):
    """Return the tender to its tenderer with reasons (the district bureau)."""
    return _move(tender_id, ops.return_tender, data)


@blp.route("/<int:tender_id>/publish", methods=["POST"])
@access(MANAGERS)
@blp.response(200, ManagedTenderSchema)
def publish(tender_id: int):
    """Announce a filed tender (refused with every broken timeline rule named)."""
    return _move(tender_id, ops.publish_tender)


@blp.route("/<int:tender_id>/cancel", methods=["POST"])
@access(roles(Role.TENDERER, Role.AGENCY, Role.SUPERVISOR, scope=WRITE))
@blp.arguments(CancelSchema)
@blp.response(200, ManagedTenderSchema)
def cancel(data, tender_id: int):
    """Cancel with a coded reason and an explanation; everyone registered is told."""
    return _move(tender_id, ops.cancel_tender, data)


@blp.route("/<int:tender_id>/documents")
class Documents(MethodView):
    @access(PUBLIC)
    @blp.response(200, DocumentSchema(many=True))
    def get(self, tender_id: int):
        """The tender documents' versions (the public sees the issued ones)."""
        tender = _load(tender_id)
        docs = tender.documents if _managed(tender) else tender.issued_documents()
        return [document_view(tender, d) for d in docs]

    @idempotent
    @access(MANAGERS)
    @body_limit(UPLOAD_LIMIT)
    @blp.arguments(DocumentUploadSchema, location="form")
    @blp.response(201, DocumentSchema)
    def post(self, data, tender_id: int):
        """Upload a new version (multipart field ``file``: PDF or DOCX); after the announcement, an amendment."""
        from flask import request

        tender = _load(tender_id)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            abort(422, message="Send the document as the multipart field 'file'.")
        doc = ops.add_document(tender, {"file": upload.stream, "filename": upload.filename,
                                        "change_note": data.get("change_note")}, actor=current_user)
        return document_view(tender, doc)


def _question_view(q: Question, membership, bureau: bool) -> dict:
    view = {"code": q.code, "text": q.text, "asked_at": q.asked_at, "answer": q.answer.text if q.answer else None,
            "answered_at": q.answer.issued_at if q.answer else None,
            "mine": membership is not None and q.asker_id == membership.organisation_id}
    if bureau:
        view.update(asker=q.asker.name, asker_uscc=q.asker.uscc)
    return view


@blp.route("/<int:tender_id>/questions")
class Questions(MethodView):
    @access(roles(Role.FIRM, Role.TENDERER, Role.AGENCY, Role.SUPERVISOR, scope=READ))
    @blp.response(200, BureauQuestionSchema(many=True))
    def get(self, tender_id: int):
        """Questions by their codes, with answers: for registered firms (their own and the answered ones),
        the tenderer and its agency; only the bureau sees who asked."""
        tender = _load(tender_id)
        membership = active_membership()
        who = capacity(tender, membership)
        rows = list(db.session.scalars(db.select(Question).where(Question.tender_id == tender.id)
                                       .order_by(Question.number)))
        if who == "firm":
            if registration_of(tender, membership) is None:
                raise DomainError(_("Only firms registered for this tender read its questions and answers."),
                                  code="not_registered")
            rows = [q for q in rows if q.answer_id is not None or q.asker_id == membership.organisation_id]
        else:
            require(who in ("tenderer", "agency", "bureau"), "not_your_tender")
        # The answer schema names the asker fields; a view built for anyone but the bureau has none to fill.
        return [_question_view(q, membership, who == "bureau") for q in rows]

    @idempotent
    @access(roles(Role.FIRM, scope=WRITE))
    @blp.arguments(TextSchema)
    @blp.response(201, QuestionSchema)
    def post(self, data, tender_id: int):
        """Ask a question (a registered firm); the tenderer sees only its code."""
        tender = _load(tender_id)
        question = ops.ask_question(tender, data, actor=current_user)
        return _question_view(question, active_membership(), False)


@blp.route("/<int:tender_id>/questions/<code>/answer", methods=["POST"])
@access(MANAGERS)
@blp.arguments(TextSchema)
@blp.response(201, ClarificationSchema)
def answer(data, tender_id: int, code: str):
    """Answer a question by its code; the answer goes to every registered firm and may move the deadline."""
    tender = _load(tender_id)
    number = int(code[1:]) if code[:1] == "Q" and code[1:].isdigit() and len(code) <= 8 else -1
    question = db.session.scalar(db.select(Question).where(Question.tender_id == tender.id, Question.number == number))
    if question is None:
        abort(404, message="No question with this code.")
    clarification = ops.answer_question(question, data, actor=current_user)
    return _clarification_view(clarification)


def _clarification_view(c: Clarification) -> dict:
    return {"number": c.number, "kind": c.kind.value, "text": c.text, "issued_at": c.issued_at,
            "deadline_before": c.deadline_before, "deadline_after": c.deadline_after}


@blp.route("/<int:tender_id>/registrations")
class Registrations(MethodView):
    @access(roles(Role.FIRM, Role.SUPERVISOR, scope=READ))
    @blp.response(200, BureauRegistrationSchema(many=True))
    def get(self, tender_id: int):
        """Registrations: a firm sees its own; only the bureau sees who registered and how many."""
        tender = _load(tender_id)
        membership = active_membership()
        if capacity(tender, membership) == "bureau":
            rows = db.session.scalars(db.select(Registration).where(Registration.tender_id == tender.id)
                                      .order_by(Registration.registered_at))
            return [{"tender_id": r.tender_id, "registered_at": r.registered_at, "credit_score": r.credit_score,
                     "credit_grade": r.credit_grade, "firm": r.firm.name, "firm_uscc": r.firm.uscc} for r in rows]
        require(membership.platform_role == Role.FIRM, "district")
        own = registration_of(tender, membership)
        return [{"tender_id": own.tender_id, "registered_at": own.registered_at, "credit_score": own.credit_score,
                 "credit_grade": own.credit_grade}] if own else []

    @idempotent
    @access(roles(Role.FIRM, scope=WRITE))
    @blp.response(201, RegistrationSchema)
    def post(self, tender_id: int):
        """Register the caller's firm (the credit check runs now; a refusal says why)."""
        tender = _load(tender_id)
        return ops.register_for_tender(tender, {}, actor=current_user)
