"""API tokens (接口令牌): creating, listing, revoking and checking bearer tokens."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value

from core.accounts.models import Membership, User
from core.audit.operations import record_event
from core.auth.hashing import digest, new_secret
from core.auth.models import SCOPES, ApiToken
from core.db import DomainError, db, utcnow

TOKEN_PREFIX = "pst_"
# last_used_at is written at most this often per token, so busy clients do not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create_token(membership: Membership, data: dict, *, actor: User) -> tuple[ApiToken, str]:
    """Issue a token acting in ``membership``; returns it and the secret, which is shown only once."""
    scopes = sorted(set(data["scopes"]))
    if not scopes or any(s not in SCOPES for s in scopes):
        raise DomainError("unknown scope", code="scope", field="scopes")
    days = int(data["days"])
    if not 1 <= days <= current_app.config["API_TOKEN_MAX_DAYS"]:
        raise DomainError("token lifetime out of range", code="lifetime", field="days")
    if membership.user_id != actor.id or not membership.active:
        raise DomainError("membership is not yours", code="membership")
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken(
        user_id=actor.id,
        membership_id=membership.id,
        name=data["name"].strip(),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=digest(secret),
        granted_scopes=" ".join(scopes),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        "auth.token_created", token, actor=actor, details={"scopes": scopes, "days": days, "membership": membership.id}
    )
    return token, secret


def revoke_token(token: ApiToken, *, actor: User) -> None:
    """Stop a token from working, at once."""
    if token.revoked_at is not None:
        raise DomainError("token already revoked", code="revoked")
    token.revoked_at = utcnow()
    record_event("auth.token_revoked", token, actor=actor)


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )


def authenticate_bearer(secret: str) -> tuple[User, ApiToken] | None:
    """The user and token for a bearer secret that is known, unexpired, unrevoked and still bound."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    now = utcnow()
    if token is None or not token.is_usable(now):
        return None
    user, membership = token.user, token.membership
    if not user.active or not membership.active or membership.user_id != user.id:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        _touch(token.id, now)
        set_committed_value(token, "last_used_at", now)
    return user, token


def _touch(token_id: int, now) -> None:
    """Note the last use in its own short transaction (a GET request commits nothing)."""
    try:
        with db.engine.begin() as conn:
            conn.execute(sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
    except OperationalError:  # a busy SQLite file: the time is a convenience, the request goes on
        current_app.logger.warning("could not note last use of API token %s", token_id)
