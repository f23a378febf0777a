"""Error answers: RFC 9457 problem details for the API, friendly pages for the site."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from core.authz import Denied
from core.db import DomainError

PROBLEM_BASE = "/problems/"


def wants_problem_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json" and not request.path.startswith("/static/")
    )


def problem(status: int, title: str, detail: str | None = None, *, code: str | None = None, **extra):
    body = {
        "type": PROBLEM_BASE + code if code else "about:blank",
        "title": title,
        "status": status,
        "instance": request.path,
    }
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _page(status: int, title: str, detail: str | None = None):
    return render_template("error.html", status=status, title=title, detail=detail), status


DENIED_TEXT = {
    "sign_in_required": lambda: _("Please sign in to continue."),
    "role": lambda: _("Your current role may not use this page."),
    "organisation_not_verified": lambda: _("Your organisation has not been verified by the bureau yet."),
    "token_scope": lambda: _("This API token does not carry the scope this call needs."),
    "second_factor_required": lambda: _("This role requires a second factor."),
}


def init_app(app) -> None:
    @app.errorhandler(Denied)
    def denied(exc: Denied):
        text = DENIED_TEXT.get(exc.reason, lambda: _("You may not do this."))()
        if wants_problem_json():
            title = _("Authentication required") if exc.status == 401 else _("Forbidden")
            resp = problem(exc.status, title, text, code=exc.reason)
            if exc.status == 401:
                resp.headers["WWW-Authenticate"] = 'Bearer realm="api"'
            return resp
        if exc.status == 401:
            return redirect(url_for("auth.login", next=request.full_path))
        return _page(403, _("Forbidden"), text)

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if wants_problem_json():
            extra = {"errors": {exc.field: [exc.message]}} if exc.field else {}
            return problem(exc.status, _("Request refused"), exc.message, code=exc.code, **extra)
        return _page(exc.status, _("Request refused"), exc.message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        detail = _("The form has expired or did not come from this site. Go back, reload the page and try again.")
        if wants_problem_json():
            return problem(400, _("Invalid form token"), detail, code="csrf")
        return _page(400, _("Invalid form token"), detail)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if wants_problem_json():
            extra = {}
            data = getattr(exc, "data", None)  # flask-smorest / webargs validation messages
            if isinstance(data, dict) and "messages" in data:
                messages = data["messages"]
                # webargs nests messages by location ("json", "query", ...); flatten one level.
                if isinstance(messages, dict) and len(messages) == 1:
                    messages = next(iter(messages.values()))
                extra["errors"] = messages
            titles = {
                400: _("Bad request"),
                404: _("Not found"),
                405: _("Method not allowed"),
                413: _("Upload too large"),
                415: _("Unsupported media type"),
                422: _("Invalid input"),
                429: _("Too many requests"),
            }
            resp = problem(status, titles.get(status, exc.name), exc.description, code=str(status), **extra)
            if status == 429 and getattr(exc, "retry_after", None):
                resp.headers["Retry-After"] = str(exc.retry_after)
            return resp
        if status == 413:
            return _page(413, _("Upload too large"), _("The file is larger than this form accepts."))
        if status == 404:
            return _page(404, _("Page not found"), _("Check the address, or start again from the home page."))
        return _page(status, exc.name, exc.description)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if wants_problem_json():
            return problem(500, _("Server error"), _("Something went wrong on our side. Nothing was changed."))
        return _page(500, _("Server error"), _("Something went wrong on our side. Nothing was changed."))
