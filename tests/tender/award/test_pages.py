"""The award pages through HTTP: the desk each party sees and the actions it offers, forms that fail
changing nothing, the firm's notice, the whole record with hashes and the receipt chain, dashboards."""

from __future__ import annotations

import io
from datetime import timedelta

from core.extensions import db
from tender.award import operations as ops
from tender.award.models import FilingKind
from tender.tenders.models import TenderState
from tests.factories import csrf_token
from tests.tender.tenders.conftest import PDF


def _token(client, url):
    return csrf_token(client.get(url).get_data(as_text=True))


def test_the_desk_offers_each_party_its_actions(awarding, login, logout, client, clock):
    tender, p, publicity, _bids = awarding()
    url = f"/tenders/{tender.id}/award?lang=en"
    login(p["firm_users"][1])
    page = client.get(url).get_data(as_text=True)
    assert "Lodge an objection" in page and "Confirm the first candidate" not in page
    token = _token(client, f"/tenders/{tender.id}/objections/new")
    sent = client.post(f"/tenders/{tender.id}/objections/new", data={
        "csrf_token": token, "point": "scores", "reasons": "短"})
    assert sent.status_code == 400 and ops.state.objections(tender) == []
    sent = client.post(f"/tenders/{tender.id}/objections/new", data={
        "csrf_token": token, "point": "scores", "reasons": "第一名技术分偏高，附评分表。",
        "evidence": (io.BytesIO(PDF), "评分表.pdf")}, content_type="multipart/form-data")
    assert sent.status_code == 302
    objection = ops.state.objections(tender)[0]
    assert objection.evidence[0]["name"] == "评分表.pdf"
    assert client.get(f"/tenders/{tender.id}/award/files/{objection.evidence[0]['sha256']}").status_code == 200
    logout()
    login(p["officer"])
    page = client.get(url).get_data(as_text=True)
    assert "Send the answer" in page and "An objection is open" in page and "Confirm the first candidate" not in page
    token = _token(client, url)
    assert client.post(f"/tenders/{tender.id}/objections/{objection.id}/answer",
                       data={"csrf_token": token, "answer": "经评标委员会复核，评分无误。"}).status_code == 302
    clock.set(publicity.ends_at + timedelta(minutes=1))
    page = client.get(url).get_data(as_text=True)
    assert "Confirm the first candidate" in page
    assert client.post(f"/tenders/{tender.id}/award/confirm", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert tender.state == TenderState.AWARDED
    assert client.post(f"/tenders/{tender.id}/award/confirm", data={"csrf_token": token}).status_code == 409
    page = client.get(url).get_data(as_text=True)
    assert "Submit the award for filing" in page and "Upload and submit the contract" in page
    logout()
    login(p["firm_users"][0])
    award = ops.state.current_offer(tender)
    ops.send_award_notices(award)
    db.session.commit()
    notice = client.get(f"/tenders/{tender.id}/award/notice?lang=en").get_data(as_text=True)
    assert "Award notice" in notice and "中标通知书" in notice and p["firms"][0].name in notice
    logout()
    login(p["firm_users"][2])
    result = client.get(f"/tenders/{tender.id}/award/notice?lang=en").get_data(as_text=True)
    assert "Result notice" in result and p["firms"][0].name in result
    # The evidence is the objector's and the tender's side's, not another bidder's.
    assert client.get(f"/tenders/{tender.id}/award/files/{objection.evidence[0]['sha256']}").status_code == 404


def test_the_whole_record_lists_steps_documents_hashes_and_the_receipt_chain(awarding, login, client, clock):
    tender, p, publicity, bids = awarding()
    ops.lodge_objection(tender, {"point": "price", "reasons": "第一名报价低于成本价。"}, actor=p["firm_users"][1])
    ops.answer_objection(ops.state.objections(tender)[0], {"answer": "报价经评标委员会评审合理。"}, actor=p["officer"])
    db.session.commit()
    clock.set(publicity.ends_at + timedelta(minutes=1))
    ops.confirm_award(tender, actor=p["officer"])
    db.session.commit()
    login(p["supervisor"])
    page = client.get(f"/tenders/{tender.id}/record?lang=en").get_data(as_text=True)
    assert "Receipt chain" in page and "Verified" in page
    for d in tender.documents:
        assert d.digest in page
    assert bids[0].current_version.envelope_sha256 in page
    steps = ["tender.pending_filing", "tender.filed", "tender.published", "award.objection_lodged",
             "award.objection_answered", "award.offered", "tender.awarded"]
    positions = [page.index(s) for s in steps]
    assert positions == sorted(positions)
    assert client.get(f"/tenders/{tender.id}/record").status_code == 200


def test_a_firm_and_a_stranger_cannot_read_the_record(awarding, login, client):
    tender, p, publicity, _bids = awarding()
    login(p["firm_users"][0])
    assert client.get(f"/tenders/{tender.id}/record").status_code == 403


def test_the_firms_dashboard_shows_its_results_and_awards(awarding, login, client, clock):
    tender, p, publicity, _bids = awarding()
    clock.set(publicity.ends_at + timedelta(minutes=1))
    ops.confirm_award(tender, actor=p["officer"])
    db.session.commit()
    login(p["firm_users"][0])
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "Your results and awards" in page and tender.community_name in page and "Awarded" in page


def test_the_bureau_decides_a_filing_from_its_desk(awarding, login, client, clock):
    tender, p, publicity, _bids = awarding()
    clock.set(publicity.ends_at + timedelta(minutes=1))
    ops.confirm_award(tender, actor=p["officer"])
    ops.submit_award_filing(tender, {"reasons": "综合得分最高，且无异议。"}, actor=p["officer"])
    db.session.commit()
    login(p["supervisor"])
    url = f"/tenders/{tender.id}/award?lang=en"
    page = client.get(url).get_data(as_text=True)
    assert "Record the decision" in page
    token = csrf_token(page)
    bad = client.post(f"/tenders/{tender.id}/award/filing/award/decide", data={"csrf_token": token,
                                                                               "decision": "return", "reasons": ""})
    assert bad.status_code == 400
    good = client.post(f"/tenders/{tender.id}/award/filing/award/decide", data={"csrf_token": token,
                                                                                "decision": "file"})
    assert good.status_code == 302
    db.session.expire_all()
    award = ops.state.current_offer(tender)
    assert award.filing(FilingKind.AWARD).state.value == "filed"


def test_another_districts_bureau_and_a_stranger_firm_have_no_desk(awarding, login, logout, client, make_user):
    from core.accounts import operations as accounts
    from core.accounts.models import MemberRole, OrgKind

    tender, p, publicity, _bids = awarding()
    other = make_user(OrgKind.DISTRICT_BUREAU, org=accounts.bureau_for("310115"), role=MemberRole.MEMBER)
    assert other.memberships[0].organisation.district_code == "310115" != tender.district_code, tender.district_code
    login(other)
    assert client.get(f"/tenders/{tender.id}/award").status_code == 404
    assert client.get(f"/tenders/{tender.id}/record").status_code == 404
    logout()
    login(make_user(OrgKind.FIRM))
    assert client.get(f"/tenders/{tender.id}/award").status_code == 404
    assert client.get(f"/tenders/{tender.id}/award/notice").status_code == 404
    assert "award.desk" not in client.get(f"/tenders/{tender.id}").get_data(as_text=True)
