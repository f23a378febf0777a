"""Password hashing and the login manager's user loading.

Passwords are hashed with scrypt (memory-hard, RFC 7914); the parameters are stored with each hash
so they can be raised later without breaking existing accounts.
"""

from __future__ import annotations

import base64
import hmac
import os

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from flask import current_app, g

from core.extensions import db, login_manager

_PREFIX = "scrypt"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str) -> str:
    cfg = current_app.config
    n, r, p = cfg["PASSWORD_SCRYPT_N"], cfg["PASSWORD_SCRYPT_R"], cfg["PASSWORD_SCRYPT_P"]
    salt = os.urandom(16)
    key = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode())
    return f"{_PREFIX}${n}${r}${p}${_b64(salt)}${_b64(key)}"


def check_password(stored: str, password: str) -> bool:
    try:
        prefix, n, r, p, salt, key = stored.split("$")
        if prefix != _PREFIX:
            return False
        Scrypt(salt=base64.b64decode(salt), length=32, n=int(n), r=int(r), p=int(p)).verify(
            password.encode(), base64.b64decode(key)
        )
        return True
    except (ValueError, InvalidKey):
        return False


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def init_login(app) -> None:
    from core.accounts.models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    # "basic", not "strong": strong ends the session whenever the client address or browser string
    # changes, which signs residents out each time their phone moves between networks. A session is
    # bound by its cookie and the user's session epoch (sign out everywhere, password change).
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        try:
            uid, epoch = (int(x) for x in user_id.split(":"))
        except ValueError:
            return None
        user = db.session.get(User, uid)
        if user is None or user.session_epoch != epoch or not user.active:
            return None
        return user

    @login_manager.request_loader
    def load_user_from_token(req):
        # Tokens are for the JSON API only: a page (e.g. the token settings) never accepts one,
        # so a narrow token cannot be used to mint a wider one.
        header = req.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not req.path.startswith("/api/"):
            return None
        from core.auth.tokens import authenticate_bearer

        found = authenticate_bearer(header[len("Bearer "):].strip())
        if found is None:
            return None
        user, token = found
        g.token_scopes = frozenset(token.scopes)
        g.token_membership_id = token.membership_id
        return user
