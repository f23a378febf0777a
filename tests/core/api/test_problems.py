"""Every API error is an RFC 9457 problem, and bad input changes nothing."""

from __future__ import annotations

from core.jobs.models import Notification
from tests.core.api.conftest import count
from tests.factories import csrf_token

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["type"] and body["instance"] == response.request.path
    return body


def test_malformed_json_is_a_400_problem_and_changes_nothing(client, operator_auth, firm_user):
    response = client.post(
        "/api/v1/notifications", data='{"recipient_id": 1, "subject": ', headers=operator_auth,
        content_type="application/json",
    )
    assert_problem(response, 400)
    assert count(Notification) == 0


def test_invalid_input_is_a_422_problem_naming_the_fields(client, operator_auth, firm_user):
    response = client.post(
        "/api/v1/notifications", json={"recipient_id": "x", "link": "https://elsewhere.example/"}, headers=operator_auth
    )
    body = assert_problem(response, 422)
    assert set(body["errors"]) == {"recipient_id", "subject", "link"}
    assert count(Notification) == 0


def test_wrong_content_type_is_a_415_problem(client, operator_auth, firm_user):
    response = client.post(
        "/api/v1/notifications", data=f"recipient_id={firm_user.id}&subject=hi", headers=operator_auth,
        content_type="application/x-www-form-urlencoded",
    )
    assert_problem(response, 415)
    assert count(Notification) == 0


def test_oversized_body_is_a_413_problem(app, client, operator_auth, firm_user, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = client.post(
        "/api/v1/notifications", json={"recipient_id": firm_user.id, "subject": "big", "body": "x" * 5000},
        headers=operator_auth,
    )
    assert_problem(response, 413)
    assert count(Notification) == 0


def test_unknown_path_and_wrong_method_are_problems(client, operator_auth):
    assert_problem(client.get("/api/v1/no-such-thing", headers=operator_auth), 404)
    response = client.delete("/api/v1/me", headers=operator_auth)
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_access_rules_answer_401_and_403_problems(client, firm_auth, firm_user):
    anonymous = client.get("/api/v1/me")
    assert assert_problem(anonymous, 401)["type"] == "/problems/sign_in_required"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    bad_token = client.get("/api/v1/me", headers={"Authorization": "Bearer pst_not-a-real-token"})
    assert_problem(bad_token, 401)
    refused = client.post("/api/v1/notifications", json={"recipient_id": firm_user.id, "subject": "hi"}, headers=firm_auth)
    assert assert_problem(refused, 403)["type"] == "/problems/role"
    assert count(Notification) == 0


def test_missing_token_scope_is_a_403_problem(client, operator, make_token, firm_user):
    narrow = {"Authorization": f"Bearer {make_token(operator, scopes=('credit:read',))}"}
    response = client.post("/api/v1/notifications", json={"recipient_id": firm_user.id, "subject": "hi"}, headers=narrow)
    assert assert_problem(response, 403)["type"] == "/problems/token_scope"


def test_business_refusal_is_a_409_problem(client, operator_auth, make_user, app_ctx):
    from core.extensions import db

    closed = make_user(active=False)
    response = client.post("/api/v1/notifications", json={"recipient_id": closed.id, "subject": "hi"}, headers=operator_auth)
    body = assert_problem(response, 409)
    assert body["type"] == "/problems/recipient_inactive" and "recipient_id" in body["errors"]
    db.session.expire_all()
    assert count(Notification) == 0


def test_session_calls_need_the_csrf_header_but_token_calls_do_not(client, login, operator, operator_auth, firm_user):
    assert client.post("/api/v1/notifications", json={"recipient_id": firm_user.id, "subject": "a"}, headers=operator_auth).status_code == 201
    login(operator)
    refused = client.post("/api/v1/notifications", json={"recipient_id": firm_user.id, "subject": "b"})
    assert assert_problem(refused, 400)["type"] == "/problems/csrf"
    token = csrf_token(client.get("/api/docs").get_data(as_text=True).replace('name="csrf-token" content', 'name="csrf_token" value'))
    accepted = client.post(
        "/api/v1/notifications", json={"recipient_id": firm_user.id, "subject": "c"}, headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201
    assert count(Notification) == 2


def test_openapi_document_describes_problems(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(problem["properties"])
    default = spec["components"]["responses"]["DEFAULT_ERROR"]
    assert list(default["content"]) == [PROBLEM]
    unprocessable = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]
    assert list(unprocessable["content"]) == [PROBLEM]
    post = spec["paths"]["/api/v1/notifications"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])


def test_malformed_json_errors_are_an_object_as_documented(client, operator_auth, firm_user):
    response = client.post("/api/v1/notifications", data="{not json", headers=operator_auth,
                           content_type="application/json")
    body = response.get_json()
    assert response.status_code == 400 and isinstance(body.get("errors", {}), dict)
