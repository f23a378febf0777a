"""National IDs under data keys of their own: rotating SECRET_KEY loses nothing, a new data key takes over
through the re-encryption command, the old SECRET_KEY-derived format is read once and moved."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from config import BASE_DIR
from core import datakeys
from core.db import db
from credit import pii, search
from credit.models import ProjectManager

ID_NUMBER = "11010519491231002X"


def _run(app, *args):
    from credit.cli import credit_cli

    return CliRunner().invoke(credit_cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_rotating_secret_key_keeps_ids_readable_and_findable(app, app_ctx, make_firm, make_manager):
    manager = make_manager(make_firm(), name="李红", national_id=ID_NUMBER)
    secret = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a-completely-different-session-secret-0123456789"
    try:
        db.session.expire_all()
        stored = db.session.get(ProjectManager, manager.id)
        assert pii.decrypt_id(stored.national_id_enc, stored.certificate_no) == ID_NUMBER
        assert search.manager_by_id_and_name(ID_NUMBER, "李红").id == manager.id
    finally:
        app.config["SECRET_KEY"] = secret


def test_a_new_data_key_takes_over_through_the_reencryption_command(app, app_ctx, make_firm, make_manager):
    manager = make_manager(make_firm(), name="王五", national_id=ID_NUMBER)
    old_id = datakeys.key_id_of(manager.national_id_enc)
    new_id = datakeys.create_key(datakeys.key_dir(app))
    assert new_id == old_id + 1
    db.session.expire_all()
    # Before re-encryption the old key still decrypts and the lookup still finds the manager.
    assert search.manager_by_id_and_name(ID_NUMBER, "王五").id == manager.id
    result = _run(app, "reencrypt-ids")
    assert result.exit_code == 0 and "1 national IDs moved" in result.output
    db.session.expire_all()
    stored = db.session.get(ProjectManager, manager.id)
    assert datakeys.key_id_of(stored.national_id_enc) == new_id
    assert stored.national_id_hmac == pii.id_lookup_hash(ID_NUMBER)
    assert "0 national IDs moved" in _run(app, "reencrypt-ids").output


def test_the_old_secret_key_format_is_read_once_and_moved(app, app_ctx, make_firm, make_manager):
    import hashlib
    import hmac

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    manager = make_manager(make_firm(), name="赵六")
    nonce = os.urandom(12)
    legacy = b"\x01" + nonce + AESGCM(pii._legacy_key(b"national-id-aead")).encrypt(
        nonce, ID_NUMBER.encode(), manager.certificate_no.encode())
    manager.national_id_enc = legacy
    manager.national_id_hmac = hmac.new(pii._legacy_key(b"national-id-hmac"), ID_NUMBER.encode(), hashlib.sha256).hexdigest()
    db.session.commit()
    assert search.manager_by_id_and_name(ID_NUMBER, "赵六").id == manager.id
    assert "1 national IDs moved" in _run(app, "reencrypt-ids").output
    db.session.expire_all()
    stored = db.session.get(ProjectManager, manager.id)
    assert datakeys.is_ciphertext(stored.national_id_enc)
    secret = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "rotated-after-the-upgrade-step-0123456789abcdef"
    try:
        assert pii.decrypt_id(stored.national_id_enc, stored.certificate_no) == ID_NUMBER
        assert search.manager_by_id_and_name(ID_NUMBER, "赵六").id == manager.id
    finally:
        app.config["SECRET_KEY"] = secret


def test_a_ciphertext_is_bound_to_its_manager(app_ctx):
    from cryptography.exceptions import InvalidTag

    blob = pii.encrypt_id(ID_NUMBER, "SHWY0001")
    with pytest.raises(InvalidTag):
        pii.decrypt_id(blob, "SHWY0002")


PRODUCTION = "from app import create_app; create_app()"


@pytest.mark.parametrize("provisioned", [False, True])
def test_production_refuses_to_start_without_a_data_key(tmp_path, provisioned):
    from core.audit import keys as audit_keys
    from tender.sealing import platform_keys

    keys = tmp_path / "keys"
    if provisioned:
        datakeys.create_key(keys)
    audit_keys.create_keys(tmp_path / "platform-keys")  # the platform's own keys are there: only the data key is asked
    platform_keys.create(tmp_path / "platform-keys")
    env = dict(os.environ, PLATFORM_CONFIG="production", SECRET_KEY="s" * 48,
               DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none", DATA_KEY_DIR=str(keys),
               INSTANCE_PATH=str(tmp_path / "instance"), PYTHONPATH=str(BASE_DIR),
               PLATFORM_KEY_DIR=str(tmp_path / "platform-keys"))
    result = subprocess.run([sys.executable, "-c", PRODUCTION], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            timeout=60)
    if provisioned:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            f"configuration error: no data key in {keys}: run `python -m app provision-keys` "
            "(or set DATA_KEY_DIR to the folder holding the key ring)"]


def test_provisioning_makes_the_first_data_key_before_the_platform_can_start(tmp_path):
    keys = tmp_path / "keys"
    env = dict(os.environ, PLATFORM_CONFIG="production", SECRET_KEY="s" * 48,
               DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none", DATA_KEY_DIR=str(keys),
               INSTANCE_PATH=str(tmp_path / "instance"), PLATFORM_KEY_DIR=str(tmp_path / "platform-keys"))
    result = subprocess.run([sys.executable, "-m", "app", "provision-keys"], cwd=BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (keys / "1.key").exists() and oct((keys / "1.key").stat().st_mode & 0o777) == "0o600"
