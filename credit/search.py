"""Public lookup queries: firms by any part of the name (ranked), USCC, certificate number, ID + name."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from core.accounts import uscc as uscc_rules
from core.db import db
from credit import pii
from credit.models import CreditSubject, ProjectManager, name_grams

USCC_SHAPE = re.compile(r"^[0-9A-Z]{18}$")
CERTIFICATE_SHAPE = re.compile(r"^[A-Z]{1,4}\d{4,20}$")
MIN_NAME_QUERY = 2


def classify(query: str) -> tuple[str, str]:
    """What a free-text query is: ('uscc'|'certificate'|'name'|'too_short', normalised text)."""
    text = "".join((query or "").split())
    upper = text.upper()
    if USCC_SHAPE.match(upper):
        if uscc_rules.is_valid(upper) or pii.id_problem(upper):
            return "uscc", uscc_rules.normalise(upper)
        # A resident ID number alone finds nothing: it must come with the exact name (id lookup).
        return "id_number", upper
    if CERTIFICATE_SHAPE.match(upper):
        return "certificate", upper
    if len(text) < MIN_NAME_QUERY:
        return "too_short", text
    return "name", text


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def firms_by_name(part: str, limit: int = 20, offset: int = 0) -> list[CreditSubject]:
    """Firms whose name contains ``part``: exact name first, then prefix, then earliest match, then shortest."""
    pattern = f"%{_like_escape(part)}%"
    conditions = [CreditSubject.name.like(pattern, escape="\\")]
    if db.session.get_bind().dialect.name == "postgresql":
        grams = name_grams(part)
        if grams:
            array = sa.cast(sa.literal(grams, type_=postgresql.ARRAY(sa.String(8))), postgresql.ARRAY(sa.String(8)))
            conditions.insert(0, CreditSubject.name_grams.op("@>")(array))
        position = sa.func.strpos(CreditSubject.name, part)
    else:
        position = sa.func.instr(CreditSubject.name, part)
    order = (
        sa.case((CreditSubject.name == part, 0), else_=1),
        position,
        sa.func.length(CreditSubject.name),
        CreditSubject.id,
    )
    return list(db.session.scalars(sa.select(CreditSubject).where(*conditions).order_by(*order).limit(limit).offset(offset)))


def firm_by_uscc(code: str) -> CreditSubject | None:
    return db.session.scalars(sa.select(CreditSubject).where(CreditSubject.uscc == uscc_rules.normalise(code))).first()


def manager_by_certificate(number: str) -> ProjectManager | None:
    return db.session.scalars(
        sa.select(ProjectManager).where(ProjectManager.certificate_no == "".join(number.split()).upper())
    ).first()


def manager_by_id_and_name(national_id: str, name: str) -> ProjectManager | None:
    """A full ID number finds a manager only together with the exact name (so IDs cannot be probed alone)."""
    name = (name or "").strip()
    if not name or pii.id_problem(national_id):
        return None
    return db.session.scalars(
        sa.select(ProjectManager).where(
            ProjectManager.national_id_hmac == pii.id_lookup_hash(national_id), ProjectManager.name == name
        )
    ).first()


def lookup(query: str, limit: int = 20) -> dict:
    """Run a free-text query; the result says what kind it was and what matched."""
    kind, text = classify(query)
    firms: list[CreditSubject] = []
    managers: list[ProjectManager] = []
    if kind == "uscc":
        firm = firm_by_uscc(text)
        firms = [firm] if firm else []
    elif kind == "certificate":
        manager = manager_by_certificate(text)
        managers = [manager] if manager else []
    elif kind == "name":
        firms = firms_by_name(text, limit=limit)
    return {"kind": kind, "query": text, "firms": firms, "managers": managers}
