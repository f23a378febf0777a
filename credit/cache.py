"""Public answers cached the standard HTTP way, inside Flask.

*Publication version*: a random value in Redis, replaced after every committed transaction that wrote
anything the public can see (records and their due process, corrections, subjects, managers and
their projects, the catalogue, grade thresholds, policy, districts), caught by session hooks on
flushes and bulk statements. Writes that bypass the ORM session must call :func:`bump`.

Every anonymous public GET that a view marks with :func:`public_answer` then:

* carries ``ETag: W/"<version>-<language>"`` and ``Cache-Control: public, max-age=N`` (a shared
  cache such as the reverse proxy may keep it for N seconds), ``Vary: Cookie``; a request whose
  ``If-None-Match`` names the current tag is answered ``304 Not Modified`` without building it;
* is built once per version, language and URL and kept in Redis by Flask-Caching, so the answer
  cache sits inside the request: the access rule, the rate limit (counted once per request), the
  security headers and every other hook run as for any request.

Signed-in visitors, token calls and visitors with a message waiting (a flash) are never cached.
Time also changes answers (a record's period ends): the expiry sweep runs every minute and its write
replaces the version. When Redis is unreachable the answer is built and served uncached.
"""

from __future__ import annotations

import logging
import secrets
from functools import wraps

import sqlalchemy as sa
from flask import current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

VERSION_KEY = "credit:pub:version"
ANSWER_PREFIX = "credit:answer:"
answers = Cache()

# Credit tables whose rows the public never sees, directly or through a score; writes to any other
# credit table (and to districts, shown as the authority) change public answers.
PRIVATE_TABLES = frozenset({
    "credit_complaint", "credit_complaint_attachment", "credit_complaint_draft", "credit_exchange_item",
    "credit_exchange_batch", "credit_import_run", "credit_report_certificate", "credit_decision_counter",
    # The subject's objection and correction requests: the public sees only what the bureau decides
    # on the record itself.
    "credit_objection", "credit_correction",
})


def is_public_table(name: str) -> bool:
    return (name.startswith("credit_") or name == "district") and name not in PRIVATE_TABLES


def redis_connection():
    return current_app.extensions["rq"].get_queue().connection


def bump(connection=None) -> None:
    """Make every cached public answer and tag stale (after a write the session hooks cannot see).

    The new version is random, not a count: were the key ever lost (evicted, deleted), a count
    would start again and reach the versions of answers stored before, which would then match.
    """
    (connection or redis_connection()).set(VERSION_KEY, secrets.token_hex(8))


def publication_version() -> str | None:
    """The current publication version (made on first use), read once per request; None without Redis."""
    if "credit_version" in g:
        return g.credit_version
    try:
        conn = redis_connection()
        value = conn.get(VERSION_KEY)
        if value is None:
            conn.set(VERSION_KEY, secrets.token_hex(8), nx=True)
            value = conn.get(VERSION_KEY)
        version = value.decode() if value is not None else None
    except Exception:  # Redis down: public reads go on, uncached
        log.warning("publication version unreadable (Redis unreachable); answering uncached")
        version = None
    g.credit_version = version
    return version


# --- invalidation: mark sessions that wrote public rows, bump once their transaction commits ---

_MARK = "credit_public_changed"


def _touches_public(objects) -> bool:
    return any(is_public_table(getattr(getattr(o, "__table__", None), "name", "")) for o in objects)


def _mark_flush(session_, _context) -> None:
    # A row is dirty also when only a collection it holds changed (a record gaining a correction
    # request); only a change of its own columns changes what the public sees of it.
    dirty = [o for o in session_.dirty if session_.is_modified(o, include_collections=False)]
    if _touches_public(session_.new) or _touches_public(dirty) or _touches_public(session_.deleted):
        session_.info[_MARK] = True


def _mark_bulk(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None and is_public_table(getattr(table, "name", "")):
            state.session.info[_MARK] = True


def _bump_after_commit(session_) -> None:
    if not session_.info.pop(_MARK, False):
        return
    try:
        bump()
    except Exception:  # Redis unreachable: cached answers live until their timeout
        log.exception("could not bump the public credit version; cached answers live until they time out")


def _forget_mark(session_) -> None:
    session_.info.pop(_MARK, None)


LISTENERS = (("after_flush", _mark_flush), ("do_orm_execute", _mark_bulk), ("after_commit", _bump_after_commit),
             ("after_rollback", _forget_mark))


def install(app) -> None:
    """Watch every session for public writes and bind the answer cache (called by ``credit.init_app``)."""
    for name, listener in LISTENERS:
        if not sa.event.contains(Session, name, listener):
            sa.event.listen(Session, name, listener)
    app.config.setdefault("CACHE_TYPE", "RedisCache")
    app.config.setdefault("CACHE_REDIS_URL", app.config.get("RQ_CONNECTION"))
    app.config.setdefault("CACHE_KEY_PREFIX", ANSWER_PREFIX)
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", app.config.get("CREDIT_ANSWER_CACHE_SECONDS", 300))
    answers.init_app(app)


# --- the view decorator ---


def personal() -> bool:
    """Answers that belong to one visitor: signed in, a token call, or a message waiting for them."""
    return (current_user.is_authenticated or "Authorization" in request.headers or "_flashes" in session
            or not current_app.config.get("CREDIT_PUBLIC_CACHE", True))


def _answer_key(*_args, **_kwargs) -> str:
    args = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
    return f"{g.credit_version}:{get_locale()}:{request.path}?{args}"


def _worth_keeping(response) -> bool:
    return getattr(response, "status_code", 200) == 200


def etag() -> str:
    return f"{g.credit_version}-{get_locale()}"


def public_answer(bucket: str = "lookup"):
    """Mark an anonymous public GET view as cacheable (see the module docstring); ``bucket`` is its rate limit."""
    from credit import ratelimit

    def decorate(view):
        cached = answers.cached(make_cache_key=_answer_key, unless=lambda *a, **k: g.get("credit_version") is None,
                                response_filter=_worth_keeping)(view)

        @wraps(view)
        def wrapper(*args, **kwargs):
            ratelimit.enforce(bucket)
            if personal():
                return view(*args, **kwargs)
            if publication_version() is None:
                response = make_response(view(*args, **kwargs))
                response.headers.setdefault("Cache-Control", "no-cache")
                return response
            if request.if_none_match.contains_weak(etag()):
                response = current_app.response_class(status=304)
            else:
                response = make_response(cached(*args, **kwargs))
                if response.status_code != 200:
                    return response
            response.set_etag(etag(), weak=True)
            response.headers["Cache-Control"] = f"public, max-age={current_app.config['CREDIT_PUBLIC_MAX_AGE']}"
            response.vary.add("Cookie")
            return response

        return wrapper

    return decorate
