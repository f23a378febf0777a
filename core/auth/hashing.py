"""Random one-time secrets and their stored digests."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str = "", nbytes: int = 32) -> str:
    """A URL-safe random secret with at least 256 bits unless asked otherwise."""
    return prefix + secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """SHA-256 hex: enough for high-entropy secrets, which cannot be guessed offline."""
    return hashlib.sha256(secret.encode()).hexdigest()
