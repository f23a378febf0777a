"""Numbers in query strings: absurd values give an ordinary page, never a database error."""

from __future__ import annotations

import pytest

from app import create_app
from config import TestingConfig
from core.accounts.models import MemberRole, OrgKind
from core.authz import PUBLIC, access

HUGE = "9" * 40


@pytest.mark.parametrize("url", [f"/notifications?page={HUGE}", f"/notifications?page=-{HUGE}", "/notifications?page=x"])
def test_page_numbers_out_of_range(client, login, make_user, url):
    login(make_user())
    assert client.get(url).status_code == 200


def test_operator_pages_and_audit_trail(client, login, make_user, make_org):
    operator = make_user(kind=OrgKind.OPERATOR, role=MemberRole.MEMBER, org=make_org(OrgKind.OPERATOR))
    login(operator)
    assert client.get(f"/operator/outbox?page={HUGE}").status_code == 200
    assert client.get(f"/audit/?before={HUGE}").status_code == 200


def test_api_page_past_the_end(client, make_user, make_org):
    from core.auth.tokens import create_token
    from core.extensions import db

    supervisor = make_user(kind=OrgKind.CITY_BUREAU, role=MemberRole.MEMBER, org=make_org(OrgKind.CITY_BUREAU))
    _, secret = create_token(supervisor.active_memberships()[0], {"name": "t", "scopes": ["admin"], "days": 1},
                             actor=supervisor)
    db.session.commit()
    response = client.get(f"/api/v1/organisations?page={10**15}", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.get_json() == []


def test_client_address_comes_from_trusted_proxies_only(app):
    seen = []

    def capture():
        from flask import request

        seen.append(request.remote_addr)
        return "ok"

    for hops in (0, 1):
        behind = create_app(TestingConfig(**{**_overrides(app), "PROXY_HOPS": hops}))
        behind.add_url_rule("/_addr", "addr", access(PUBLIC)(capture))
        behind.test_client().get("/_addr", headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9"},
                                 environ_base={"REMOTE_ADDR": "10.0.0.1"})
    # Without a trusted proxy the header is ignored; with one, only the address that proxy saw counts.
    assert seen == ["10.0.0.1", "203.0.113.9"]


def _overrides(app):
    keys = ("SQLALCHEMY_DATABASE_URI", "RQ_CONNECTION", "INSTANCE_PATH", "BLOB_DIR", "PLATFORM_KEY_DIR")
    return {k: app.config[k] for k in keys}
