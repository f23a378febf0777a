"""The tender API: creating with Idempotency-Key, moves refused as 409 problem details, scopes, the
public list and detail as JSON, documents checked by content."""

from __future__ import annotations

import io

import pytest

from core.extensions import db
from tender.tenders.models import Tender
from tests.core.api.conftest import make_token  # noqa: F401
from tests.tender.tenders.conftest import ANNOUNCED, PDF, SUBMITTED, docx_bytes


def bearer(make_token, user, scopes=("tender:write",)):  # noqa: F811
    return {"Authorization": f"Bearer {make_token(user, scopes=scopes)}"}


def test_create_draft_once_with_an_idempotency_key(people, client, make_token, clock):  # noqa: F811
    p = people()
    clock.set(SUBMITTED)
    headers = {**bearer(make_token, p["officer"]), "Idempotency-Key": "draft-1"}
    first = client.post("/api/v1/tenders", json={"community_name": "接口小区"}, headers=headers)
    again = client.post("/api/v1/tenders", json={"community_name": "接口小区"}, headers=headers)
    assert first.status_code == 201 and again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and first.get_json()["id"] == again.get_json()["id"]
    assert db.session.scalar(db.select(db.func.count(Tender.id))) == 1
    body = first.get_json()
    assert body["state"] == "draft" and "submit" in body["allowed_actions"]
    assert {"code", "field", "message"} <= set(body["problems"][0])


def test_an_invalid_move_is_a_409_problem_with_the_reason(make_tender, client, make_token):  # noqa: F811
    tender, p = make_tender()
    answer = client.post(f"/api/v1/tenders/{tender.id}/publish", headers=bearer(make_token, p["officer"]))
    assert answer.status_code == 409 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["type"] == "/problems/publish_not_allowed" and answer.get_json()["detail"]
    refused = client.post(f"/api/v1/tenders/{tender.id}/file", json={}, headers=bearer(make_token, p["officer"]))
    assert refused.status_code == 403  # a tenderer never files
    bad = client.post(f"/api/v1/tenders/{tender.id}/cancel", json={"reason": "nope", "note": ""},
                      headers=bearer(make_token, p["officer"]))
    assert bad.status_code == 422 and "reason" in bad.get_json()["errors"]


def test_submit_file_and_publish_through_the_api(make_tender, client, make_token, clock):  # noqa: F811
    tender, p = make_tender()
    officer, bureau = bearer(make_token, p["officer"]), bearer(make_token, p["supervisor"])
    assert client.post(f"/api/v1/tenders/{tender.id}/submit", headers=officer).get_json()["state"] == "pending_filing"
    assert client.post(f"/api/v1/tenders/{tender.id}/file", json={}, headers=bureau).get_json()["state"] == "filed"
    early = client.post(f"/api/v1/tenders/{tender.id}/publish", headers=officer)
    assert early.status_code == 409 and "10" in early.get_json()["detail"]  # filed, but too soon after submission
    clock.set(ANNOUNCED)
    published = client.post(f"/api/v1/tenders/{tender.id}/publish", headers=officer).get_json()
    assert published["phase"] == "open_for_bids" and published["ocds_status"] == "active"


def test_a_read_token_cannot_write(make_tender, client, make_token):  # noqa: F811
    tender, p = make_tender()
    answer = client.post(f"/api/v1/tenders/{tender.id}/submit",
                         headers=bearer(make_token, p["officer"], scopes=("tender:read",)))
    assert answer.status_code == 403 and answer.get_json()["type"] == "/problems/token_scope"


def test_public_list_and_detail_as_json(make_tender, client):
    published, _p = make_tender("published", community_name="公开小区")
    draft, _q = make_tender(community_name="草稿小区")
    listing = client.get("/api/v1/tenders?district=310104&state=open_for_bids&q=公开")
    assert [t["reference"] for t in listing.get_json()] == [published.reference]
    assert listing.headers["X-Pagination"]
    assert client.get(f"/api/v1/tenders/{draft.id}").status_code == 404
    detail = client.get(f"/api/v1/tenders/{published.id}").get_json()
    assert detail["documents"][0]["sha256"] and "allowed_actions" not in detail and "procedure_values" not in detail
    assert client.get("/api/v1/tenders?state=secret").status_code == 422
    assert client.get("/api/v1/tenders/99999999999").status_code == 404


@pytest.mark.parametrize("content, ok", [(PDF, True), (docx_bytes(), True), (b"<html>not a pdf</html>", False),
                                         (b"PK\x03\x04broken zip", False), (b"", False)])
def test_documents_are_checked_by_their_content(make_tender, client, make_token, content, ok):  # noqa: F811
    tender, p = make_tender()
    answer = client.post(f"/api/v1/tenders/{tender.id}/documents", headers=bearer(make_token, p["officer"]),
                         data={"file": (io.BytesIO(content), "招标文件.pdf")}, content_type="multipart/form-data")
    assert (answer.status_code == 201) is ok, answer.get_json()
    if not ok:
        assert answer.status_code in (409, 422) and len(tender.documents) == 1


def test_registration_and_questions_through_the_api(make_tender, client, make_token):  # noqa: F811
    tender, p = make_tender("published")
    firm = bearer(make_token, p["firm_users"][0])
    other = bearer(make_token, p["firm_users"][1])
    assert client.get(f"/api/v1/tenders/{tender.id}/questions", headers=other).status_code == 409
    assert client.post(f"/api/v1/tenders/{tender.id}/registrations", headers=firm).status_code == 201
    assert client.post(f"/api/v1/tenders/{tender.id}/registrations", headers=firm).status_code == 409
    asked = client.post(f"/api/v1/tenders/{tender.id}/questions", json={"text": "请问保洁范围是否包含地下车库？"},
                        headers=firm).get_json()
    answer = client.post(f"/api/v1/tenders/{tender.id}/questions/{asked['code']}/answer",
                         json={"text": "包含地下车库及非机动车库。"}, headers=bearer(make_token, p["officer"]))
    assert answer.status_code == 201 and answer.get_json()["deadline_after"] is None
    mine = client.get(f"/api/v1/tenders/{tender.id}/questions", headers=firm).get_json()
    assert mine[0]["mine"] is True and "asker" not in mine[0] and mine[0]["answer"].startswith("包含")
