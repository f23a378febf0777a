"""Secrets (passwords, tokens, reset links, authenticator keys, recovery codes) reach no log line
and no audit event."""

from __future__ import annotations

import logging
import re

import sqlalchemy as sa

from core.audit.models import AuditEvent
from core.auth import totp
from core.extensions import db
from core.jobs.models import OutgoingMail
from tests.core.auth.conftest import password_sign_in
from tests.factories import PASSWORD, csrf_token

NEW = "lanterns over the old town"


def test_no_secret_reaches_the_logs_or_the_audit_trail(client, make_user, submit, caplog):
    caplog.set_level(logging.DEBUG)
    user = make_user(totp=False)
    secrets = [PASSWORD, NEW, "wrong guess 12345"]

    password_sign_in(client, user.email, "wrong guess 12345")
    password_sign_in(client, user.email)
    html = client.get("/auth/second-factor/setup").get_data(as_text=True)
    key = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    page = client.post("/auth/second-factor/setup", data={"code": totp.code_at(key, totp.current_step()), "csrf_token": csrf_token(html)})
    codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", page.get_data(as_text=True))
    created = submit("/auth/settings/tokens", {"name": "ERP", "scopes": ["account"], "days": "7"}).get_data(as_text=True)
    token = re.search(r'id="new-token">([^<]+)<', created).group(1)
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    client.get("/api/v1/me", headers={"Authorization": "Bearer pst_forged-token-value"})
    submit("/auth/reset", {"email": user.email})
    link = re.search(r"https?://\S+", db.session.scalar(sa.select(OutgoingMail.body))).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    submit(path, {"new_password": NEW, "confirm_password": NEW})
    secrets += [key, token, "pst_forged-token-value", link.rsplit("/", 1)[1], *codes]

    assert len(codes) == 10 and token.startswith("pst_")
    trail = " ".join(
        f"{e.action} {e.subject_id} {e.details} {e.data_digest}" for e in db.session.scalars(sa.select(AuditEvent))
    )
    assert "auth.password_reset" in trail and "auth.token_created" in trail
    logged = caplog.text
    for secret in secrets:
        assert secret not in logged
        assert secret not in trail
