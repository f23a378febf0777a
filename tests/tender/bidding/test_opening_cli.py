"""A custodian who keeps their key off the browser: the command-line tool unwraps every share from the
envelopes.json of the opening page and writes the shares file that the page takes."""

from __future__ import annotations

import json

from click.testing import CliRunner

from core.extensions import db
from tender.bidding.models import OpeningState
from tender.bidding.operations import opening as ops
from tender.sealing import keyfile
from tender.sealing.cli import seal_cli
from tests.tender.bidding.opening_helpers import run_jobs, sealed_tender, unwrap_all


def test_the_tool_unwraps_every_share_and_the_opening_takes_the_file(make_tender, make_org, make_user, clock,
                                                                     tmp_path, client, login):
    world = sealed_tender(make_tender, make_org, make_user, clock)
    user = world.custodians[1]
    (tmp_path / "key.json").write_text(json.dumps(keyfile.seal_key_file(world.key_of(user), "pass phrase 12",
                                                                        n=keyfile.MIN_SCRYPT_N)))
    (tmp_path / "pass.txt").write_text("pass phrase 12\n")
    login(user)
    listing = client.get(f"/tenders/{world.tender.id}/opening/envelopes.json").get_json()
    (tmp_path / "envelopes.json").write_text(json.dumps(listing))
    result = CliRunner().invoke(seal_cli, ["unwrap-shares", "--envelopes", str(tmp_path / "envelopes.json"),
                                           "--key-file", str(tmp_path / "key.json"),
                                           "--passphrase-file", str(tmp_path / "pass.txt"),
                                           "--out", str(tmp_path / "shares.json")])
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "shares.json").read_text())
    assert written["shares"] == unwrap_all(world, user)["shares"] and written["failures"] == {}
    ops.submit_shares(world.tender, written, actor=user, via="cli")
    db.session.commit()
    ops.submit_shares(world.tender, unwrap_all(world, world.custodians[0]), actor=world.custodians[0])
    db.session.commit()
    run_jobs()
    opening = ops.opening_of(world.tender)
    assert opening.state == OpeningState.OPENED and opening.valid == 3
    assert [s.via for s in opening.submissions] == ["cli", "browser"]


def test_the_tool_refuses_a_file_that_is_not_envelopes_json(tmp_path):
    (tmp_path / "x.json").write_text("{}")
    (tmp_path / "key.json").write_text("{}")
    result = CliRunner().invoke(seal_cli, ["unwrap-shares", "--envelopes", str(tmp_path / "x.json"),
                                           "--key-file", str(tmp_path / "key.json"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "envelopes.json" in result.output
