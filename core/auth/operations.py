"""Signing in and out, passwords and password reset."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from core.accounts.models import User
from core.audit.operations import record_event
from core.auth.hashing import digest, new_secret
from core.auth.models import ApiToken, PasswordResetToken
from core.auth.passwords import password_problem
from core.db import DomainError, db, utcnow
from core.security import check_password, hash_password

# A reset mail is not sent again for the same account within this time (stops mail floods).
RESET_RESEND_AFTER = timedelta(minutes=2)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def _dummy_hash() -> str:
    """A hash to check against when there is no account, so both answers take as long."""
    cache = current_app.extensions.setdefault("auth_dummy_hash", {})
    if "hash" not in cache:
        cache["hash"] = hash_password(new_secret())
    return cache["hash"]


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password match, or None."""
    user = find_user_by_email(email)
    if user is None:
        check_password(_dummy_hash(), password)
        return None
    if not check_password(user.password_hash, password) or not user.active:
        return None
    return user


def record_login(user: User, *, second_factor: str | None = None) -> None:
    """Note a completed sign-in."""
    user.last_login_at = utcnow()
    record_event("auth.login", user, actor=user, details={"second_factor": second_factor} if second_factor else None)


def record_failed_login(email: str, *, stage: str) -> None:
    """Note a refused password or second-factor code for an existing account."""
    user = find_user_by_email(email)
    if user is not None:
        record_event("auth.login_failed", user, actor=None, details={"stage": stage})


def record_logout(user: User) -> None:
    """Note that a session was ended by its user."""
    record_event("auth.logout", user, actor=user)


def logout_everywhere(user: User) -> int:
    """End every session of this user (older session cookies stop working); returns how many API tokens were revoked."""
    user.session_epoch += 1
    record_event("auth.logout_everywhere", user, actor=user)
    return _revoke_api_tokens(user, actor=user, reason="logout_everywhere")


def _revoke_api_tokens(user: User, *, actor: User | None, reason: str) -> int:
    """Revoke every usable API token of ``user``; a token may have leaked with the session or password."""
    now = utcnow()
    live = db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
        .order_by(ApiToken.id)
    ).all()
    for token in live:
        token.revoked_at = now
        record_event("auth.token_revoked", token, actor=actor, details={"reason": reason})
    return len(live)


def _set_password(user: User, password: str) -> None:
    problem = password_problem(password, email=user.email)
    if problem is not None:
        raise DomainError(str(problem), code="weak_password", field="new_password")
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    # Outstanding reset links stop working once the password has changed.
    db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def change_password(user: User, data: dict, *, actor: User) -> int:
    """Set a new password after checking the current one; other sessions end, API tokens are revoked (returns how many)."""
    if not check_password(user.password_hash, data["current_password"]):
        raise DomainError(_("Your current password is not right."), code="wrong_password", field="current_password")
    _set_password(user, data["new_password"])
    record_event("auth.password_changed", user, actor=actor)
    return _revoke_api_tokens(user, actor=actor, reason="password_changed")


def request_password_reset(email: str) -> tuple[User, str] | None:
    """Make a reset token for an active account; returns the user and the secret for the mail.

    Returns None (and makes nothing) for an unknown or inactive address, or when a link was sent
    moments ago; the caller answers the same in every case.
    """
    user = find_user_by_email(email)
    if user is None or not user.active:
        return None
    now = utcnow()
    recent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PasswordResetToken)
        .where(
            PasswordResetToken.user_id == user.id,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.created_at > now - RESET_RESEND_AFTER,
        )
    )
    if recent:
        return None
    secret = new_secret()
    token = PasswordResetToken(
        user_id=user.id,
        token_hash=digest(secret),
        created_at=now,
        expires_at=now + timedelta(seconds=current_app.config["PASSWORD_RESET_MAX_AGE"]),
    )
    db.session.add(token)
    db.session.flush()
    record_event("auth.password_reset_requested", user, actor=None, details={"token": token.id})
    return user, secret


def find_reset_token(secret: str) -> PasswordResetToken | None:
    """The unused, unexpired reset token for ``secret``, or None."""
    if not secret or len(secret) > 200:
        return None
    token = db.session.scalar(sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == digest(secret)))
    if token is None or token.used_at is not None or token.expires_at <= utcnow() or not token.user.active:
        return None
    return token


def reset_password(token: PasswordResetToken, data: dict) -> User:
    """Use a reset token once to set a new password; every session of the user ends."""
    claimed = db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.id == token.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise DomainError(_("This link has been used already. Ask for a new one."), code="used")
    user = token.user
    _set_password(user, data["new_password"])
    record_event("auth.password_reset", user, actor=user, details={"token": token.id})
    _revoke_api_tokens(user, actor=user, reason="password_reset")
    return user


def set_language(user: User, locale: str, *, actor: User) -> None:
    """Remember the user's language for pages and mail."""
    if locale not in current_app.config["LANGUAGES"]:
        raise DomainError(_("Choose one of the languages offered."), code="locale", field="locale")
    user.locale = locale
    record_event("auth.language_changed", user, actor=actor, details={"locale": locale})
