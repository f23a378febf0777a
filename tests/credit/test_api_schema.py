"""The public credit API against its own OpenAPI document (schemathesis, in-process, no sign-in)."""

from __future__ import annotations

import contextvars

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings


@pytest.fixture
def credit_api_schema(app):
    app.config["CREDIT_LOOKUP_PER_MINUTE"] = 0  # generated calls are not scraping
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    app.config["CREDIT_LOOKUP_PER_MINUTE"] = 60


schema = schemathesis.pytest.from_fixture("credit_api_schema").include(path_regex=r"^/api/v1/credit/")


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_credit_api_matches_its_document(case, make_firm):
    contextvars.Context().run(case.call_and_validate)
