"""The expert's profile page and the city bureau's pool pages, through the real forms."""

from __future__ import annotations

from datetime import date

import pytest

from core.accounts.models import MemberRole, Membership
from core.extensions import db
from tender.evaluation.models import EmploymentStatus, ExpertProfile
from tests.factories import csrf_token


@pytest.fixture
def expert_user(city, make_user, now):
    user = make_user(city.kind, role=MemberRole.EXPERT, org=city)
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == user.id))
    membership.specialty = "residential"
    db.session.commit()
    return user


def post(client, url, page_url, data):
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def profile_of(user) -> ExpertProfile:
    db.session.expire_all()
    return db.session.scalar(db.select(ExpertProfile).join(Membership).where(Membership.user_id == user.id))


def test_an_expert_fills_in_the_profile_and_becomes_eligible(client, login, expert_user):
    login(expert_user)
    page = client.get("/evaluation/profile")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert "No profile yet" in page.get_data(as_text=True) or "尚无档案" in page.get_data(as_text=True)
    answer = post(client, "/evaluation/profile", "/evaluation/profile", {
        "profile-title": "senior_engineer", "profile-practice_since": "2010-01-01",
        "profile-districts": ["310104", "310115"], "profile-other_specialties": ["office"]})
    assert answer.status_code == 302
    profile = profile_of(expert_user)
    assert profile.district_codes == ["310104", "310115"] and profile.specialties == ["residential", "office"]
    client.get("/language/en")
    assert "Eligible for draws" in client.get("/evaluation/profile").get_data(as_text=True)


def test_a_missing_field_is_shown_beside_it(client, login, expert_user):
    login(expert_user)
    client.get("/language/en")
    answer = post(client, "/evaluation/profile", "/evaluation/profile", {"profile-title": "senior_engineer"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "There is a problem" in html and "Choose at least one district." in html
    assert profile_of(expert_user) is None


def test_relations_days_off_and_an_employer_change_from_the_profile_page(client, login, expert_user, now):
    login(expert_user)
    post(client, "/evaluation/profile", "/evaluation/profile", {
        "profile-title": "senior_engineer", "profile-practice_since": "2010-01-01", "profile-districts": ["310104"]})
    assert post(client, "/evaluation/profile/relations", "/evaluation/profile", {
        "relation-person_name": "王大明", "relation-relationship_kind": "spouse",
        "relation-organisation_name": "上海某物业公司"}).status_code == 302
    assert post(client, "/evaluation/profile/unavailability", "/evaluation/profile", {
        "absence-starts_on": "2027-03-22", "absence-ends_on": "2027-03-26"}).status_code == 302
    assert post(client, "/evaluation/profile/employer", "/evaluation/profile", {
        "employer-employer_name": "上海新单位", "employer-started_on": "2027-04-01"}).status_code == 302
    profile = profile_of(expert_user)
    assert [r.person_name for r in profile.relations] == ["王大明"]
    assert (profile.absences[0].starts_on, profile.absences[0].ends_on) == (date(2027, 3, 22), date(2027, 3, 26))
    assert profile.pending_employment().employer_name == "上海新单位"
    # a second change is not offered while one waits, and is refused if sent anyway
    client.get("/language/en")
    html = client.get("/evaluation/profile").get_data(as_text=True)
    assert "A change of employer is waiting for the city bureau." in html and 'action="/evaluation/profile/employer"' not in html
    again = post(client, "/evaluation/profile/employer", "/evaluation/profile", {
        "employer-employer_name": "另一单位", "employer-started_on": "2027-05-01"})
    assert again.status_code == 200 and "already waiting" in again.get_data(as_text=True)
    relation = profile.relations[0]
    assert post(client, f"/evaluation/profile/relations/{relation.id}/withdraw", "/evaluation/profile", {}).status_code == 302
    assert profile_of(expert_user).relations[0].withdrawn_at is not None


def test_an_expert_cannot_touch_another_expert_s_rows(client, login, expert_user, make_expert):
    other = make_expert()
    from tender.evaluation.operations import declare_relation

    relation = declare_relation(other.membership, {"person_name": "甲", "relationship_kind": "spouse",
                                                   "organisation_name": "乙"}, actor=None)
    db.session.commit()
    login(expert_user)
    assert post(client, f"/evaluation/profile/relations/{relation.id}/withdraw", "/evaluation/profile", {}).status_code == 404


def test_the_bureau_confirms_an_employer_change_and_records_conduct(client, login, city_supervisor, make_expert):
    profile = make_expert(employer=("上海旧单位", None))
    from tender.evaluation.operations import propose_employer_change

    change = propose_employer_change(profile.membership, {"employer_name": "上海新单位", "started_on": date(2027, 4, 1)},
                                     actor=None)
    db.session.commit()
    login(city_supervisor)
    client.get("/language/en")
    pool = client.get("/evaluation/pool?pending=1")
    html = pool.get_data(as_text=True)
    assert pool.status_code == 200 and "Employer change waiting" in html and "Showing 1–1 of 1" in html
    page_url = f"/evaluation/pool/{profile.membership_id}"
    refused = post(client, f"{page_url}/employment/{change.id}", page_url, {"decision-decision": "reject"})
    assert refused.status_code == 200 and "Say why the change is not confirmed" in refused.get_data(as_text=True)
    assert post(client, f"{page_url}/employment/{change.id}", page_url, {"decision-decision": "confirm"}).status_code == 302
    db.session.expire_all()
    profile = db.session.get(ExpertProfile, profile.id)
    assert profile.current_employment().employer_name == "上海新单位"
    old = next(e for e in profile.employments if e.employer_name == "上海旧单位")
    assert old.ended_on == date(2027, 3, 31) and change.status == EmploymentStatus.CONFIRMED
    assert post(client, f"{page_url}/conduct", page_url, {
        "conduct-kind": "late_locking", "conduct-occurred_on": "2027-03-10", "conduct-note": "晚锁定"}).status_code == 302
    assert "Draw weight: 900 of 1000." in client.get(page_url).get_data(as_text=True)


def test_the_pool_lists_every_expert_with_counts_and_pages(client, login, city_supervisor, make_expert):
    for _ in range(3):
        make_expert()
    make_expert(title="engineer")
    login(city_supervisor)
    client.get("/language/en")
    html = client.get("/evaluation/pool").get_data(as_text=True)
    assert "Showing 1–4 of 4" in html and "Title is not a senior title" in html
    assert "<dd>4</dd>" in html and "<dd>3</dd>" in html  # experts, eligible


def test_the_bureau_sets_a_dated_pool_rule(client, login, city_supervisor, make_expert):
    profile = make_expert(since=date(2017, 1, 1))  # ten years at NOW
    login(city_supervisor)
    answer = post(client, "/evaluation/rules", "/evaluation/rules", {
        "valid_from": "2027-03-20T00:00", "min_years": "12", "senior_titles": ["senior_engineer"], "note": "市局通知"})
    assert answer.status_code == 302
    from tender.evaluation.operations import eligibility
    from tests.tender.evaluation.conftest import NOW
    from datetime import timedelta

    profile = db.session.get(ExpertProfile, profile.id)
    assert eligibility(profile, NOW) == []
    assert eligibility(profile, NOW + timedelta(days=6)) == ["too_few_years"]
    past = post(client, "/evaluation/rules", "/evaluation/rules", {
        "valid_from": "2027-03-01T00:00", "min_years": "12", "senior_titles": ["senior_engineer"], "note": "x"})
    assert past.status_code == 200


def test_the_dashboard_shows_the_expert_their_standing(client, login, expert_user):
    login(expert_user)
    client.get("/language/en")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "My expert profile" in html and "Not eligible for draws" in html
