"""Answers of the public tender pages kept in Redis for a short while, inside Flask.

Only a GET by a visitor who is not signed in, whose answer sets no cookie, is stored; the key holds
the path, the query string and the language; the entry names the *publication version* it was built
under, a random value replaced after every committed transaction that wrote a tender table, and is
served only while that version is current, so no answer outlives a change. Time
changes answers too (a tender stops being open for bids at its deadline): a view says until when
its answer holds (:func:`hold_until`) and the entry expires then, after MAX_TTL_SECONDS at most.
The answers carry an ETag, so a browser revalidating gets 304.
"""

from __future__ import annotations

import json
import logging
import secrets
from functools import wraps

import sqlalchemy as sa
from flask import current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.orm import Session

from core import clock

log = logging.getLogger(__name__)
VERSION_KEY = "tender:pub:version"
ENTRY_PREFIX = "tender:pub:entry:"
MAX_TTL_SECONDS = 60
_MARK = "tender_public_changed"


def _redis():
    return current_app.extensions["rq"].get_queue().connection


def _is_tender_table(obj) -> bool:
    name = getattr(getattr(obj, "__table__", None), "name", "")
    return name.startswith("tender") and name not in ("tender_registration", "tender_question")


def _mark_flush(session, _context) -> None:
    if any(_is_tender_table(o) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info[_MARK] = True


def _bump_after_commit(session) -> None:
    if session.info.pop(_MARK, False):
        try:
            bump()
        except Exception:  # Redis unreachable: entries still expire within MAX_TTL_SECONDS
            log.exception("could not bump the public tender version")


def _forget(session) -> None:
    session.info.pop(_MARK, None)


def bump() -> None:
    """Make every stored public tender answer stale (random, so a lost key never meets an old version)."""
    _redis().set(VERSION_KEY, secrets.token_hex(8))


def install() -> None:
    for name, listener in (("after_flush", _mark_flush), ("after_commit", _bump_after_commit),
                           ("after_rollback", _forget)):
        if not sa.event.contains(Session, name, listener):
            sa.event.listen(Session, name, listener)


def hold_until(instant) -> None:
    """The answer being built stays true until ``instant`` (the next deadline it shows)."""
    if instant is None:
        return
    current = g.get("tender_cache_until")
    g.tender_cache_until = instant if current is None else min(current, instant)


def _key() -> str:
    parts = [request.path, request.query_string.decode("latin-1"), str(get_locale())]
    if clock.movable():
        # A moved business clock changes what the pages say without any write: key on its minute.
        parts.append(clock.now().strftime("%Y%m%d%H%M"))
    return ENTRY_PREFIX + "|".join(parts)


def public_answer(view):
    """Serve a public view's answer from Redis when an identical anonymous request was answered lately."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_app.config.get("TENDER_PUBLIC_CACHE", True) or current_user.is_authenticated:
            return _conditional(current_app.make_response(view(*args, **kwargs)))
        connection = _redis()
        key = _key()
        try:
            # One round trip: the publication version and the entry, which names the version it was built under.
            version, stored = connection.mget(VERSION_KEY, key)
        except Exception:
            log.exception("public tender answers unavailable")
            return _conditional(current_app.make_response(view(*args, **kwargs)))
        version = version or b"0"
        built_under, _sep, stored = (stored or b"").partition(b"\n")
        if stored and built_under == version:
            meta, _sep, body = stored.partition(b"\n")
            head = json.loads(meta)
            response = current_app.response_class(body, status=200, mimetype=head["mimetype"])
            response.set_etag(head["etag"])
            return _conditional(response)
        response = _conditional(current_app.make_response(view(*args, **kwargs)))
        if response.status_code == 200 and "Set-Cookie" not in response.headers:
            until = g.get("tender_cache_until")
            ttl = MAX_TTL_SECONDS if until is None else min(
                MAX_TTL_SECONDS, int((until - clock.now()).total_seconds()))
            if ttl >= 1:
                head = json.dumps({"mimetype": response.mimetype, "etag": response.get_etag()[0]}).encode()
                try:
                    connection.set(key, version + b"\n" + head + b"\n" + response.get_data(), ex=ttl)
                except Exception:
                    log.exception("could not store a public tender answer")
        return response

    return wrapper


def _conditional(response):
    if response.status_code == 200 and not response.direct_passthrough:
        if response.get_etag()[0] is None:
            response.add_etag()
        response.make_conditional(request)
    return response
