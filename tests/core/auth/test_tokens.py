"""API tokens: shown once and stored hashed, scoped, expiring, revocable, bound to a membership."""

from __future__ import annotations

import contextvars
from datetime import timedelta
import re

import pytest
import sqlalchemy as sa

from core.accounts.models import MemberRole, Membership, OrgKind, Role
from core.auth.hashing import digest
from core.auth.models import ApiToken
from core.auth.tokens import create_token
from core.authz import Denied, check, roles
from core.db import DomainError, utcnow
from core.extensions import db
from tests.core.auth.conftest import isolated_client


def _token(user, scopes=("tender:read",), days=30, membership=None):
    membership = membership or user.active_memberships()[0]
    token, secret = create_token(membership, {"name": "ERP", "scopes": list(scopes), "days": days}, actor=user)
    db.session.commit()
    return token, secret


def _bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def _problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def test_created_on_the_settings_page_shown_once_and_stored_hashed(app, client, make_user, login, submit, events):
    user = make_user()
    login(user)
    # Only scopes some route takes are offered.
    offered = client.get("/auth/settings/tokens").get_data(as_text=True)
    assert 'value="account"' in offered and 'value="tender:read"' in offered and 'value="credit:read"' not in offered
    response = submit("/auth/settings/tokens", {"name": "Finance system", "scopes": ["account"], "days": "30"})
    html = response.get_data(as_text=True)
    secret = re.search(r'id="new-token">([^<]+)<', html).group(1)
    token = db.session.scalar(sa.select(ApiToken))
    assert token.token_hash == digest(secret) and secret not in token.token_hash
    assert secret.startswith(token.prefix)
    assert token.scope_list == ["account"]
    assert token.membership_id == user.active_memberships()[0].id
    assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)
    # Listed afterwards by its prefix only.
    listing = client.get("/auth/settings/tokens").get_data(as_text=True)
    assert token.prefix in listing and secret not in listing
    # The audit event names the scopes, never the secret.
    (event,) = events("auth.token_created")
    assert event.details["scopes"] == ["account"] and secret not in str(event.details)
    # The token works, but only where its scopes reach: the directory needs the "admin" scope.
    api = isolated_client(app)
    assert api.get("/api/v1/me", headers=_bearer(secret)).status_code == 200
    directory = api.get("/api/v1/organisations", headers=_bearer(secret))
    assert directory.status_code == 403 and directory.get_json()["type"].endswith("token_scope")


def test_bad_token_form_input_is_a_form_error(client, make_user, login, submit, app):
    login(make_user())
    too_long = str(app.config["API_TOKEN_MAX_DAYS"] + 1)
    for data, message in (
        ({"name": "", "scopes": ["account"], "days": "30"}, "请为令牌命名"),
        ({"name": "x", "days": "30"}, "请至少选择一项权限"),
        ({"name": "x", "scopes": ["account"], "days": too_long}, "令牌有效期最长为"),
        ({"name": "x", "scopes": ["root"], "days": "30"}, 'class="error-summary"'),
        ({"name": "x", "scopes": ["tender:read"], "days": "soon"}, 'class="error-summary"'),
    ):
        response = submit("/auth/settings/tokens", data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_firm_member_is_not_offered_the_admin_scope(client, make_user, login, submit):
    login(make_user(role=MemberRole.MEMBER))
    assert 'value="admin"' not in client.get("/auth/settings/tokens").get_data(as_text=True)
    response = submit("/auth/settings/tokens", {"name": "x", "scopes": ["admin"], "days": "30"})
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_wrong_unknown_and_malformed_tokens_are_401_problems(client, make_user):
    _token(make_user())
    for header in ("Bearer pst_not-a-real-token", "Bearer nonsense", "Bearer ", "Basic dXNlcjpwYXNz"):
        body = _problem(client.get("/api/v1/me", headers={"Authorization": header}), 401)
        assert body["status"] == 401 and body["type"].endswith("sign_in_required")


def test_expired_token_is_refused(client, make_user):
    token, secret = _token(make_user(), scopes=("account",))
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 200
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _problem(client.get("/api/v1/me", headers=_bearer(secret)), 401)


def test_revoked_token_is_refused_at_once(app, client, make_user, login, submit, events):
    user = make_user()
    token, secret = _token(user, scopes=("account",))
    api = isolated_client(app)  # no session cookie: only the token counts
    assert api.get("/api/v1/me", headers=_bearer(secret)).status_code == 200
    login(user)
    response = submit(f"/auth/settings/tokens/{token.id}/revoke", {}, page="/auth/settings/tokens")
    assert response.status_code == 302
    _problem(api.get("/api/v1/me", headers=_bearer(secret)), 401)
    assert len(events("auth.token_revoked")) == 1


def test_someone_elses_token_cannot_be_revoked(client, make_user, login, submit):
    owner = make_user()
    token, secret = _token(owner)
    login(make_user())
    response = submit(f"/auth/settings/tokens/{token.id}/revoke", {}, page="/auth/settings/tokens")
    assert response.status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_revoke_with_a_wrong_csrf_token_changes_nothing(client, make_user, login):
    user = make_user()
    token, _ = _token(user)
    login(user)
    response = client.post(f"/auth/settings/tokens/{token.id}/revoke", data={"csrf_token": "forged"})
    assert response.status_code == 400
    db.session.refresh(token)
    assert token.revoked_at is None


def test_token_stops_when_its_membership_ends(client, make_user):
    user = make_user()
    token, secret = _token(user)
    db.session.get(Membership, token.membership_id).active = False
    db.session.commit()
    _problem(client.get("/api/v1/me", headers=_bearer(secret)), 401)


def test_token_acts_in_the_membership_it_was_made_in(client, make_user, make_org):
    user = make_user(kind=OrgKind.FIRM)
    agency = make_org(OrgKind.AGENCY)
    db.session.add(Membership(user_id=user.id, organisation_id=agency.id, role=MemberRole.MEMBER))
    db.session.commit()
    second = [m for m in user.active_memberships() if m.organisation_id == agency.id][0]
    _, secret = _token(user, scopes=("account",), membership=second)
    body = client.get("/api/v1/me", headers=_bearer(secret)).get_json()
    assert body["active_membership"]["id"] == second.id


def test_scope_is_required_by_routes_that_declare_one(client, make_user):
    operator = make_user(kind=OrgKind.OPERATOR)
    recipient = make_user()
    _, narrow = _token(operator, scopes=("credit:read",))
    _, admin = _token(operator, scopes=("admin",))
    data = {"recipient_id": recipient.id, "subject": "Hello"}
    body = _problem(client.post("/api/v1/notifications", json=data, headers=_bearer(narrow)), 403)
    assert body["type"].endswith("token_scope")
    assert client.post("/api/v1/notifications", json=data, headers=_bearer(admin)).status_code == 201


def _check_with_token(app, secret, rule):
    """Apply an access rule to an API request carrying ``secret``, in a context of its own."""

    def run():
        with app.test_request_context("/api/v1/anything", headers=_bearer(secret)):
            check(rule)

    contextvars.Context().run(run)


@pytest.mark.parametrize(
    "granted, needed, allowed",
    [
        (("credit:read",), "credit:read", True),
        (("credit:read",), "tender:read", False),
        (("tender:read",), "tender:write", False),
        (("tender:write",), "tender:read", True),  # write implies read
        (("tender:write",), "credit:read", False),
        (("admin",), "tender:write", True),  # admin implies every scope
        (("credit:read", "tender:read"), "tender:read", True),
    ],
)
def test_scopes_and_what_they_imply(app, make_user, granted, needed, allowed):
    _, secret = _token(make_user(), scopes=granted)
    rule = roles(Role.FIRM, scope=needed)
    if allowed:
        _check_with_token(app, secret, rule)
    else:
        with pytest.raises(Denied) as refused:
            _check_with_token(app, secret, rule)
        assert refused.value.reason == "token_scope"


def test_tokens_are_not_accepted_on_pages(client, make_user):
    """A narrow token must not open the settings pages, where a wider token could be made."""
    _, secret = _token(make_user(), scopes=("credit:read",))
    response = client.get("/auth/settings/tokens", headers=_bearer(secret))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_last_use_is_noted(client, make_user):
    token, secret = _token(make_user(), scopes=("account",))
    assert token.last_used_at is None
    client.get("/api/v1/me", headers=_bearer(secret))
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_operation_refuses_bad_lifetimes_and_scopes(make_user, app):
    user = make_user()
    membership = user.active_memberships()[0]
    for data in (
        {"name": "x", "scopes": ["tender:read"], "days": 0},
        {"name": "x", "scopes": ["tender:read"], "days": app.config["API_TOKEN_MAX_DAYS"] + 1},
        {"name": "x", "scopes": [], "days": 30},
        {"name": "x", "scopes": ["superuser"], "days": 30},
    ):
        with pytest.raises(DomainError):
            create_token(membership, data, actor=user)
    other = make_user()
    with pytest.raises(DomainError):
        create_token(other.active_memberships()[0], {"name": "x", "scopes": ["tender:read"], "days": 30}, actor=user)


def test_a_user_without_a_role_cannot_make_tokens(client, make_user, login, submit):
    user = make_user()
    for m in user.memberships:
        m.active = False
    db.session.commit()
    login(user)
    page = client.get("/auth/settings/tokens")
    assert page.status_code == 200 and "无法创建接口令牌" in page.get_data(as_text=True)
    submit("/auth/settings/tokens", {"name": "x", "scopes": ["tender:read"], "days": "30"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
