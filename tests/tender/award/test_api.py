"""The award API: the candidates and the fee notice as JSON, an objection created once with an
Idempotency-Key, a second one on the same point refused as problem details, bad input as 422."""

from __future__ import annotations

from tender.award import operations as ops
from tests.core.api.conftest import make_token  # noqa: F401


def bearer(make_token, user):  # noqa: F811
    return {"Authorization": f"Bearer {make_token(user, scopes=('tender:write',))}"}


def test_an_objection_through_the_api(awarding, client, make_token):  # noqa: F811
    tender, p, publicity, _bids = awarding()
    headers = {**bearer(make_token, p["firm_users"][1]), "Idempotency-Key": "objection-1"}
    body = {"point": "scores", "reasons": "第一名技术分明显偏高，请复核。"}
    first = client.post(f"/api/v1/tenders/{tender.id}/objections", json=body, headers=headers)
    again = client.post(f"/api/v1/tenders/{tender.id}/objections", json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert len(ops.state.objections(tender)) == 1 and first.get_json()["state"] == "open"
    second = client.post(f"/api/v1/tenders/{tender.id}/objections", json=body, headers=bearer(make_token, p["firm_users"][1]))
    assert second.status_code == 409 and second.mimetype == "application/problem+json"
    assert second.get_json()["type"] == "/problems/second_objection"
    bad = client.post(f"/api/v1/tenders/{tender.id}/objections", json={"point": "nope", "reasons": "x"},
                      headers=bearer(make_token, p["firm_users"][2]))
    assert bad.status_code == 422 and len(ops.state.objections(tender)) == 1
    assert client.get(f"/api/v1/tenders/{tender.id}/fee-notice").status_code == 404
