"""A fixed-window request limit per client address, kept in Redis so every instance shares it.

When Redis cannot be reached the limit fails open: public reads keep working, each failure is
logged and counted (``failures()``, and the running count in the log line operators watch).
"""

from __future__ import annotations

import logging
import threading
import time

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

WINDOW_SECONDS = 60
log = logging.getLogger(__name__)
_failures = 0
_lock = threading.Lock()


def failures() -> int:
    """How many requests this process let through unlimited because Redis was unreachable."""
    return _failures


def _failed() -> None:
    global _failures
    with _lock:
        _failures += 1
        count = _failures
    log.warning("rate limiter unavailable (Redis unreachable); request let through, %d so far in this process", count)


def _redis():
    return current_app.extensions["rq"].get_queue().connection


def hit(bucket: str, limit: int, key: str | None = None) -> tuple[bool, int]:
    """Count one request in ``bucket``; (allowed, seconds until the window resets)."""
    now = int(time.time())
    window = now // WINDOW_SECONDS
    redis_key = f"credit:rl:{bucket}:{key or request.remote_addr or 'unknown'}:{window}"
    try:
        pipe = _redis().pipeline()
        pipe.incr(redis_key)
        pipe.expire(redis_key, WINDOW_SECONDS * 2)
        count, _ = pipe.execute()
    except Exception:  # noqa: BLE001 — any Redis trouble: fail open, counted
        _failed()
        return True, 0
    return count <= limit, WINDOW_SECONDS - now % WINDOW_SECONDS


def enforce(bucket: str = "lookup", limit: int | None = None) -> None:
    """Refuse with 429 (and Retry-After) once an address passes ``limit`` requests a minute in
    ``bucket`` (by default the configured lookup limit)."""
    if limit is None:
        limit = current_app.config.get("CREDIT_LOOKUP_PER_MINUTE", 60)
    if not limit:
        return
    allowed, retry_after = hit(bucket, limit)
    if not allowed:
        exc = TooManyRequests(_("Too many requests from this address; wait a minute and try again."))
        exc.retry_after = retry_after
        raise exc
