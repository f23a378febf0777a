"""Throttling of failed sign-in and second-factor attempts (and of registrations), shared by all server instances.

An attempt is written (and committed) *before* the password or code is checked, then counted:
concurrent attempts see each other, so no burst of parallel requests gets past the limit. A
successful attempt removes its own rows (and, for the account, the earlier failures); a failed
one leaves them to count until the window passes. Attempts refused by the throttle are removed,
so the wait does not grow while someone keeps trying.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from core.auth.models import LoginFailure
from core.db import db, utcnow


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
    """Rows written for one attempt in progress."""

    rows: dict[str, LoginFailure] = field(default_factory=dict)

    def succeeded(self, *, clear: tuple[str, ...] = ()) -> None:
        """Forget this attempt, and every earlier failure of the kinds in ``clear``."""
        for kind, row in self.rows.items():
            if kind in clear:
                db.session.execute(
                    sa.delete(LoginFailure).where(LoginFailure.kind == kind, LoginFailure.key == row.key)
                )
            else:
                db.session.execute(sa.delete(LoginFailure).where(LoginFailure.id == row.id))


def _retry_at(kind: str, key: str, limit: int, since: datetime, exclude: int) -> datetime | None:
    """When fewer than ``limit`` earlier failures remain in the window, or None if already so."""
    window = timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW"])
    times = db.session.scalars(
        sa.select(LoginFailure.occurred_at)
        .where(
            LoginFailure.kind == kind,
            LoginFailure.key == key,
            LoginFailure.occurred_at > since,
            LoginFailure.id != exclude,
        )
        .order_by(LoginFailure.occurred_at)
    ).all()
    if len(times) < limit:
        return None
    return times[len(times) - limit] + window


def begin_attempt(limits: dict[str, tuple[str, int]]) -> Attempt:
    """Record an attempt under each ``kind: (value, limit)`` and commit; raise Throttled if over."""
    now = utcnow()
    attempt = Attempt()
    for kind, (value, _limit) in limits.items():
        row = LoginFailure(kind=kind, key=throttle_key(kind, value), occurred_at=now)
        db.session.add(row)
        attempt.rows[kind] = row
    db.session.commit()
    since = now - timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW"])
    waits = [
        _retry_at(kind, attempt.rows[kind].key, limit, since, attempt.rows[kind].id)
        for kind, (_value, limit) in limits.items()
    ]
    waits = [w for w in waits if w is not None]
    if waits:
        for row in attempt.rows.values():
            db.session.execute(sa.delete(LoginFailure).where(LoginFailure.id == row.id))
        db.session.commit()
        raise Throttled(max(waits))
    return attempt


def purge_expired() -> int:
    """Delete rows older than the window (called now and then; counts ignore them anyway)."""
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW"])
    return db.session.execute(sa.delete(LoginFailure).where(LoginFailure.occurred_at <= since)).rowcount


def forget(limits: dict[str, tuple[str, int]]) -> None:
    """Drop the recorded failures under these keys (after a password reset proves the mailbox)."""
    for kind, (value, _limit) in limits.items():
        db.session.execute(
            sa.delete(LoginFailure).where(LoginFailure.kind == kind, LoginFailure.key == throttle_key(kind, value))
        )
