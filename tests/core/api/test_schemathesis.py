"""Property-based checks of the JSON API against its own OpenAPI document (schemathesis, in-process).

Each operation gets a bounded number of generated requests, sent as a signed-in platform operator
with an all-scope token; every answer must match the document: status codes, content types,
problem bodies, and no server errors.
"""

from __future__ import annotations

import contextvars
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

# The endpoint groups this suite covers; other groups add their paths here as they appear.
COVERED = r"^/api/v1/(me|notifications)"


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex=COVERED)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_matches_its_document(case, operator_auth, firm_user):
    if case.headers and "Idempotency-Key" in case.headers:
        # Generated keys repeat across different bodies, which is refused by design (422, tested in
        # test_idempotency); here every call is a new operation.
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    # A fresh context per call, so each request gets its own application context (as on a server).
    contextvars.Context().run(case.call_and_validate, headers=operator_auth)
