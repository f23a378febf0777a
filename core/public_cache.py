"""Public answers cached the standard HTTP way, inside Flask (公开页面缓存).

A feature registers an *area* of public pages with :func:`register_area`, naming the tables whose
rows its pages show. Each area has a *publication version*: a random value in Redis, replaced after
every committed transaction that wrote one of its tables (session hooks on flushes and bulk
statements; writes that bypass the session call :func:`bump`). A view marked with
:func:`public_answer` then, for a visitor who is not signed in:

* is built once per version, language and URL (and, where the business clock can move, per
  business minute) and kept in Redis by Flask-Caching, so the answer cache sits inside the
  request: the access rule, the feature's ``before`` hook (a rate limit, counted once per request),
  the security headers and every other hook run as for any request;
* carries ``ETag: W/"<version>-<language>-<content digest>"``, ``Cache-Control: public, max-age``
  (a shared cache such as the reverse proxy may keep it that long) and ``Vary: Cookie``; a request
  whose ``If-None-Match`` names the stored tag is answered ``304`` without building anything.

Time changes answers too (a tender stops being open for bids at its deadline): a view says until
when its answer holds with :func:`hold_until`, and neither Redis nor a shared cache keeps it longer.
Signed-in visitors, token calls and visitors with a message waiting (a flash) are never cached; when
Redis is unreachable the answer is built and served uncached. The domain code knows nothing of this.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Callable

import sqlalchemy as sa
from flask import current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy.orm import Session

from core import clock

log = logging.getLogger(__name__)

ANSWER_PREFIX = "pub:answer:"
answers = Cache()
_TOUCHED = "public_areas_touched"


@dataclass(frozen=True)
class Area:
    """A set of public pages: the tables whose writes change them and the settings that tune them."""

    name: str
    shows_table: Callable[[str], bool]
    enabled_setting: str
    max_age_setting: str
    answer_seconds_setting: str


def register_area(app, area: Area) -> None:
    """Make ``area`` known (its session hooks watch every session from then on)."""
    app.extensions.setdefault("public_areas", {})[area.name] = area
    _install(app)


def _areas() -> dict[str, Area]:
    return current_app.extensions.get("public_areas", {})


def _version_key(area: str) -> str:
    return f"pub:{area}:version"


def redis_connection():
    return current_app.extensions["rq"].get_queue().connection


def bump(area: str, connection=None) -> None:
    """Make every cached answer and tag of ``area`` stale.

    The new version is random, not a count: were the key ever lost (evicted, deleted), a count
    would start again and reach the versions of answers stored before, which would then match.
    """
    (connection or redis_connection()).set(_version_key(area), secrets.token_hex(8))


def publication_version(area: str) -> str | None:
    """The area's current version (made on first use), read once per request; None without Redis."""
    cached = g.setdefault("public_versions", {})
    if area in cached:
        return cached[area]
    try:
        conn = redis_connection()
        value = conn.get(_version_key(area))
        if value is None:
            conn.set(_version_key(area), secrets.token_hex(8), nx=True)
            value = conn.get(_version_key(area))
        version = value.decode() if value is not None else None
    except Exception:  # Redis down: public reads go on, uncached
        log.warning("publication version of %s unreadable (Redis unreachable); answering uncached", area)
        version = None
    cached[area] = version
    return version


# --- invalidation: note which areas a session wrote, bump them once its transaction commits ---


def _areas_showing(tables: set[str]) -> set[str]:
    from flask import has_app_context

    if not has_app_context():
        return set()
    return {area.name for area in _areas().values() for table in tables if table and area.shows_table(table)}


def _note(session_, tables: set[str]) -> None:
    touched = _areas_showing(tables)
    if touched:
        session_.info.setdefault(_TOUCHED, set()).update(touched)


def _mark_flush(session_, _context) -> None:
    # A row is dirty also when only a collection it holds changed; only a change of its own columns
    # changes what the public sees of it.
    dirty = [o for o in session_.dirty if session_.is_modified(o, include_collections=False)]
    _note(session_, {getattr(getattr(o, "__table__", None), "name", "") for o in (*session_.new, *dirty, *session_.deleted)})


def _mark_bulk(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None:
            _note(state.session, {getattr(table, "name", "")})


def _bump_after_commit(session_) -> None:
    for area in session_.info.pop(_TOUCHED, ()):
        try:
            bump(area)
        except Exception:  # Redis unreachable: cached answers live until their timeout
            log.exception("could not bump the public version of %s; cached answers live until they time out", area)


def _forget(session_) -> None:
    session_.info.pop(_TOUCHED, None)


LISTENERS = (("after_flush", _mark_flush), ("do_orm_execute", _mark_bulk), ("after_commit", _bump_after_commit),
             ("after_rollback", _forget))


def _install(app) -> None:
    for name, listener in LISTENERS:
        if not sa.event.contains(Session, name, listener):
            sa.event.listen(Session, name, listener)
    if "public_answers_bound" not in app.extensions:
        app.config.setdefault("CACHE_TYPE", "RedisCache")
        app.config.setdefault("CACHE_REDIS_URL", app.config.get("RQ_CONNECTION"))
        app.config.setdefault("CACHE_KEY_PREFIX", ANSWER_PREFIX)
        answers.init_app(app)
        app.extensions["public_answers_bound"] = True


# --- what a view says, and the decorator ---


def hold_until(instant: datetime | None) -> None:
    """The answer being built stays true until ``instant`` (the next deadline it shows)."""
    if instant is None:
        return
    current = g.get("public_answer_until")
    g.public_answer_until = instant if current is None else min(current, instant)


def personal(area: Area) -> bool:
    """Answers that belong to one visitor: signed in, a token call, or a message waiting for them."""
    return (current_user.is_authenticated or "Authorization" in request.headers or "_flashes" in session
            or not current_app.config.get(area.enabled_setting, True))


def _answer_key(area: Area, version: str) -> str:
    args = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
    minute = clock.now().strftime("%Y%m%d%H%M") if clock.movable() else ""
    return f"{area.name}:{version}:{get_locale()}:{minute}:{request.path}?{args}"


def _lifetime(area: Area) -> int:
    """Seconds the answer being built may be kept, at most the area's setting, less if it holds shorter."""
    longest = int(current_app.config[area.answer_seconds_setting])
    until = g.get("public_answer_until")
    if until is None:
        return longest
    return max(0, min(longest, int((until - clock.now()).total_seconds())))


def _revalidated(response, tag: str, max_age: int):
    response.set_etag(tag, weak=True)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.vary.add("Cookie")
    return response


def public_answer(area_name: str, before: Callable[[], None] | None = None):
    """Mark an anonymous public GET view of ``area_name`` as cacheable (see the module docstring);
    ``before`` runs first for every request, cached or not (a rate limit)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if before is not None:
                before()
            area = _areas()[area_name]
            if personal(area):
                return view(*args, **kwargs)
            version = publication_version(area_name)
            if version is None:
                response = make_response(view(*args, **kwargs))
                response.headers.setdefault("Cache-Control", "no-cache")
                return response
            key = _answer_key(area, version)
            try:
                stored = answers.get(key)
            except Exception:
                log.warning("answer cache unreadable; building the answer")
                stored = None
            max_age = int(current_app.config[area.max_age_setting])
            if stored is not None:
                tag, max_age = stored["etag"], max(0, min(max_age, int(stored["expires"] - time.time())))
                if request.if_none_match.contains_weak(tag):
                    return _revalidated(current_app.response_class(status=304), tag, max_age)
                response = current_app.response_class(stored["body"], status=200, mimetype=stored["mimetype"])
                return _revalidated(response, tag, max_age)
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.direct_passthrough or "Set-Cookie" in response.headers:
                return response
            body = response.get_data()
            tag = f"{version}-{get_locale()}-{hashlib.sha256(body).hexdigest()[:12]}"
            lifetime = _lifetime(area)
            max_age = min(max_age, lifetime)
            if lifetime >= 1:
                try:
                    answers.set(key, {"etag": tag, "body": body, "mimetype": response.mimetype,
                                      "expires": time.time() + lifetime}, timeout=lifetime)
                except Exception:
                    log.warning("could not keep a public answer in the answer cache")
            if request.if_none_match.contains_weak(tag):
                return _revalidated(current_app.response_class(status=304), tag, max_age)
            return _revalidated(response, tag, max_age)

        return wrapper

    return decorate
