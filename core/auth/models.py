"""What signing in keeps: API tokens, recovery codes, password-reset tokens and login failures.

Every secret here (API token, recovery code, reset token) is a high-entropy random string shown to
its holder once; only its SHA-256 is stored, which is enough for secrets that cannot be guessed.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Membership, User
from core.db import db, utcnow

# API scopes, and the narrower scopes each one also grants.
SCOPES = ("account", "credit:read", "tender:read", "tender:write", "admin")
IMPLIED_SCOPES = {
    "tender:write": frozenset({"tender:read"}),
    "admin": frozenset(SCOPES),
}


def expand_scopes(granted) -> frozenset[str]:
    result = set(granted)
    for scope in granted:
        result |= IMPLIED_SCOPES.get(scope, frozenset())
    return frozenset(result)


class ApiToken(db.Model):
    """A scoped, expiring bearer token for the JSON API, acting in one membership."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("membership.id"))
    name: Mapped[str] = mapped_column(sa.String(100))
    # The first characters of the token, so its holder can tell tokens apart; not a secret.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    granted_scopes: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    membership: Mapped[Membership] = relationship()

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.granted_scopes.split() if s]

    @property
    def scopes(self) -> frozenset[str]:
        """Granted scopes with the ones they imply (read by the request loader)."""
        return expand_scopes(self.scope_list)

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class RecoveryCode(db.Model):
    """A single-use code that stands in for the second factor when the authenticator is lost."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class PasswordResetToken(db.Model):
    """A mailed, single-use, expiring permission to set a new password."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """One failed (or in-flight) attempt, counted per key within the throttle window.

    Kept in the database so every web server instance sees the same counts. The key is an HMAC
    of the email address, client address or user id, so the table holds no personal data in clear.
    """

    __tablename__ = "login_failure"
    __table_args__ = (sa.Index("ix_login_failure_key_time", "kind", "key", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # account, address, second_factor, reset, register
    key: Mapped[str] = mapped_column(sa.String(64))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
