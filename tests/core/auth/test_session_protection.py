"""A session survives a change of client address (a phone moving from Wi-Fi to mobile data)."""

from __future__ import annotations

from tests.core.auth.conftest import password_sign_in


def test_a_session_survives_a_change_of_client_address(client, make_user):
    user = make_user()
    assert password_sign_in(client, user.email, address="198.51.100.7").status_code == 302
    assert client.get("/dashboard", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 200
    # The same browser, now on another network.
    assert client.get("/dashboard", environ_base={"REMOTE_ADDR": "203.0.113.42"}).status_code == 200
    assert client.get("/auth/settings", environ_base={"REMOTE_ADDR": "203.0.113.42"}).status_code == 200


def test_signing_out_everywhere_still_ends_a_moved_session(app, client, make_user, app_ctx):
    from core.auth import operations as ops
    from core.extensions import db

    user = make_user()
    assert password_sign_in(client, user.email, address="198.51.100.7").status_code == 302
    ops.logout_everywhere(user)
    db.session.commit()
    assert client.get("/dashboard", environ_base={"REMOTE_ADDR": "203.0.113.42"}).status_code == 302
