"""Error answers: RFC 9457 problem details for the API, friendly pages for the site."""

from __future__ import annotations

from http import HTTPStatus

from flask import current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException, UnsupportedMediaType

from core.authz import Denied
from core.db import DomainError, db

PROBLEM_BASE = "/problems/"
PROBLEM_MIME = "application/problem+json"
# Headers of an HTTP error worth keeping in the problem answer.
KEPT_ERROR_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every API error is answered (documents the answers only)."""

    type = fields.String(
        metadata={"description": "URI reference naming the kind of problem (about:blank or /problems/<code>)"}
    )
    title = fields.String(metadata={"description": "short summary of the kind of problem"})
    status = fields.Integer(metadata={"description": "the HTTP status code"})
    detail = fields.String(metadata={"description": "what went wrong with this request, in plain words"})
    instance = fields.String(metadata={"description": "the path of the request"})
    errors = fields.Dict(
        metadata={"description": "messages per input location or field, for invalid input (422) and refusals"}
    )


def document_problems(spec) -> None:
    """Make every error response in the OpenAPI document a problem+json answer."""
    if "Problem" not in spec.components.schemas:
        spec.components.schema("Problem", schema=ProblemSchema)
    ref = {"$ref": "#/components/schemas/Problem"}
    names = [(status.name, status.phrase) for status in HTTPStatus if status >= 400]
    names.append(("DEFAULT_ERROR", "Error, as RFC 9457 problem details"))
    for name, description in names:
        response = {"description": description, "content": {PROBLEM_MIME: {"schema": ref}}}
        if name in spec.components.responses:  # already referenced by a registered blueprint
            spec.components.responses[name] = response
        else:
            spec.components.response(name, response, lazy=True)


def _json_body_expected() -> bool:
    """Whether the matched API view reads a JSON body (flask-smorest records its argument locations)."""
    view = current_app.view_functions.get(request.endpoint or "")
    handler = getattr(getattr(view, "view_class", None), request.method.lower(), view)
    arguments = getattr(handler, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return any(arg.get("in") == "json" for arg in arguments)


def require_json_body() -> None:
    """before_request: an API body that the view reads as JSON must be sent as JSON (else 415)."""
    if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH"):
        return
    if not request.content_length and not request.headers.get("Transfer-Encoding"):
        return
    if request.is_json or not _json_body_expected():
        return
    raise UnsupportedMediaType(_("Send the request body as JSON (Content-Type: application/json)."))


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
    response.mimetype = PROBLEM_MIME
    return response


def _page(status: int, title: str, detail: str | None = None):
    return render_template("error.html", status=status, title=title, detail=detail), status


def _discard_work() -> None:
    """Roll the request's unit of work back before an error answer is built.

    The answer's page reads the signed-in user and their roles; after a failed statement the session
    refuses every query until it is rolled back, which would turn any error into a bare server error.
    """
    try:
        db.session.rollback()
    except Exception:  # the connection itself is gone: the page is built without the database
        current_app.logger.exception("rollback before an error answer failed")


def conflict_response(exc: DomainError):
    """The answer to a request that lost a race with a concurrent one (see core.requests)."""
    _discard_work()
    if wants_problem_json():
        return problem(409, _("Request refused"), exc.message, code=exc.code)
    return current_app.make_response(_page(409, _("Request refused"), exc.message))


DENIED_TEXT = {
    "sign_in_required": lambda: _("Please sign in to continue."),
    "role": lambda: _("Your current role may not use this page."),
    "organisation_not_verified": lambda: _("Your organisation has not been verified by the bureau yet."),
    "token_scope": lambda: _("This API token does not carry the scope this call needs."),
    "second_factor_required": lambda: _("This role requires a second factor."),
}


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def protect_api_calls(app) -> None:
    """CSRF for the JSON API: needed only when a call rides on the session cookie.

    A call with a bearer token (or with no credentials at all) carries nothing a forged cross-site
    request could borrow, so flask-wtf's blanket check is lifted for the API blueprints and applied
    here to session-authenticated calls only (they send the token in the X-CSRFToken header).
    """
    from core.extensions import csrf

    api_blueprints = frozenset(app.extensions["flask-smorest"]["blp_name_to_api"])
    for name in api_blueprints:
        csrf.exempt(app.blueprints[name])

    @app.before_request
    def csrf_for_session_api_calls():
        if request.blueprint not in api_blueprints or request.method in SAFE_METHODS:
            return
        if current_user.is_authenticated and g.get("token_scopes") is None:
            csrf.protect()


def init_app(app) -> None:
    protect_api_calls(app)
    app.before_request(require_json_body)

    @app.errorhandler(Denied)
    def denied(exc: Denied):
        _discard_work()
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
        _discard_work()
        if wants_problem_json():
            extra = {"errors": {exc.field: [exc.message]}} if exc.field else {}
            return problem(exc.status, _("Request refused"), exc.message, code=exc.code, **extra)
        return _page(exc.status, _("Request refused"), exc.message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        _discard_work()
        detail = _("The form has expired or did not come from this site. Go back, reload the page and try again.")
        if wants_problem_json():
            return problem(400, _("Invalid form token"), detail, code="csrf")
        return _page(400, _("Invalid form token"), detail)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        _discard_work()
        status = exc.code or 500
        if wants_problem_json():
            extra = {}
            data = getattr(exc, "data", None)  # flask-smorest / webargs validation messages
            if isinstance(data, dict) and "messages" in data:
                messages = data["messages"]
                # webargs nests messages by location ("json", "query", ...): flatten one level when
                # it holds field names, so "errors" is always an object of field -> messages.
                if isinstance(messages, dict) and len(messages) == 1 and isinstance(next(iter(messages.values())), dict):
                    messages = next(iter(messages.values()))
                if not isinstance(messages, dict):
                    messages = {"_body": messages if isinstance(messages, list) else [str(messages)]}
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
            for name, value in exc.get_headers():
                if name in KEPT_ERROR_HEADERS:
                    resp.headers[name] = value
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
        _discard_work()
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if wants_problem_json():
            return problem(500, _("Server error"), _("Something went wrong on our side. Nothing was changed."))
        return _page(500, _("Server error"), _("Something went wrong on our side. Nothing was changed."))
