"""Serving stored public lookup answers without running the Flask request (WSGI middleware).

Only anonymous GETs of the routes in ROUTES come this way: no Authorization header, and either no
cookie at all or only the session cookie of an anonymous visitor (a form token and a chosen
language, nothing else). Everything else, and every answer not stored yet, goes through the
application unchanged; the application's views decide what may be stored (credit.cache.keep).

A stored answer is the application's own response (status, headers — the security headers among
them — and body) and is replayed as it was, with the per-visitor parts filled in again: the form
token (and, for a visitor without a session, a new session cookie carrying it, as Flask-WTF would
make) and the "as of" time. The lookup rate limit is counted on the same Redis key as
credit.ratelimit, in the same round trip that fetches the answer; a visitor over the limit is
handed to the application, which refuses with its usual 429 answer.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from datetime import datetime, timezone
from functools import lru_cache
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.http import parse_cookie

from credit import cache, ratelimit

ROUTES = re.compile(r"^(/api/v1/credit/lookup|/credit/firms/[0-9A-Z]{18})$")
# The query parameters each route reads. A request carrying any other (or one twice) goes to the
# application unstored, so made-up parameters cannot fill the store with variants.
PARAMS = {"/api/v1/credit/lookup": frozenset({"q", "limit", "lang"}), "firm": frozenset({"lang"})}
CSRF_MARK = b"\x00credit-csrf\x00"
AS_OF_MARK = b"\x00credit-as-of\x00"
AS_OF_FORMAT = "yyyy-MM-dd EEE HH:mm"  # core.web.format_time
SHANGHAI = ZoneInfo("Asia/Shanghai")
ANONYMOUS_SESSION_KEYS = frozenset({"csrf_token", "locale"})

# One round trip: the publication version, the entry, and — only when the entry is current — the
# request counted against the lookup limit (a miss is counted by the application's own check).
FETCH = """
local version = redis.call('GET', KEYS[1]) or '0'
local entry = redis.call('GET', KEYS[2])
if not entry or string.sub(entry, 1, #version + 1) ~= version .. '|' then
  return {version, false, 0}
end
local count = 0
if ARGV[1] == '1' then
  count = redis.call('INCR', KEYS[3])
  redis.call('EXPIRE', KEYS[3], ARGV[2])
end
return {version, entry, count}
"""


@lru_cache(maxsize=64)
def _as_of(locale: str, minute: int) -> bytes:
    instant = datetime.fromtimestamp(minute * 60, timezone.utc)
    return format_datetime(instant, AS_OF_FORMAT, tzinfo=SHANGHAI, locale=Locale.parse(locale)).encode()


class PublicLookupFastPath:
    """WSGI middleware in front of the Flask application for stored public lookup answers."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._fetch = None
        config = app.config
        self.cookie_name = config["SESSION_COOKIE_NAME"]
        self.languages = tuple(config["LANGUAGES"])
        self.default_locale = config["BABEL_DEFAULT_LOCALE"]
        self._cookie_suffix = None
        self._serializers: dict = {}

    # --- set-up, once per process ---

    def _script(self):
        if self._fetch is None:
            with self.app.app_context():
                self._fetch = cache.redis_connection().register_script(FETCH)
        return self._fetch

    def _session_serializer(self):
        if self._serializers.get("session") is None:
            self._serializers["session"] = self.app.session_interface.get_signing_serializer(self.app)
        return self._serializers["session"]

    def _csrf_serializer(self):
        if self._serializers.get("csrf") is None:  # as flask_wtf.csrf.generate_csrf signs the session's token
            secret = self.app.config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
            self._serializers["csrf"] = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
        return self._serializers["csrf"]

    def cookie_suffix(self) -> str:
        """The attributes Flask puts after the session cookie's value (path, HttpOnly, SameSite, ...)."""
        if self._cookie_suffix is None:
            with self.app.test_request_context("/"):
                from flask import session

                response = self.app.response_class()
                session["x"] = "x"
                self.app.session_interface.save_session(self.app, session, response)
                header = response.headers["Set-Cookie"]
            self._cookie_suffix = header[header.index(";"):] if ";" in header else ""
        return self._cookie_suffix

    # --- the request ---

    def __call__(self, environ, start_response):
        if (environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ
                or not ROUTES.match(environ.get("PATH_INFO", ""))
                or not self.app.config.get("CREDIT_PUBLIC_CACHE", True)):
            return self.wsgi_app(environ, start_response)
        if not self._plain_query(environ["PATH_INFO"], environ.get("QUERY_STRING", "")):
            return self.wsgi_app(environ, start_response)
        session = self._anonymous_session(environ.get("HTTP_COOKIE"))
        if session is None:
            return self.wsgi_app(environ, start_response)
        locale = self._locale(environ.get("QUERY_STRING", ""), session)
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"
        key = "|".join((cache.ENTRY_PREFIX + environ.get("wsgi.url_scheme", "http"), host,
                        environ.get("SCRIPT_NAME", "") + environ["PATH_INFO"], environ.get("QUERY_STRING", ""), locale))
        limit = self.app.config.get("CREDIT_LOOKUP_PER_MINUTE", 60)
        now = int(time.time())
        limit_key = f"credit:rl:lookup:{environ.get('REMOTE_ADDR') or 'unknown'}:{now // ratelimit.WINDOW_SECONDS}"
        try:
            version, entry, count = self._script()(
                keys=[cache.VERSION_KEY, key, limit_key],
                args=["1" if limit else "0", ratelimit.WINDOW_SECONDS * 2],
            )
        except Exception:  # Redis trouble: the application answers (and reports) as it would anyway
            return self.wsgi_app(environ, start_response)
        if entry:
            if limit and count > limit:
                return self.wsgi_app(environ, start_response)  # it counts again and answers 429
            return self._replay(entry, session, start_response)
        environ[cache.ENVIRON_SLOT] = {"key": key, "version": version.decode(), "locale": locale}
        return self._store(environ, start_response)

    @staticmethod
    def _plain_query(path: str, query: str) -> bool:
        """True when the query string holds only parameters the route reads, each once."""
        allowed = PARAMS.get(path, PARAMS["firm"])
        names = [part.split("=", 1)[0] for part in query.split("&") if part]
        return len(names) == len(set(names)) and set(names) <= allowed

    def _anonymous_session(self, cookie_header: str | None) -> dict | None:
        """The visitor's session if it is an anonymous one ({} without cookies); None otherwise."""
        if not cookie_header:
            return {}
        cookies = parse_cookie(cookie_header)
        if set(cookies) != {self.cookie_name}:
            return None
        try:
            data = self._session_serializer().loads(
                cookies[self.cookie_name], max_age=int(self.app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return None
        if not isinstance(data, dict) or not set(data) <= ANONYMOUS_SESSION_KEYS:
            return None
        return data

    def _locale(self, query: str, session: dict) -> str:
        """core.i18n.select_locale for an anonymous visitor: ?lang=, then the session's choice, then the default."""
        if query:
            chosen = parse_qs(query, keep_blank_values=True).get("lang", [None])[0]
            if chosen in self.languages:
                return chosen
        if session.get("locale") in self.languages:
            return session["locale"]
        return self.default_locale

    def _replay(self, entry: bytes, session: dict, start_response):
        meta, body = cache.unpack(entry)
        headers = [tuple(h) for h in meta["headers"]]
        if meta.get("csrf"):
            fresh = "csrf_token" not in session
            if fresh:
                session = dict(session, csrf_token=hashlib.sha1(os.urandom(64)).hexdigest())
                cookie = self._session_serializer().dumps(session)
                headers.append(("Set-Cookie", f"{self.cookie_name}={cookie}{self.cookie_suffix()}"))
            body = body.replace(CSRF_MARK, self._csrf_serializer().dumps(session["csrf_token"]).encode())
        if meta.get("as_of"):
            body = body.replace(AS_OF_MARK, _as_of(meta["locale"], int(time.time()) // 60))
        headers.append(("Content-Length", str(len(body))))
        start_response(meta["status"], headers)
        return [body]

    def _store(self, environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers, exc_info=exc_info)

        result = self.wsgi_app(environ, capture)
        slot = environ[cache.ENVIRON_SLOT]
        if captured.get("status", "").startswith("200") and "keep" in slot and captured["exc_info"] is None:
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            self._save(slot, captured, body)
            start_response(captured["status"], captured["headers"])
            return [body]
        start_response(captured["status"], captured["headers"], captured["exc_info"])
        return result

    def _save(self, slot: dict, captured: dict, body: bytes) -> None:
        if slot.get("rendered_locale", str(Locale.parse(slot["locale"]))) != str(Locale.parse(slot["locale"])):
            cache.log.warning("language chosen differently by the app and the fast path; answer not stored")
            return
        stored = body
        meta = {"status": captured["status"], "headers": [], "csrf": False, "as_of": False, "locale": slot["locale"]}
        for name, value in captured["headers"]:
            if name.lower() == "set-cookie":
                if not value.startswith(self.cookie_name + "="):
                    return  # a cookie this replay would not make again
                continue
            if name.lower() != "content-length":
                meta["headers"].append((name, value))
        token = slot.get("csrf_token")
        if token:
            if token.encode() not in stored:
                return
            stored, meta["csrf"] = stored.replace(token.encode(), CSRF_MARK), True
        as_of = slot.get("as_of")
        if as_of:
            if as_of.encode() not in stored:
                return
            stored, meta["as_of"] = stored.replace(as_of.encode(), AS_OF_MARK), True
        ttl = cache.ttl_ms(slot.get("until"))
        if ttl < 1000:
            return
        try:
            with self.app.app_context():
                cache.redis_connection().set(slot["key"], cache.pack(slot["version"], meta, stored), px=ttl)
        except Exception:
            cache.log.exception("could not store a public credit answer")


def install(app) -> None:
    """Put the fast path in front of ``app``'s WSGI callable (inside any proxy fix applied later)."""
    app.wsgi_app = PublicLookupFastPath(app, app.wsgi_app)
