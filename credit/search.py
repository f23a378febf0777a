"""Public lookup queries: firms and tender agencies by any part of the name (ranked), USCC, certificate
number, ID + name."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.accounts import uscc as uscc_rules
from core.db import db
from credit import pii
from credit.models import CreditSubject, ProjectManager
from credit.models.subjects import SubjectNameGram

USCC_SHAPE = re.compile(r"^[0-9A-Z]{18}$")
CERTIFICATE_SHAPE = re.compile(r"^[A-Z]{1,4}\d{4,20}$")
MIN_NAME_QUERY = 2
# Bigrams of a long query whose frequency is probed, and the count past which a bigram is simply common.
MAX_PROBED_GRAMS = 6
GRAM_COUNT_CAP = 2000


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


def firms_by_name(part: str, limit: int = 20, offset: int = 0) -> list[CreditSubject]:
    """Firms whose name contains ``part``: exact name first, then prefix, then earliest match, then shortest.

    Walks the bigram-position index of the query's rarest bigram in rank order: (position of the
    match, name length, id) is the ranking itself (an exact name is a match at 1 of the query's own
    length), so a bigram every firm shares still costs one page of index rows, not a sort of them all.
    """
    grams = list(dict.fromkeys(part[i : i + 2] for i in range(len(part) - 1)))[:MAX_PROBED_GRAMS]
    if not grams:
        return []
    if len(grams) > 1:  # how common each bigram is (capped), all in one round trip
        capped = [sa.select(sa.func.count()).select_from(
                      sa.select(sa.literal(1)).where(SubjectNameGram.gram == gram).limit(GRAM_COUNT_CAP).subquery()
                  ).scalar_subquery() for gram in grams]
        counts = dict(zip(grams, db.session.execute(sa.select(*capped)).one()))
        if 0 in counts.values():
            return []
        gram = min(grams, key=lambda g: counts[g])
    else:
        gram = grams[0]
    shift = part.index(gram)  # the match starts this many characters before the bigram
    g = SubjectNameGram
    position = sa.func.strpos if db.session.get_bind().dialect.name == "postgresql" else sa.func.instr
    query = (
        sa.select(CreditSubject)
        .join(g, g.subject_id == CreditSubject.id)
        .where(g.gram == gram, position(CreditSubject.name, part) == g.position - shift)
        .order_by(g.position, g.name_length, g.subject_id)
        .limit(limit)
        .offset(offset)
    )
    return list(db.session.scalars(query))


def _name_grams(name: str) -> list[dict]:
    return [{"gram": name[i : i + 2], "position": i + 1, "name_length": len(name)} for i in range(len(name) - 1)]


def _index_names(session, _context) -> None:
    """Keep the bigram-position rows in step with firms' names, in the same transaction."""
    changed = [s for s in session.new if isinstance(s, CreditSubject)]
    changed += [s for s in session.dirty if isinstance(s, CreditSubject)
                and sa.inspect(s).attrs.name.history.has_changes()]
    gone = [s.id for s in session.deleted if isinstance(s, CreditSubject)]
    if not changed and not gone:
        return
    conn = session.connection()
    ids = [s.id for s in changed] + gone
    conn.execute(sa.delete(SubjectNameGram).where(SubjectNameGram.subject_id.in_(ids)))
    rows = [dict(row, subject_id=s.id) for s in changed for row in _name_grams(s.name or "")]
    if rows:
        conn.execute(sa.insert(SubjectNameGram), rows)


def install() -> None:
    """Keep the name index in step with every session's flushes (called by ``credit.init_app``)."""
    if not sa.event.contains(Session, "after_flush", _index_names):
        sa.event.listen(Session, "after_flush", _index_names)


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
            ProjectManager.national_id_hmac.in_(pii.id_lookup_hashes(national_id)), ProjectManager.name == name
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
