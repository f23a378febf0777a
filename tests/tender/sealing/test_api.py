"""The sealing API and pages in the app: key registration with proof, key checks, receipts."""

import base64
import json

import pytest
import sqlalchemy as sa

from core.accounts.models import OrgKind
from core.audit.models import AuditEvent
from tender.sealing import keyfile, receipts

N = 2**14


def csrf(client):
    # The factories keep an app context pushed through the test, so ``g`` outlives each request and
    # Flask-WTF would hand back the token of the pre-login session; drop it to get a fresh one.
    from flask import g

    g.pop("csrf_token", None)
    page = client.get("/sealing/custodian-key")
    return page.data.split(b'name="csrf-token" content="')[1].split(b'"')[0].decode()


def post(client, url, body, token):
    return client.post(url, json=body, headers={"X-CSRFToken": token, "Accept": "application/json"})


@pytest.fixture
def custodian(make_user, login):
    user = make_user(kind=OrgKind.DEVELOPER)
    login(user)
    return user


def register(client, token, data, key, **extra):
    check = post(client, "/api/v1/sealing/custodian-keys/challenge", {"public_key": data["public_key"]}, token).json
    answer = keyfile.answer_key_check(check, key)
    body = {"public_key": data["public_key"], "label": "office", "origin": "cli", "context": check["context"],
            "answer": answer, **extra}
    return post(client, "/api/v1/sealing/custodian-keys", body, token)


def test_register_with_proof_then_check(app, client, custodian):
    token = csrf(client)
    data, key = keyfile.create_key_file("a good passphrase", n=N)
    r = register(client, token, data, key)
    assert r.status_code == 201, r.json
    assert r.json["key_id"] == data["key_id"]
    from core.extensions import db

    db.session.refresh(custodian)
    assert custodian.is_key_custodian
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "sealing.custodian_key_registered" in actions
    # A key custodian must now set up a second factor before doing anything else.
    gated = client.get("/sealing/check-key")
    assert gated.status_code == 403 or "second-factor" in gated.headers["Location"]


def test_registration_refuses_a_wrong_proof_and_duplicates(app, client, custodian):
    token = csrf(client)
    data, key = keyfile.create_key_file("a good passphrase", n=N)
    check = post(client, "/api/v1/sealing/custodian-keys/challenge", {"public_key": data["public_key"]}, token).json
    _, other = keyfile.create_key_file("a good passphrase", n=N)
    other_check = dict(check, key_id=keyfile.hpke.key_id(keyfile.hpke.public_bytes(other.public_key())).hex())
    with pytest.raises(keyfile.KeyFileError):
        keyfile.answer_key_check(other_check, other)
    bad = post(client, "/api/v1/sealing/custodian-keys",
               {"public_key": data["public_key"], "context": check["context"], "answer": "00" * 32}, token)
    assert bad.status_code == 409 and bad.json["type"].endswith("bad_proof")
    stale = post(client, "/api/v1/sealing/custodian-keys",
                 {"public_key": data["public_key"], "context": "register:1:1", "answer": "00" * 32}, token)
    assert stale.status_code == 409 and stale.json["type"].endswith("check_expired")
    bad_key = post(client, "/api/v1/sealing/custodian-keys/challenge", {"public_key": "A" * 44}, token)
    assert bad_key.status_code == 409
    missing = post(client, "/api/v1/sealing/custodian-keys", {"public_key": data["public_key"]}, token)
    assert missing.status_code == 422


def login_with_second_factor(client, user):
    from flask import g

    from tests.factories import PASSWORD, csrf_token, unused_totp_code

    for url, data in (("/auth/login", lambda: {"email": user.email, "password": PASSWORD}),
                      ("/auth/second-factor", lambda: {"code": unused_totp_code(user)})):
        g.pop("csrf_token", None)
        page = client.get(url)
        r = client.post(url, data={**data(), "csrf_token": csrf_token(page.get_data(as_text=True))})
        text = r.get_data(as_text=True)
        assert r.status_code in (302, 303), text[text.find("<main"):][:1500]


def test_key_check_round_trip(app, client, make_user):
    user = make_user(kind=OrgKind.AGENCY, totp=True)
    login_with_second_factor(client, user)
    token = csrf(client)
    data, key = keyfile.create_key_file("a good passphrase", n=N)
    assert register(client, token, data, key).status_code == 201
    check = post(client, "/api/v1/sealing/custodian-keys/current/check", {}, token).json
    assert check["key_id"] == data["key_id"]
    ok = post(client, "/api/v1/sealing/custodian-keys/current/check/answer",
              {"context": check["context"], "answer": keyfile.answer_key_check(check, key)}, token)
    assert ok.status_code == 200 and ok.json["last_checked_at"]
    wrong = post(client, "/api/v1/sealing/custodian-keys/current/check/answer",
                 {"context": check["context"], "answer": "ab" * 32}, token)
    assert wrong.status_code == 409
    assert client.get("/api/v1/sealing/custodian-keys/current").json["key_id"] == data["key_id"]
    # Registering a new key retires the old one.
    data2, key2 = keyfile.create_key_file("another passphrase", n=N)
    assert register(client, token, data2, key2).status_code == 201
    assert client.get("/api/v1/sealing/custodian-keys/current").json["key_id"] == data2["key_id"]


def test_anonymous_and_wrong_roles(app, client, make_user, login):
    assert client.get("/sealing/custodian-key").status_code == 302
    assert client.post("/api/v1/sealing/custodian-keys/challenge", json={}).status_code in (400, 401)
    assert client.get("/sealing/inspect").status_code == 200
    assert client.get("/sealing/receipt").status_code == 200
    login(make_user(kind=OrgKind.DEVELOPER))
    assert client.get("/sealing/seal").status_code == 403


def test_receipts_issued_in_a_chain_and_published_key(app, app_ctx):
    from core.extensions import db
    from tender.sealing import operations as ops

    issued = [ops.issue_receipt("T-77", f"firm-{i}", f"B-{i}", 1, f"{i:064x}", actor=None) for i in range(3)]
    db.session.commit()
    log = ops.receipt_log("T-77")
    assert log == issued
    doc = app.test_client().get("/.well-known/tender-seal-receipt-key").json
    public = receipts.key_set(doc)
    assert [p["seq"] for p in receipts.verify_log(log, public, tender_id="T-77")] == [1, 2, 3]
    assert json.loads(base64.b64decode(log[2]["payload"]))["prev"] == receipts.entry_hash(log[1])


def non_canonical(text: str) -> str:
    """The same bytes in base64 with a padding bit set, which strict decoders refuse."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = text.rstrip("=")
    return last[:-1] + alphabet[alphabet.index(last[-1]) | 1] + "=" * (len(text) - len(last))


def test_malformed_key_inputs_are_problem_details_never_a_server_error(app, client, custodian):
    token = csrf(client)
    data, _ = keyfile.create_key_file("a good passphrase", n=N)
    good = {"public_key": data["public_key"], "context": f"register:{custodian.id}:1", "answer": "00" * 32}
    bodies = {
        "/api/v1/sealing/custodian-keys/challenge": [
            {"public_key": [data["public_key"]]}, {"public_key": "%" * 44}, {"public_key": data["public_key"] + "\n"},
            {"public_key": non_canonical(data["public_key"])}, ["not", "an", "object"],
        ],
        "/api/v1/sealing/custodian-keys": [
            dict(good, context=f"register:{custodian.id}:\u00b2"), dict(good, context=f"register:{custodian.id}:\u0663"),
            dict(good, context=["register"]), dict(good, answer=["00" * 32]), dict(good, public_key={"a": 1}),
        ],
        "/api/v1/sealing/custodian-keys/current/check/answer": [
            {"context": "check:1:\u00b2", "answer": "00" * 32}, {"context": 5, "answer": "00" * 32},
        ],
    }
    for url, cases in bodies.items():
        for body in cases:
            r = post(client, url, body, token)
            assert 400 <= r.status_code < 500, (url, body, r.status_code)
            assert r.mimetype == "application/problem+json" and r.json["detail" if "detail" in r.json else "title"]


def test_after_a_rotation_every_key_is_published_and_old_receipts_verify(app, app_ctx, monkeypatch, tmp_path):
    from core.extensions import db
    from tender.sealing import operations as ops

    monkeypatch.setitem(app.config, "PLATFORM_KEY_DIR", str(tmp_path / "keys"))
    old = ops.issue_receipt("T-88", "firm-1", "B-1", 1, "a" * 64, actor=None)
    db.session.commit()
    rotated = app.test_cli_runner().invoke(args=["seal", "platform-key", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    new = ops.issue_receipt("T-88", "firm-2", "B-2", 1, "b" * 64, actor=None)
    db.session.commit()
    old_id, new_id = (json.loads(base64.b64decode(r["payload"]))["key_id"] for r in (old, new))
    assert old_id != new_id and json.loads(rotated.output)["key_id"] == new_id

    client = app.test_client()
    for url in ("/.well-known/tender-seal-receipt-key", "/api/v1/sealing/platform-key"):
        doc = client.get(url).json
        assert [k["key_id"] for k in doc["keys"]] == [old_id, new_id], url
        assert doc["key_id"] == new_id and doc["keys"][0]["retired"] and doc["keys"][1]["retired"] is None
        assert all(k["created"].endswith("Z") for k in doc["keys"])
        published = receipts.key_set(doc)
        assert [p["seq"] for p in receipts.verify_log(ops.receipt_log("T-88"), published, tender_id="T-88")] == [1, 2]
    shown = app.test_cli_runner().invoke(args=["seal", "platform-key"])
    assert json.loads(shown.output) == doc
    (tmp_path / "keys.json").write_text(json.dumps(doc))
    (tmp_path / "old.json").write_text(json.dumps(old))
    checked = app.test_cli_runner().invoke(args=["seal", "verify-receipt", str(tmp_path / "old.json"),
                                                 "--platform-key", str(tmp_path / "keys.json")])
    assert checked.exit_code == 0 and json.loads(checked.output)["receipt"]["key_id"] == old_id, checked.output
