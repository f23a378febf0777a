"""A new firm registers, a supervisor verifies it, the firm signs in, enrols TOTP and switches language."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.accounts import operations as ops
from core.accounts.models import MemberRole, Organisation, OrgKind, OrgStatus
from core.accounts.uscc import make as make_uscc
from core.auth import totp
from core.extensions import db
from tests.e2e.journeys import fits, sign_in

FIRM_PASSWORD = "a long firm password 2026"
FIRM_CODE = make_uscc("91310104MA1K88881")




def register_firm(page, base: str, screenshot) -> str:
    """Walk the registration pages as a firm; returns the reference number."""
    page.goto(f"{base}/")
    page.click("main a[href='/register']")
    screenshot(page, "register-start")
    page.click("text=开始注册")
    page.check("input[value=firm]")
    screenshot(page, "register-kind")
    page.click("main form button[type=submit]")

    page.fill("#name", "上海浏览器测试物业有限公司")
    page.fill("#uscc", FIRM_CODE[:17] + ("0" if FIRM_CODE[17] != "0" else "1"))  # a typo first
    page.select_option("#district_code", "310104")
    page.click("main form button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#uscc-error").inner_text().startswith("代码最后一位与校验码不符")
    screenshot(page, "register-organisation-error")
    page.fill("#uscc", FIRM_CODE.lower())  # lower case is accepted and normalised
    page.click("main form button[type=submit]")

    page.fill("#admin_name", "浏览器测试管理员")
    page.fill("#email", "browser.firm@example.com")
    page.fill("#password", FIRM_PASSWORD)
    page.fill("#password_confirm", FIRM_PASSWORD)
    screenshot(page, "register-account")
    page.click("main form button[type=submit]")

    assert FIRM_CODE in page.inner_text("main")
    page.check("#declaration")
    screenshot(page, "register-check")
    page.click("main form button[type=submit]")
    assert page.inner_text("#sent-to").strip() == "browser.firm@example.com"
    # The reference number goes to the registrant by mail (the page is the same for every address).
    from core.jobs.models import OutgoingMail

    db.session.expire_all()
    mail = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.recipient == "browser.firm@example.com")).one()
    reference = re.search(r"REG-[A-Z0-9]{4}-[A-Z0-9]{4}", mail.body).group(0)
    screenshot(page, "register-done")
    return reference


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_new_firm_registers_is_verified_signs_in_enrols_totp_and_switches_language(
    app_ctx, live_server, new_page, make_user, screenshot, viewport
):
    base = live_server
    ops.ensure_bureaus()
    db.session.commit()
    supervisor = make_user(OrgKind.DISTRICT_BUREAU, role=MemberRole.ADMIN, org=ops.bureau_for("310104"))

    # 1. The firm registers (on a phone or a desktop) and gets a reference number.
    firm_page = new_page(viewport)
    reference = register_firm(firm_page, base, screenshot)
    org = db.session.scalar(sa.select(Organisation).where(Organisation.reference == reference))
    assert org.status == OrgStatus.PENDING and org.uscc == FIRM_CODE

    # 2. The Xuhui supervisor signs in with the second factor and verifies it.
    sup_page = new_page(viewport)
    sign_in(sup_page, base, supervisor)
    assert "上海浏览器测试物业有限公司" in sup_page.inner_text("main")  # on the dashboard's queue
    screenshot(sup_page, "dashboard-supervisor")
    sup_page.click("text=审核注册申请")
    screenshot(sup_page, "review-queue")
    sup_page.click(f"text={reference}")
    screenshot(sup_page, "review")
    sup_page.check("input[value=approve]")
    sup_page.click("form[action$='/decision'] button[type=submit]")
    assert "已核验通过" in sup_page.inner_text(".notice-success")
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).status == OrgStatus.VERIFIED

    # 3. The firm signs in and sees it is verified.
    sign_in(firm_page, base, email="browser.firm@example.com", password=FIRM_PASSWORD)
    assert "已核验" in firm_page.inner_text("main .summary-list")
    screenshot(firm_page, "dashboard-firm")

    # 4. It turns on the second factor with the key shown on the page.
    firm_page.goto(f"{base}/auth/second-factor/setup")
    secret = firm_page.inner_text("#totp-secret").replace(" ", "")
    firm_page.fill("#code", totp.code_at(secret, totp.current_step()))
    firm_page.click("main form button[type=submit]")
    assert firm_page.locator(".notice-success").count() == 1
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).memberships[0].user.has_second_factor

    # 5. It switches to English; the choice follows it to the next page.
    firm_page.goto(f"{base}/dashboard")
    firm_page.click("header a[hreflang=en]")
    assert firm_page.locator("html").get_attribute("lang") == "en"
    assert "Dashboard" in firm_page.inner_text("main h1")
    assert "Verified" in firm_page.inner_text("main .summary-list")
    firm_page.goto(f"{base}/register/status?reference={reference}")
    assert "Verified" in firm_page.inner_text("main")
    screenshot(firm_page, "status-en")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_home_and_registration_read_well_on_phone_and_desktop(live_server, new_page, screenshot, viewport):
    page = new_page(viewport)
    page.goto(f"{live_server}/")
    screenshot(page, "home")
    # Nothing is wider than the screen (no sideways scrolling on a phone).
    assert fits(page)
    page.goto(f"{live_server}/register/kind")
    page.click("main form button[type=submit]")  # nothing chosen: the error summary links to the field
    assert page.locator(".error-summary a[href='#kind']").count() == 1
    assert fits(page)
    screenshot(page, "register-kind-error")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_city_bureau_adds_an_expert_and_a_colleague(app_ctx, live_server, new_page, make_user, screenshot, viewport):
    ops.ensure_bureaus()
    db.session.commit()
    city = make_user(OrgKind.CITY_BUREAU, role=MemberRole.ADMIN, org=ops.bureau_for(None))
    page = new_page(viewport)
    sign_in(page, live_server, city)
    page.click("text=管理专家库")
    page.fill("#name", "浏览器专家")
    page.fill("#email", "browser.expert@example.com")
    page.select_option("#specialty", "residential")
    page.click("main form button[type=submit]")
    assert "已将 浏览器专家 加入专家库" in page.inner_text(".notice-success")
    assert "browser.expert@example.com" in page.inner_text("main table")
    assert fits(page)
    screenshot(page, "experts")
    page.goto(f"{live_server}/organisation/members")
    page.fill("#name", "市局同事")
    page.fill("#email", "browser.colleague@example.com")
    page.click("form:has(#name) button[type=submit]")  # not a row's "Remove" button
    assert "browser.colleague@example.com" in page.inner_text("main table")
    assert fits(page)
    screenshot(page, "members")
