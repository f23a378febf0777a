"""The expert's profile page, the city bureau's pool and expert pages, and the public draw record,
at 390×844 and on a desktop: forms that work, nothing wider than the screen."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from core.accounts.models import MemberRole, Membership, OrgKind
from core.extensions import db
from tests.e2e.journeys import fits, sign_in

NOW = datetime(2027, 3, 15, 1, 0, tzinfo=timezone.utc)


def _draft_tender(make_org, make_user):
    from tender.tenders.operations import create_tender

    developer = make_org(OrgKind.DEVELOPER, district_code="310104")
    tender = create_tender(developer, {"community_name": "测试花园"}, actor=make_user(OrgKind.DEVELOPER, org=developer))
    db.session.commit()
    return tender


@pytest.fixture
def city(app_ctx, clock):
    from core.accounts import operations as ops

    clock.set(NOW)
    ops.ensure_bureaus()
    db.session.commit()
    return ops.bureau_for(None)


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_an_expert_fills_in_the_profile(live_server, page, city, make_user, screenshot):
    user = make_user(city.kind, role=MemberRole.EXPERT, org=city)
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == user.id))
    membership.specialty = "residential"
    db.session.commit()
    sign_in(page, live_server, user)
    page.goto(f"{live_server}/language/en?next=/evaluation/profile")
    assert "Not eligible for draws" in page.inner_text("main") and fits(page)
    page.select_option("#profile-title", "senior_engineer")
    page.fill("#profile-practice_since", "2010-01-01")
    page.check("input[name=profile-districts][value='310104']")
    page.click("form[action$='/evaluation/profile'] button[type=submit]")
    assert "Your profile is saved." in page.inner_text("main")
    assert "Eligible for draws" in page.inner_text("main")
    page.click("text=Mark days you cannot evaluate")
    page.fill("#absence-starts_on", "2027-03-22")
    page.click("form[action$='/unavailability'] button[type=submit]")
    assert "You will not be drawn on these days." in page.inner_text("main") and fits(page)
    screenshot(page, "evaluation-profile")


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_the_bureau_pool_expert_page_and_a_public_draw(live_server, page, city, make_user, make_org, screenshot):
    from core.accounts.operations import create_expert
    from core.security import hash_password
    from tender.evaluation.conflicts import DrawParties
    from tender.evaluation.operations import (
        DrawRequest, PanelSpec, perform_draw, prepare_draw, propose_employer_change, update_profile,
    )

    for n in range(8):
        expert, _new = create_expert(city, {"name": f"专家{n}", "email": f"pool{n}@example.com", "specialty": "residential",
                                            "password_hash": hash_password("x")}, actor=None)
        update_profile(expert, {"title": "senior_engineer", "practice_since": date(2005, 1, 1), "districts": ["310104"]},
                       actor=None)
    propose_employer_change(expert, {"employer_name": "上海某咨询有限公司", "started_on": date(2027, 4, 1)}, actor=None)
    parties = DrawParties(make_org(OrgKind.DEVELOPER).id, None, (make_org().id,))
    draw = prepare_draw(DrawRequest(_draft_tender(make_org, make_user).id, parties, PanelSpec(5, 2), ("residential",), "310104", NOW + timedelta(hours=2),
                                    NOW - timedelta(hours=1)), actor=None)
    perform_draw(draw, {"witness": "见证 2027-03-15"}, actor=None)
    db.session.commit()
    supervisor = make_user(city.kind, role=MemberRole.ADMIN, org=city)
    sign_in(page, live_server, supervisor)
    page.goto(f"{live_server}/language/en?next=/evaluation/pool")
    assert "Showing 1–8 of 8" in page.inner_text("main") and fits(page)
    screenshot(page, "evaluation-pool")
    page.click("text=Employer change waiting >> xpath=ancestor::td//a")
    assert "Employer change waiting" in page.inner_text("main") and fits(page)
    page.check("input[name=decision-decision][value=confirm]")
    page.click("form[action*='/employment/'] button[type=submit]")
    assert "The change is confirmed." in page.inner_text("main") and fits(page)
    page.goto(f"{live_server}/evaluation/draws/{draw.id}")
    assert draw.seed.hex() in page.inner_text("main") and fits(page)
    screenshot(page, "evaluation-draw")
