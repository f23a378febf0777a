"""Signing in and out."""

from __future__ import annotations

import sqlalchemy as sa

from core.accounts.models import User
from core.audit.operations import record_event
from core.db import db, utcnow
from core.security import check_password


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password match, or None."""
    user = find_user_by_email(email)
    if user is None or not user.active or not check_password(user.password_hash, password):
        return None
    return user


def record_login(user: User) -> None:
    """Note a completed sign-in."""
    user.last_login_at = utcnow()
    record_event("auth.login", user, actor=user)


def logout_everywhere(user: User) -> None:
    """End every session of this user (older session cookies stop working)."""
    user.session_epoch += 1
    record_event("auth.logout_everywhere", user, actor=user)
