"""Request hooks, template helpers and security headers for every page."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from core import authz
from core.accounts.models import Role

# Hooks that run after the route's access rule (e.g. the second-factor gate); features append.
after_access_hooks: list = []


# The largest number taken from a query string: ids and page numbers fit well inside a 64-bit column.
ARG_INT_MAX = 2**53


def int_arg(name: str, default: int | None = None, *, minimum: int = 1) -> int | None:
    """An integer query argument within [minimum, ARG_INT_MAX]; ``default`` when absent or not a number."""
    value = request.args.get(name, type=int)
    if value is None:
        return default
    return min(max(value, minimum), ARG_INT_MAX)


def site_path(endpoint: str, **values) -> str:
    """The path of a page, in a request or outside one (jobs, commands, the demo seed)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def site_url(endpoint: str, **values) -> str:
    """The full address of a page, for mail and printed reports (PUBLIC_BASE_URL)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + site_path(endpoint, **values)


def format_time(value: datetime | None, fmt: str = "yyyy-MM-dd EEE HH:mm") -> str:
    """A UTC instant shown in Asia/Shanghai with the weekday."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def format_yuan(fen: int | None, unit: str | None = None) -> str:
    """Integer fen shown as yuan with two decimals and the unit."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    text = f"{sign}{fen // 100:,}.{fen % 100:02d}"
    return f"{text} {unit or _('yuan')}"


ROLE_LABELS = {
    Role.TENDERER: lambda: _("Tenderer"),
    Role.AGENCY: lambda: _("Tender agency"),
    Role.FIRM: lambda: _("Property-service firm"),
    Role.SUPERVISOR: lambda: _("Supervisor"),
    Role.EXPERT: lambda: _("Evaluation expert"),
    Role.OPERATOR: lambda: _("Platform operator"),
}


def role_label(role: Role | None) -> str:
    return ROLE_LABELS[role]() if role else ""


def body_limit(max_bytes):
    """Declare a request-body limit for a view (an upload form), applied before anything — the CSRF
    check included — reads the body; a larger body is refused with 413. ``max_bytes`` is a number or
    a function of no arguments (to read a setting at request time)."""

    def decorate(func):
        func.__body_limit__ = max_bytes
        return func

    return decorate


def no_store(func):
    """Declare that a view shows personal data (a registrant's answers, a complaint, a reset form):
    its answer says ``Cache-Control: no-store`` even to a visitor who is not signed in."""
    func.__no_store__ = True
    return func


def _view_says(name: str) -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, name, False))


def _apply_body_limit() -> None:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    view_class = getattr(view, "view_class", None)  # a MethodView: the limit sits on the method
    handler = getattr(view_class, request.method.lower(), None) if view_class is not None else view
    limit = getattr(handler, "__body_limit__", None)
    if callable(limit):
        limit = limit()
    if limit is not None:
        request.max_content_length = limit


# Ids are integer columns (32 bits on PostgreSQL): a larger number in a URL names nothing, and
# handing it to the database would be an error rather than "not found".
ID_MAX = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` with the largest value a database id can hold, so a larger one is a plain 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 (Werkzeug's names)
        bounded = ID_MAX if max is None or max > ID_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bounded, signed=signed)


def init_app(app) -> None:
    # Before any route is added: every <int:...> in the application is bounded.
    app.url_map.converters["int"] = BoundedIntegerConverter

    # First of all request hooks: Flask-WTF's CSRF check reads the form, and with it the body.
    app.before_request_funcs.setdefault(None, []).insert(0, _apply_body_limit)

    @app.before_request
    def access_and_session():
        authz.enforce_route_rule()
        for hook in after_access_hooks:
            hook()

    @app.after_request
    def security_headers(response):
        h = response.headers
        h.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith("/api/") or current_user.is_authenticated or _view_says("__no_store__"):
            h.setdefault("Cache-Control", "no-store")
        hsts = current_app.config.get("HSTS_SECONDS")
        if hsts:
            # Browsers then refuse plain HTTP to the site: WebCrypto sealing needs HTTPS anyway.
            h.setdefault("Strict-Transport-Security", f"max-age={int(hsts)}; includeSubDomains")
        return response

    endpoints = frozenset()

    @app.before_request
    def _endpoints_once():
        nonlocal endpoints
        if not endpoints:
            endpoints = frozenset(r.endpoint for r in app.url_map.iter_rules())

    @app.context_processor
    def template_globals():
        return {
            "active_membership": authz.active_membership(),
            "active_role": authz.active_role(),
            "current_locale": str(get_locale()),
            "url_rules": endpoints,
            "role_label": role_label,
        }

    app.jinja_env.filters["localtime"] = format_time
    app.jinja_env.filters["yuan"] = format_yuan
    app.jinja_env.globals["Role"] = Role
