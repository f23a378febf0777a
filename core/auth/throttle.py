"""Throttling of failed sign-in and second-factor attempts (and of registrations), shared by all server instances.

An attempt is written *before* the password or code is checked, in a transaction of its own that
commits at once (before the request has written anything): concurrent attempts on every instance
see each other, so no burst of parallel requests gets past the limit, and the request's own unit of
work (committed at its boundary) is never committed early. A successful attempt removes its own rows (and, for the account, the earlier
failures); a failed one leaves them to count until the window passes. Attempts refused by the
throttle are removed, so the wait does not grow while someone keeps trying.

Lock-outs must not become a weapon: anyone can type five wrong passwords for a bidder's address an
hour before a bid deadline. So, as OWASP's device-cookie scheme describes, a browser that signed in
to an account before carries a signed *device cookie* for it; its attempts count against that
cookie alone, and the account's lock-out (and the per-address one) only stops browsers without one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from core.auth.models import LoginFailure
from core.db import db, utcnow

DEVICE_COOKIE = "device"
DEVICE_COOKIE_DAYS = 365
DEVICE_COOKIE_ACCOUNTS = 5  # accounts remembered per browser (a shared office computer)


def throttle_key(kind: str, value: str) -> str:
    """A keyed digest, so the table never holds an email or address in clear."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


# Registrations (each one hashes a password with scrypt, 32 MiB) per client network in the window,
# unless REGISTER_MAX_PER_ADDRESS is set. Every attempt counts, not only failed ones.
REGISTER_MAX_PER_ADDRESS = 10


def limits(**keys: str) -> dict[str, tuple[str, int]]:
    """``kind=value`` pairs with the configured limit of each kind, for :func:`begin_attempt`."""
    cfg = current_app.config
    per_kind = {
        "account": cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        "device": cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        "second_factor": cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        "address": cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        "reset": cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        "register": cfg.get("REGISTER_MAX_PER_ADDRESS", REGISTER_MAX_PER_ADDRESS),
    }
    return {kind: (value, per_kind[kind]) for kind, value in keys.items()}


@dataclass
class Throttled(Exception):
    """Too many failures; try again at ``retry_at``."""

    retry_at: datetime

    @property
    def retry_after(self) -> int:
        return max(1, int((self.retry_at - utcnow()).total_seconds()) + 1)


@dataclass
class Attempt:
    """Rows written for one attempt in progress: kind -> (row id, key)."""

    rows: dict[str, tuple[int, str]] = field(default_factory=dict)

    def succeeded(self, *, clear: tuple[str, ...] = ()) -> None:
        """Forget this attempt, and every earlier failure of the kinds in ``clear``, once the request
        has committed (should it fail after all, the rows stay and count, which errs on the safe side).

        Not inside the request's transaction: a second check in the same request (password, then
        code) writes its attempt on a connection of its own, which SQLite's single writer would
        keep waiting behind the request's open write."""
        from core.jobs.queueing import call_after_commit

        wheres = [sa.and_(LoginFailure.kind == kind, LoginFailure.key == key) if kind in clear else LoginFailure.id == row_id
                  for kind, (row_id, key) in self.rows.items()]
        call_after_commit(_delete, wheres)


def _delete(wheres) -> None:
    with db.engine.begin() as conn:
        for where in wheres:
            conn.execute(sa.delete(LoginFailure).where(where))


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW"])


def _retry_at(conn, kind: str, key: str, limit: int, since: datetime, exclude: int) -> datetime | None:
    """When fewer than ``limit`` earlier failures remain in the window, or None if already so."""
    times = conn.scalars(
        sa.select(LoginFailure.occurred_at)
        .where(LoginFailure.kind == kind, LoginFailure.key == key, LoginFailure.occurred_at > since,
               LoginFailure.id != exclude)
        .order_by(LoginFailure.occurred_at)
    ).all()
    if len(times) < limit:
        return None
    return times[len(times) - limit] + _window()


def begin_attempt(limits: dict[str, tuple[str, int]]) -> Attempt:
    """Record an attempt under each ``kind: (value, limit)`` in its own transaction; raise Throttled if over."""
    now = utcnow()
    attempt = Attempt()
    with db.engine.begin() as conn:
        for kind, (value, _limit) in limits.items():
            key = throttle_key(kind, value)
            row_id = conn.execute(
                sa.insert(LoginFailure).values(kind=kind, key=key, occurred_at=now).returning(LoginFailure.id)
            ).scalar_one()
            attempt.rows[kind] = (row_id, key)
    since = now - _window()
    with db.engine.begin() as conn:
        waits = [_retry_at(conn, kind, attempt.rows[kind][1], limit, since, attempt.rows[kind][0])
                 for kind, (_value, limit) in limits.items()]
        waits = [w for w in waits if w is not None]
        if waits:
            conn.execute(sa.delete(LoginFailure).where(LoginFailure.id.in_([r for r, _k in attempt.rows.values()])))
    if waits:
        raise Throttled(max(waits))
    return attempt


def purge_expired() -> int:
    """Delete rows older than the window (the periodic sweep; counts ignore them anyway)."""
    since = utcnow() - _window()
    return db.session.execute(sa.delete(LoginFailure).where(LoginFailure.occurred_at <= since)).rowcount


def forget(limits: dict[str, tuple[str, int]]) -> None:
    """Drop the recorded failures under these keys (after a password reset proves the mailbox)."""
    for kind, (value, _limit) in limits.items():
        db.session.execute(
            sa.delete(LoginFailure).where(LoginFailure.kind == kind, LoginFailure.key == throttle_key(kind, value))
        )


# --- device cookies ---


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="sign-in-device")


def _account_tag(email: str) -> str:
    return throttle_key("device-account", email)[:24]


def _device_entries() -> list[dict]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        entries = _serializer().loads(raw)
    except BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("a"), str) and isinstance(e.get("n"), str)]


def device_nonce(email: str) -> str | None:
    """The nonce of this browser's device cookie for the account, if it signed in to it before."""
    tag = _account_tag(email)
    return next((e["n"] for e in _device_entries() if e["a"] == tag), None)


def sign_in_limits(email: str, address: str) -> dict[str, tuple[str, int]]:
    """What a password attempt counts against: the device cookie alone for a known browser, else
    the account's and the address's shared counts."""
    nonce = device_nonce(email)
    if nonce is not None:
        return limits(device=nonce)
    return limits(account=email, address=address)


def remember_device(response, email: str) -> None:
    """Give (or renew) this browser's device cookie for the account after a completed sign-in."""
    tag = _account_tag(email)
    entries = [e for e in _device_entries() if e["a"] != tag]
    entries.insert(0, {"a": tag, "n": secrets.token_urlsafe(16)})
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE, _serializer().dumps(entries[:DEVICE_COOKIE_ACCOUNTS]), max_age=DEVICE_COOKIE_DAYS * 86400,
        httponly=True, secure=bool(config.get("SESSION_COOKIE_SECURE")), samesite="Lax", path="/auth/",
    )
