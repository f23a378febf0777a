"""Printable credit reports with a verification code."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from core.audit.operations import digest, record_event
from core.db import db
from credit.models import ReportCertificate

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch in CODE_ALPHABET)


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def issue_report(profile, *, kind: str, actor=None) -> ReportCertificate:
    """Record what a printed report states (grade and listing side by side), under a fresh code anyone can check later."""
    subject = profile.manager if kind == "manager" else profile.firm
    key = subject.certificate_no if kind == "manager" else subject.uscc
    refs = [r.reference for r in profile.records]
    standing = profile.standing
    listing = standing.listing.as_dict() if standing.listing else None
    body = {"kind": kind, "key": key, "name": subject.name, "at": profile.at.isoformat(), "score": standing.score_text,
            "grade": standing.grade, "records": refs, "listing": listing, "may_bid": standing.may_bid}
    cert = ReportCertificate(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(16)), subject_kind=kind, subject_key=key,
        subject_name=subject.name, issued_at=profile.at, score=standing.score_text, grade=standing.grade,
        record_refs=refs, listing=listing, may_bid=standing.may_bid, digest=digest(body),
    )
    db.session.add(cert)
    db.session.flush()
    record_event("credit.report_issued", cert, actor=actor, data=body, details={"subject": key})
    return cert


def find_report(code: str) -> ReportCertificate | None:
    code = normalise_code(code)
    if len(code) != 16:
        return None
    return db.session.scalars(sa.select(ReportCertificate).where(ReportCertificate.code == code)).first()


__all__ = ["find_report", "format_code", "issue_report"]
