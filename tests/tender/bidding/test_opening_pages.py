"""The ceremony's pages through HTTP: who sees them, shares sent as JSON, the record, objections and
confirmations, the public statistics, and a custodian's list of tenders with their opening times."""

from __future__ import annotations

import re

import pytest

from core.extensions import db
from tender.bidding.models import OpeningState
from tender.bidding.operations import opening as ops
from tests.factories import csrf_token
from tests.tender.bidding.opening_helpers import run_jobs, sealed_tender, unwrap_all


@pytest.fixture
def world(make_tender, make_org, make_user, clock):
    return sealed_tender(make_tender, make_org, make_user, clock)


def meta_token(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def send_shares(client, world, user):
    page = client.get(f"/tenders/{world.tender.id}/opening")
    assert page.status_code == 200
    return client.post(f"/tenders/{world.tender.id}/opening/shares", json=unwrap_all(world, user),
                       headers={"X-CSRFToken": meta_token(page.get_data(as_text=True))})


def test_the_ceremony_is_for_its_participants_only(world, client, login, logout, make_user):
    url = f"/tenders/{world.tender.id}/opening"
    assert client.get(url).status_code == 302  # sign in first
    login(make_user())  # a firm that did not bid
    assert client.get(url).status_code == 404
    assert client.get(url + "/status.json").status_code == 404
    logout()
    login(world.firm_users[0])  # a bidder attends, but does not see the envelopes' headers
    assert client.get(url).status_code == 200
    assert client.get(url + "/envelopes.json").status_code == 404
    status = client.get(url + "/status.json").get_json()
    assert (status["submitted"], status["threshold"], status["custodians_total"]) == (0, 2, 3)


def test_custodians_send_shares_and_everyone_follows_the_progress(world, client, login, logout):
    first, second = world.custodians[0], world.custodians[2]
    login(first)
    html = client.get(f"/tenders/{world.tender.id}/opening").get_data(as_text=True)
    assert 'id="unwrap-form"' in html
    headers = client.get(f"/tenders/{world.tender.id}/opening/envelopes.json").get_json()
    assert len(headers["envelopes"]) == 3 and all(e["header"] for e in headers["envelopes"])
    answer = send_shares(client, world, first)
    assert answer.status_code == 201 and answer.get_json()["status"]["submitted"] == 1
    again = send_shares(client, world, first)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    logout()
    login(world.firm_users[1])
    assert client.get(f"/tenders/{world.tender.id}/opening/status.json").get_json()["submitted"] == 1
    logout()
    login(second)
    answer = send_shares(client, world, second)
    # The k-th share answers at once: the envelopes are opened by the job it queued.
    assert answer.status_code == 201 and answer.get_json()["status"]["state"] == "in_progress"
    logout()
    assert ops.opening_of(world.tender).state == OpeningState.IN_PROGRESS
    login(world.firm_users[1])
    assert client.get(f"/tenders/{world.tender.id}/opening/status.json").get_json()["state"] == "in_progress"
    assert 'id="opening-record"' not in client.get(f"/tenders/{world.tender.id}/opening").get_data(as_text=True)
    logout()
    assert "tender.bidding.opening_tasks.open_bids" in [job.func_name for job in run_jobs()]
    assert ops.opening_of(world.tender).state == OpeningState.OPENED
    login(world.firm_users[1])
    html = client.get(f"/tenders/{world.tender.id}/opening").get_data(as_text=True)
    assert 'id="opening-record"' in html and all(f.name in html for f in world.firms)
    token = csrf_token(html)
    assert client.post(f"/tenders/{world.tender.id}/opening/confirm", data={"csrf_token": token}).status_code == 302
    client.post(f"/tenders/{world.tender.id}/opening/objections",
                data={"csrf_token": token, "text": "第三家投标人的开标时间记录与现场不一致。"})
    db.session.expire_all()
    opening = ops.opening_of(world.tender)
    assert [c.firm_id for c in opening.confirmations] == [world.firms[1].id]
    assert len(opening.objections) == 1
    logout()
    login(world.people["officer"])
    html = client.get(f"/tenders/{world.tender.id}/opening").get_data(as_text=True)
    objection = opening.objections[0]
    client.post(f"/tenders/{world.tender.id}/opening/objections/{objection.id}/answer",
                data={"csrf_token": csrf_token(html), "answer": "经核对，开标时间记录无误，以系统记录为准。"})
    db.session.expire_all()
    assert ops.opening_of(world.tender).objections[0].answer.startswith("经核对")


def test_shares_from_someone_else_are_refused_with_problem_details(world, client, login):
    login(world.custodians[0])
    page = client.get(f"/tenders/{world.tender.id}/opening").get_data(as_text=True)
    answer = client.post(f"/tenders/{world.tender.id}/opening/shares", json=unwrap_all(world, world.custodians[1]),
                         headers={"X-CSRFToken": meta_token(page)})
    assert answer.status_code == 409 and "wrong_share" in answer.get_json()["type"]
    assert client.post(f"/tenders/{world.tender.id}/opening/shares", data="nonsense",
                       headers={"X-CSRFToken": meta_token(page)}).status_code == 400
    assert ops.opening_of(world.tender) is None


def test_public_statistics_and_the_custodian_s_list(world, client, login):
    stats = client.get(f"/tenders/{world.tender.id}/opening/statistics.json").get_json()
    assert stats == {"tender": world.tender.reference, "opened": False}
    login(world.custodians[1])
    html = client.get("/tenders/custody").get_data(as_text=True)
    assert world.tender.community_name in html and "2026-10-20" in html
    key_page = client.get("/sealing/custodian-key").get_data(as_text=True)
    assert 'id="custody-list"' in key_page and world.tender.reference in key_page


def test_dashboards_lead_to_the_opening_and_bidders_may_object_from_its_start(world, client, login, logout):
    link = f"/tenders/{world.tender.id}/opening"
    for user in (world.firm_users[2], world.people["officer"], world.custodians[1]):
        login(user)
        assert link in client.get("/dashboard").get_data(as_text=True), user
        logout()
    login(world.firm_users[2])
    html = client.get(link).get_data(as_text=True)
    assert 'id="objection-text"' in html  # before any custodian has come
    client.post(link + "/objections", data={"csrf_token": csrf_token(html), "text": "开标时间已到，保管人尚未到场。"})
    db.session.expire_all()
    assert len(ops.opening_of(world.tender).objections) == 1


def test_the_tender_page_shows_the_opening_counts_to_all_and_the_ceremony_link_to_its_participants(
        world, client, login, logout):
    url = f"/tenders/{world.tender.id}"
    login(world.firm_users[0])
    html = client.get(url).get_data(as_text=True)
    assert 'id="opening-page-link"' in html and 'id="opening-statistics"' not in html
    logout()
    assert 'id="opening"' not in client.get(url).get_data(as_text=True)  # nothing to show a visitor yet
    for user in (world.custodians[0], world.custodians[2]):
        ops.submit_shares(world.tender, unwrap_all(world, user), actor=user)
        db.session.commit()
    assert 'id="opening-statistics"' not in client.get(url).get_data(as_text=True)  # in progress: no counts yet
    run_jobs()
    html = client.get(url).get_data(as_text=True)
    assert 'id="opening-statistics"' in html and 'id="opening-page-link"' not in html
    assert "3" in re.search(r'id="opening-statistics">([^<]+)<', html).group(1)
    login(world.firm_users[1])
    html = client.get(url).get_data(as_text=True)
    assert 'id="opening-statistics"' in html and 'id="opening-page-link"' in html
