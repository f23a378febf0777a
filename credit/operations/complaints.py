"""Complaints from residents and owners' committees, and their evidence."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from flask_babel import gettext as _

from core.audit.operations import record_event
from core import clock
from core.db import DomainError, db, utcnow
from credit.models import Complaint, ComplaintAttachment, ComplaintDraft, ComplaintStatus, CreditSubject

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 3
# A complaint left unfinished this long is forgotten with its evidence files.
DRAFT_LIFETIME = timedelta(days=7)
# Accepted types, recognised by their first bytes (the browser's claim is not trusted).
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}
# Tracking numbers avoid characters that are confused when read aloud or copied by hand.
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_tracking_number() -> str:
    body = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))
    return f"TS-{body[:5]}-{body[5:]}"


def normalise_tracking(number: str) -> str:
    text = (number or "").strip().upper().replace(" ", "")
    if not text.startswith("TS-") and len(text) == 10:
        text = f"TS-{text[:5]}-{text[5:]}"
    return text


def sniff_type(data: bytes) -> str | None:
    for signature, content_type in SIGNATURES.items():
        if data.startswith(signature):
            return content_type
    return None


def draft_answers(token: str | None) -> dict:
    """The answers given so far in the complaint being filled in under ``token``."""
    draft = db.session.get(ComplaintDraft, token) if token else None
    return dict(draft.answers) if draft is not None else {}


def save_draft(token: str, values: dict) -> ComplaintDraft:
    """Add answers to the draft (created on the first answer)."""
    draft = db.session.get(ComplaintDraft, token)
    if draft is None:
        draft = ComplaintDraft(token=token, answers={})
        db.session.add(draft)
    draft.answers = {**draft.answers, **values}
    draft.updated_at = utcnow()
    db.session.flush()
    return draft


def purge_stale_drafts(now=None) -> int:
    """Forget drafts and their unsubmitted evidence files not touched within DRAFT_LIFETIME."""
    cutoff = (now or utcnow()) - DRAFT_LIFETIME
    drafts = db.session.execute(sa.delete(ComplaintDraft).where(ComplaintDraft.updated_at < cutoff)).rowcount
    # Files go with their draft: those of a draft still being worked on stay, however old.
    live = sa.select(ComplaintDraft.token)
    files = db.session.execute(
        sa.delete(ComplaintAttachment).where(ComplaintAttachment.complaint_id.is_(None),
                                             ComplaintAttachment.created_at < cutoff,
                                             ComplaintAttachment.draft_token.not_in(live))
    ).rowcount
    return files + drafts


def store_attachment(draft_token: str, filename: str, data: bytes, *, actor=None) -> ComplaintAttachment:
    """Keep one evidence file for a complaint being filled in (checked by size, type and name)."""
    if not data:
        raise DomainError(_("The selected file is empty."), code="empty", field="file")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise DomainError(_("The file must be smaller than 5 MB."), code="too_large", field="file")
    content_type = sniff_type(data)
    name = (filename or "evidence").replace("\\", "/").rsplit("/", 1)[-1][:200]
    if content_type is None or not name.lower().endswith(EXTENSIONS[content_type]):
        raise DomainError(_("The file must be a PDF, JPG or PNG."), code="type", field="file")
    count = db.session.scalar(
        sa.select(sa.func.count(ComplaintAttachment.id)).where(ComplaintAttachment.draft_token == draft_token,
                                                               ComplaintAttachment.complaint_id.is_(None))
    )
    if count >= MAX_ATTACHMENTS:
        raise DomainError(_("You can add up to 3 files."), code="too_many", field="file")
    attachment = ComplaintAttachment(
        draft_token=draft_token, filename=name, content_type=content_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), data=data,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def remove_attachment(draft_token: str, attachment_id: str) -> None:
    """Take back one evidence file from the complaint being filled in under ``draft_token``."""
    attachment = db.session.scalars(
        sa.select(ComplaintAttachment).where(ComplaintAttachment.draft_token == draft_token,
                                             ComplaintAttachment.complaint_id.is_(None),
                                             sa.cast(ComplaintAttachment.id, sa.String) == str(attachment_id)[:20])
    ).first()
    if attachment is not None:
        db.session.delete(attachment)
        db.session.flush()


def complaint_progress(complaint: Complaint, now=None) -> list[dict]:
    """What the complainant is told about each credit case opened from the complaint."""
    now = now or clock.now()
    out = []
    for record in complaint.records:
        if record.in_force(now):
            outcome = "published"
        elif record.status.value == "dismissed":
            outcome = "dismissed"
        else:
            outcome = "in_progress"
        out.append({"outcome": outcome, "record": record})
    return out


def submit_complaint(data: dict, *, draft_token: str | None = None, actor=None) -> Complaint:
    """File a complaint from the public form; returns it with its tracking number."""
    uscc = (data.get("firm_uscc") or "").strip().upper() or None
    subject = None
    if uscc:
        subject = db.session.scalars(sa.select(CreditSubject).where(CreditSubject.uscc == uscc)).first()
    if subject is None:
        subject = db.session.scalars(sa.select(CreditSubject).where(CreditSubject.name == data["firm_name"].strip())).first()
    complaint = Complaint(
        tracking_number=new_tracking_number(), firm_name=data["firm_name"].strip(), firm_uscc=uscc,
        subject_id=subject.id if subject else None, community=data["community"].strip(),
        district_code=data["district_code"], occurred_on=data.get("occurred_on"), description=data["description"].strip(),
        complainant_kind=data["complainant_kind"], complainant_name=data["complainant_name"].strip(),
        complainant_phone=(data.get("complainant_phone") or "").strip() or None,
        complainant_email=(data.get("complainant_email") or "").strip() or None,
    )
    db.session.add(complaint)
    db.session.flush()
    if draft_token:
        for attachment in db.session.scalars(
            sa.select(ComplaintAttachment).where(ComplaintAttachment.draft_token == draft_token,
                                                 ComplaintAttachment.complaint_id.is_(None))
        ):
            attachment.complaint_id = complaint.id
            attachment.draft_token = None
        db.session.execute(sa.delete(ComplaintDraft).where(ComplaintDraft.token == draft_token))
    db.session.flush()
    record_event("credit.complaint_received", complaint, actor=actor, district=complaint.district_code,
                 data={"tracking": complaint.tracking_number, "firm": complaint.firm_name},
                 details={"tracking": complaint.tracking_number})
    return complaint


def complaint_actions(complaint: Complaint) -> frozenset[str]:
    """What the bureau can do with a complaint now: open a record from it or close it, while it waits."""
    return frozenset({"open_record", "close"}) if complaint.status == ComplaintStatus.RECEIVED else frozenset()


def require_complaint_action(complaint: Complaint, action: str) -> None:
    """Refuse a step the complaint no longer offers (it was handled, perhaps in another window)."""
    if action not in complaint_actions(complaint):
        raise DomainError(_("This complaint has already been handled."), code="complaint_handled")


def close_complaint(complaint: Complaint, data: dict, *, actor) -> Complaint:
    """Close a complaint with no record opened; the reason is shown to the complainant."""
    if complaint.status != ComplaintStatus.RECEIVED:
        raise DomainError(_("This complaint has already been handled."), code="complaint_handled")
    reason = (data.get("reason") or "").strip()
    if len(reason) < 10:
        raise DomainError(_("Give the reason (at least 10 characters)."), code="reason", field="reason")
    complaint.status = ComplaintStatus.CLOSED
    complaint.closed_reason = reason
    complaint.handled_at = clock.now()
    complaint.handled_by_id = actor.id
    db.session.flush()
    record_event("credit.complaint_closed", complaint, actor=actor, district=complaint.district_code,
                 details={"tracking": complaint.tracking_number})
    return complaint


def mark_record_opened(complaint: Complaint, *, actor) -> None:
    """Mark a complaint as handled by opening a credit record from it."""
    complaint.status = ComplaintStatus.RECORD_OPENED
    complaint.handled_at = clock.now()
    complaint.handled_by_id = actor.id
    db.session.flush()
    record_event("credit.complaint_record_opened", complaint, actor=actor, district=complaint.district_code,
                 details={"tracking": complaint.tracking_number})
