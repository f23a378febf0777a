"""Public answers of the credit lookup, kept in Redis and never served once they could be stale.

An answer (the exact response an anonymous visitor got: status, headers, body) is stored under its
request (host, path, query string) together with the *publication version*: a random value in Redis
replaced after every committed transaction that wrote anything the public can see (records and their due
process, corrections, subjects, managers and their projects, the catalogue, grade thresholds, policy,
districts). An entry written under an older version is never served. The version is read before
the answer's first query and replaced only after the commit, so an answer built from data older than
a write can never carry the version that follows the write.

Time changes answers too: each answer also says until when it holds (the next instant a record it
counts starts, expires or is corrected), and Redis drops it then, or after MAX_TTL_SECONDS at most
(which bounds the harm of a bump lost to a Redis outage).

Writes that bypass the ORM session (raw SQL, bulk loads) must call :func:`bump` themselves.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

VERSION_KEY = "credit:pub:version"
ENTRY_PREFIX = "credit:pub:entry:"
MAX_TTL_SECONDS = 300
ENVIRON_SLOT = "credit.public_cache"

# Credit tables whose rows the public never sees, directly or through a score; writes to any other
# credit table (and to districts, shown as the authority) change public answers.
PRIVATE_TABLES = frozenset({
    "credit_complaint", "credit_complaint_attachment", "credit_complaint_draft", "credit_exchange_item",
    "credit_exchange_batch", "credit_import_run", "credit_report_certificate",
})


def is_public_table(name: str) -> bool:
    return (name.startswith("credit_") or name == "district") and name not in PRIVATE_TABLES


def redis_connection():
    return current_app.extensions["rq"].get_queue().connection


def bump(connection=None) -> None:
    """Make every stored public answer stale (after a write the session hooks cannot see).

    The new version is random, not a count: were the key ever lost (evicted, deleted), a count
    would start again and reach the versions of answers stored before, which would then match.
    """
    (connection or redis_connection()).set(VERSION_KEY, secrets.token_hex(8))


# --- invalidation: mark sessions that wrote public rows, bump once their transaction commits ---

_MARK = "credit_public_changed"


def _touches_public(objects) -> bool:
    return any(is_public_table(getattr(getattr(o, "__table__", None), "name", "")) for o in objects)


def _mark_flush(session, _context) -> None:
    if _touches_public(session.new) or _touches_public(session.dirty) or _touches_public(session.deleted):
        session.info[_MARK] = True


def _mark_bulk(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None and is_public_table(getattr(table, "name", "")):
            state.session.info[_MARK] = True


def _bump_after_commit(session) -> None:
    if not session.info.pop(_MARK, False):
        return
    try:
        bump()
    except Exception:  # Redis unreachable: entries still die within MAX_TTL_SECONDS
        log.exception("could not bump the public credit version; cached answers live until they expire")


def _forget_mark(session) -> None:
    session.info.pop(_MARK, None)


LISTENERS = (("after_flush", _mark_flush), ("do_orm_execute", _mark_bulk), ("after_commit", _bump_after_commit),
             ("after_rollback", _forget_mark))


def install() -> None:
    """Watch every session for public writes (called by ``credit.init_app``)."""
    for name, listener in LISTENERS:
        if not sa.event.contains(Session, name, listener):
            sa.event.listen(Session, name, listener)


# --- what a view tells the cache about the answer it is building ---


def slot() -> dict | None:
    """The cache slot of this request, when the answer may be stored (an anonymous GET the fast path saw)."""
    if not has_request_context():
        return None
    return request.environ.get(ENVIRON_SLOT)


def request_version() -> str | None:
    """The publication version this request's answer is built under, if it is being cached."""
    found = slot()
    return found["version"] if found else None


def keep(until: datetime | None = None, **details) -> None:
    """Let this answer be stored until ``until`` (at most MAX_TTL_SECONDS); ``details`` name the
    per-visitor parts to fill in when it is served again (``csrf_token``, ``as_of``)."""
    found = slot()
    if found is None or not g.get("access_rule") or not g.access_rule.public:
        return
    found.update(details, keep=True, until=until)


def ttl_ms(until: datetime | None, now: datetime | None = None) -> int:
    now = now or datetime.now(timezone.utc)
    seconds = MAX_TTL_SECONDS if until is None else min(MAX_TTL_SECONDS, (until - now).total_seconds())
    return int(seconds * 1000)


def pack(version: str, meta: dict, body: bytes) -> bytes:
    header = json.dumps(meta, separators=(",", ":")).encode()
    return version.encode() + b"|" + str(len(header)).encode() + b"|" + header + body


def unpack(value: bytes) -> tuple[dict, bytes]:
    """(meta, body) of a stored entry (its version already checked)."""
    _version, length, rest = value.split(b"|", 2)
    size = int(length)
    return json.loads(rest[:size]), rest[size:]
