"""The second factor (双重认证): enrolling an authenticator app, checking codes, recovery codes."""

from __future__ import annotations

import base64
import os

import sqlalchemy as sa
from flask_babel import gettext as _

from core.accounts.models import User
from core.audit.operations import record_event
from core.auth import totp
from core.auth.hashing import digest
from core.auth.models import RecoveryCode
from core.db import DomainError, db, utcnow

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_BYTES = 10  # 80 bits each: 16 base32 characters


def _normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _new_recovery_code() -> str:
    raw = base64.b32encode(os.urandom(RECOVERY_CODE_BYTES)).decode().lower()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def new_enrolment_secret(user: User) -> str:
    """A fresh authenticator secret to show the user; nothing is stored until a code from it is confirmed."""
    if user.has_second_factor:
        raise DomainError(_("A second factor is already set up."), code="enrolled")
    return totp.new_secret()


def confirm_enrolment(user: User, secret: str | None, code: str, *, actor: User) -> list[str]:
    """Turn ``secret`` on once a code from it is right; returns fresh recovery codes.

    Other sessions of the user end, since they were opened without the second factor.
    """
    if user.has_second_factor or not secret:
        raise DomainError(_("Start setting up the second factor again."), code="not_enrolling")
    step = totp.matching_step(secret, code, after=None)
    if step is None:
        raise DomainError(_("The code is not right. Enter the current code from your app."), code="code", field="code")
    user.totp_secret = secret
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    user.session_epoch += 1
    record_event("auth.second_factor_enabled", user, actor=actor)
    return _replace_recovery_codes(user)


def disable_second_factor(user: User, *, actor: User) -> None:
    """Remove the authenticator and the recovery codes (to set up a new app, or to turn it off)."""
    if user.totp_secret is None:
        raise DomainError(_("No second factor is set up."), code="not_enrolled")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record_event("auth.second_factor_disabled", user, actor=actor)


def regenerate_recovery_codes(user: User, *, actor: User) -> list[str]:
    """Replace all recovery codes; the old ones stop working."""
    if not user.has_second_factor:
        raise DomainError(_("Set up a second factor first."), code="not_enrolled")
    codes = _replace_recovery_codes(user)
    record_event("auth.recovery_codes_replaced", user, actor=actor)
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=digest(_normalise_recovery_code(c))) for c in codes
    )
    db.session.flush()
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def check_second_factor(user: User, code: str) -> str | None:
    """Accept a current authenticator code or an unused recovery code, each only once.

    Returns "totp" or "recovery_code" for an accepted code, None otherwise. The claim is a
    conditional UPDATE, so two requests racing with the same code cannot both pass.
    """
    if not user.has_second_factor:
        return None
    step = totp.matching_step(user.totp_secret, code, after=user.totp_last_step)
    if step is not None:
        claimed = db.session.execute(
            sa.update(User)
            .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
        ).rowcount
        return "totp" if claimed == 1 else None
    normalised = _normalise_recovery_code(code)
    if len(normalised) != RECOVERY_CODE_BYTES * 8 // 5:
        return None
    claimed = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == digest(normalised),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        return None
    record_event("auth.recovery_code_used", user, actor=user, details={"left": recovery_codes_left(user)})
    return "recovery_code"
