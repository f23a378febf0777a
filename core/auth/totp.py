"""The TOTP second factor (RFC 6238): SHA-1, six digits, 30-second steps, one step of drift.

This module is the only one that touches the one-time-password primitives.
"""

from __future__ import annotations

import base64
import os
import time

import segno
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP

DIGITS = 6
STEP_SECONDS = 30
DRIFT_STEPS = 1
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA-1 block-size recommendation of RFC 4226


def new_secret() -> str:
    """A fresh shared secret, base32 without padding (what authenticator apps accept)."""
    return base64.b32encode(os.urandom(SECRET_BYTES)).decode().rstrip("=")


def _totp(secret: str) -> TOTP:
    padded = secret + "=" * (-len(secret) % 8)
    return TOTP(base64.b32decode(padded), DIGITS, SHA1(), STEP_SECONDS)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    """The code for one time step (used by tests and by nothing else in the application)."""
    return _totp(secret).generate(step * STEP_SECONDS).decode()


def matching_step(secret: str, code: str, *, after: int | None, now: float | None = None) -> int | None:
    """The time step within the allowed drift whose code is ``code`` and is later than ``after``.

    Steps at or before ``after`` (the last one used) are refused, so a code cannot be replayed.
    """
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = _totp(secret)
    step = current_step(now)
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if after is not None and candidate <= after:
            continue
        try:
            totp.verify(code.encode(), candidate * STEP_SECONDS)
        except InvalidToken:
            continue
        return candidate
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return _totp(secret).get_provisioning_uri(account, issuer)


def qr_data_uri(uri: str) -> str:
    """An SVG QR code as a data: URI, rendered on the server (the page runs no script)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")


def group(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
