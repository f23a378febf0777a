"""The accounts API, the operator's commands and the demo world."""

from __future__ import annotations

import sqlalchemy as sa

from core.accounts import operations as ops
from core.accounts.models import Organisation, OrgKind, OrgStatus, User
from core.accounts.uscc import make as make_uscc
from core.audit.operations import verify_chain
from core.extensions import db


def test_registration_status_is_public_by_reference(client, make_org):
    org = make_org(OrgKind.FIRM, status=OrgStatus.PENDING, reference=ops.new_reference())
    body = client.get(f"/api/v1/registrations/{org.reference}").get_json()
    assert body["status"] == "pending" and body["kind"] == "firm" and "name" not in body
    response = client.get("/api/v1/registrations/REG-XXXX-XXXX")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_directory_is_for_supervisors_and_limited_to_their_district(client, make_org, supervisor, login):
    mine, other = make_org(OrgKind.FIRM), make_org(OrgKind.FIRM, district_code="310115")
    assert client.get("/api/v1/organisations").status_code == 401
    login(supervisor("xuhui"))
    names = {o["name"] for o in client.get("/api/v1/organisations?kind=firm").get_json()}
    assert mine.name in names and other.name not in names
    assert client.get(f"/api/v1/organisations/{other.id}").status_code == 403
    assert client.get(f"/api/v1/organisations/{mine.id}").get_json()["uscc_check"] == "pass"
    assert client.get("/api/v1/organisations?status=nonsense").status_code == 422


def test_verify_org_command(app, make_org):
    code = make_uscc("91310104MA1K44441")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    org = make_org(OrgKind.FIRM, status=OrgStatus.PENDING, uscc=wrong, reference=ops.new_reference())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["accounts", "verify-org", org.reference])
    assert result.exit_code != 0 and "理由" in result.output  # the default language
    result = runner.invoke(args=["accounts", "verify-org", wrong, "--override-reason", "checked the licence"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).status == OrgStatus.VERIFIED


def test_create_operator_command(app, app_ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["accounts", "create-operator", "--email", "Ops@Example.com", "--name", "运维", "--password", "a long operator password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "ops@example.com"))
    assert user.memberships[0].organisation.kind == OrgKind.OPERATOR


def test_demo_seed_is_idempotent_and_keeps_the_chain_intact(app, app_ctx):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Organisation, User)]
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()
    assert [db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Organisation, User)] == counts
    assert verify_chain().ok
    assert "city.supervisor@example.com" in first.output and "DEMOTOTPSECRET" in first.output
    experts = [line for line in first.output.splitlines() if line.strip().startswith("expert ")]
    firms = [line for line in first.output.splitlines() if line.split()[:1] == ["firm"] and "(waiting)" not in line]
    assert len(experts) == 12 and len(firms) == 6


def test_create_bureaus_is_idempotent(app, app_ctx):
    runner = app.test_cli_runner()
    assert "17 bureau(s) created" in runner.invoke(args=["accounts", "create-bureaus"]).output
    assert "0 bureau(s) created" in runner.invoke(args=["accounts", "create-bureaus"]).output
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id)).where(Organisation.kind == OrgKind.DISTRICT_BUREAU)) == 16


def test_openapi_document_describes_the_accounts_api(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/registrations/{reference}", "/api/v1/organisations", "/api/v1/organisations/{org_id}"} <= set(paths)


def test_demo_logins_work_with_the_printed_password_and_secret(app, client):
    from core import demo
    from core.auth import totp
    from tests.factories import csrf_token

    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    page = client.get("/auth/login")
    response = client.post("/auth/login", data={
        "email": "xuhui.supervisor@example.com", "password": demo.DEMO_PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.headers["Location"].endswith("/auth/second-factor")
    page = client.get("/auth/second-factor")
    code = totp.code_at(demo.DEMO_TOTP_SECRET, totp.current_step())
    response = client.post("/auth/second-factor", data={"code": code, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    html = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "上海汇安物业服务有限公司" in html  # the demo registration waiting in Xuhui
