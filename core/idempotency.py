"""Safe retries of creating API calls with an ``Idempotency-Key`` header.

A client that lost the answer to a POST sends it again with the same key: it gets the stored
answer and the operation does not run again. The same key with a different request is refused with
422; a retry that arrives while the first call is still running gets 409. Keys belong to the user
who sent them and are forgotten after :data:`KEY_LIFETIME`.

The stored answer is written in the same transaction as the operation's effects, and the request
commits both at its boundary (core.requests), so either both are kept or neither is.
"""

from __future__ import annotations

import hashlib
import json
from copy import deepcopy
from datetime import datetime, timedelta
from functools import wraps

import sqlalchemy as sa
from flask import Response, request
from flask_login import current_user
from flask_smorest.utils import deepupdate
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import BadRequest, Conflict, UnprocessableEntity

from core.db import db, utcnow

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# Response headers worth replaying (the body's type and where the created thing lives).
KEPT_HEADERS = ("Content-Type", "Location")


class IdempotencyKey(db.Model):
    """A key a user sent with a creating call, the request it came with and the answer given."""

    __tablename__ = "idempotency_key"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_key_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    key: Mapped[str] = mapped_column(sa.String(MAX_KEY_LENGTH))
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(500))
    request_sha256: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    response_headers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    def matches(self, method: str, path: str, request_sha256: str) -> bool:
        return (self.method, self.path, self.request_sha256) == (method, path, request_sha256)


OPENAPI_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "description": (
                "A unique value per intended operation (a UUID is a good choice). Retrying with the "
                "same key and body returns the first answer without repeating the operation; the same "
                "key with a different body is refused with 422. Keys expire after 24 hours."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[!-~]+$"},
        }
    ],
    "responses": {
        "409": "CONFLICT",
    },
}


def request_fingerprint() -> str:
    """SHA-256 of the method, path, query and body (JSON bodies in canonical form)."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except ValueError:
        body = raw
    head = f"{request.method}\n{request.path}\n{request.query_string.decode('latin-1')}\n".encode()
    return hashlib.sha256(head + body).hexdigest()


def _key_from_header() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all("!" <= c <= "~" for c in key):
        raise BadRequest(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters.")
    return key


def _find(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        sa.select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )


def _answer_from(record: IdempotencyKey, fingerprint: str) -> Response:
    if not record.matches(request.method, request.path, fingerprint):
        raise UnprocessableEntity(f"This {HEADER} was already used with a different request.")
    if record.status_code is None:
        raise Conflict(f"A request with this {HEADER} is still being processed; retry shortly.")
    response = Response(record.response_body, status=record.status_code)
    for name, value in (record.response_headers or {}).items():
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _claim(user_id: int, key: str, fingerprint: str) -> IdempotencyKey | Response:
    """Reserve the key in this transaction, or return the answer a previous call stored for it."""
    now = utcnow()
    existing = _find(user_id, key)
    if existing is not None and existing.expires_at <= now:
        db.session.delete(existing)
        db.session.flush()
        existing = None
    if existing is not None:
        return _answer_from(existing, fingerprint)
    record = IdempotencyKey(
        user_id=user_id,
        key=key,
        method=request.method,
        path=request.path[:500],
        request_sha256=fingerprint,
        expires_at=now + KEY_LIFETIME,
    )
    db.session.add(record)
    try:
        # On PostgreSQL a concurrent call with the same key waits here until the first commits.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = _find(user_id, key)
        if existing is None:  # the other call failed and released the key
            raise Conflict(f"A request with this {HEADER} was just processed; retry.") from None
        return _answer_from(existing, fingerprint)
    return record


def idempotent(view):
    """Wrap a creating API view (outside its smorest decorators): honour ``Idempotency-Key``.

    A successful answer (2xx/3xx) is stored with the operation's effects and committed with them at
    the request's boundary; an error answer or exception rolls everything back, so the key can be
    used again.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = _key_from_header()
        record = None
        if key is not None and current_user.is_authenticated:
            claimed = _claim(current_user.id, key, request_fingerprint())
            if isinstance(claimed, Response):
                db.session.rollback()
                return claimed
            record = claimed
        try:
            response = view(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        if not isinstance(response, Response):
            raise TypeError("@idempotent must wrap the smorest decorators, which return a Response")
        if response.status_code >= 400:
            db.session.rollback()
            return response
        if record is not None:
            record.status_code = response.status_code
            record.response_body = response.get_data(as_text=True)
            record.response_headers = {h: response.headers[h] for h in KEPT_HEADERS if h in response.headers}
        return response

    # Document the header and the 409 answer in the OpenAPI document (as flask-smorest's doc() does).
    wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
    wrapper._apidoc["manual_doc"] = deepupdate(deepcopy(wrapper._apidoc.get("manual_doc", {})), OPENAPI_DOC)
    return wrapper


def purge_expired(now: datetime | None = None) -> int:
    """Delete expired keys (the periodic job commits); returns how many were removed."""
    result = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.expires_at <= (now or utcnow())))
    return result.rowcount or 0
