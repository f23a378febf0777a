"""The API reference page and the OpenAPI document's route, both public.

The page is Swagger UI, vendored under ``static/vendor/swagger-ui`` and started by
``static/js/api-reference.js``, so it works under the site's CSP (scripts from 'self' only).
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, render_template, url_for

from core.authz import PUBLIC, access
from core.errors import document_problems

bp = Blueprint("api_docs", __name__)

OPENAPI_ENDPOINT = "api-docs.openapi_json"
# flask-smorest documents X-Pagination as an object, but a header carries text: the JSON of that object.
PAGINATION_HEADER = {
    "description": (
        "Pagination metadata as JSON: total, total_pages, first_page, last_page, page, "
        "previous_page, next_page."
    ),
    "schema": {"type": "string"},
}


def _describe_pagination_header(spec) -> None:
    if "PAGINATION" in spec.components.headers:
        spec.components.headers["PAGINATION"] = PAGINATION_HEADER
    else:
        spec.components.header("PAGINATION", PAGINATION_HEADER, lazy=True)


@bp.record_once
def _open_the_document(state) -> None:
    """Give flask-smorest's openapi.json route a public rule and document problem answers."""
    app = state.app
    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    document_problems(api.spec)
    _describe_pagination_header(api.spec)
    serve = app.view_functions.get(OPENAPI_ENDPOINT)
    if serve is not None and not hasattr(serve, "__access_rule__"):

        @wraps(serve)
        def openapi_json():
            return serve()

        app.view_functions[OPENAPI_ENDPOINT] = access(PUBLIC)(openapi_json)


@bp.get("/api/docs")
@access(PUBLIC)
def reference():
    """The interactive reference of the JSON API."""
    spec_url = url_for(OPENAPI_ENDPOINT)
    return render_template(
        "api_reference.html", spec_url=spec_url, title=current_app.config["API_TITLE"]
    )
