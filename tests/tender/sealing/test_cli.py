"""The command-line tool end to end, standalone (no Flask app)."""

import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from tender.sealing import platform_keys, receipts
from tender.sealing.cli import seal_cli

ENV = {"SEAL_PASSPHRASE": "a long custodian passphrase"}


def run(*args, ok=True):
    result = CliRunner().invoke(seal_cli, [str(a) for a in args], env=ENV, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
        return json.loads(result.output)
    return result


@pytest.fixture
def sealed(tmp_path):
    keys = []
    for i in range(3):
        out = tmp_path / f"custodian{i}.json"
        keys.append(run("keygen", "--out", out, "--label", f"c{i}", "--scrypt-log-n", 14))
    meta = {"tender_id": "T-9", "deadline": "2026-01-05T10:00:00+08:00", "threshold": 2,
            "custodians": [{"key_id": k["key_id"], "public_key": k["public_key"]} for k in keys]}
    (tmp_path / "custodians.json").write_text(json.dumps(meta))
    (tmp_path / "price.json").write_text('{"fee_yuan_per_m2_month": "2.60"}')
    (tmp_path / "plan.pdf").write_bytes(b"%PDF" + bytes(200_000))
    env = run("seal", "--custodians-file", tmp_path / "custodians.json", "--bid", "B-1",
              "--price-sheet", tmp_path / "price.json", "--technical", tmp_path / "plan.pdf",
              "--out", tmp_path / "bid.tseal")
    return tmp_path, env


def test_keygen_refuses_to_overwrite(tmp_path):
    run("keygen", "--out", tmp_path / "k.json", "--scrypt-log-n", 14)
    result = run("keygen", "--out", tmp_path / "k.json", "--scrypt-log-n", 14, ok=False)
    assert result.exit_code != 0 and "exists" in result.output


def test_seal_inspect_unwrap_open(sealed):
    tmp, env = sealed
    assert env["tender_id"] == "T-9" and env["deadline"] == "2026-01-05T02:00:00Z"
    info = run("inspect", tmp / "bid.tseal")
    assert info["envelope_sha256"] == env["envelope_sha256"] and info["threshold"] == 2
    shares = [run("unwrap", tmp / "bid.tseal", "--key-file", tmp / f"custodian{i}.json")["share"] for i in range(3)]
    opened = run("open", tmp / "bid.tseal", "--share", shares[0], "--share", shares[2], *BINDING,
                 "--out", tmp / "opened")
    assert [d["path"] for d in opened["documents"]] == ["documents/plan.pdf"]
    assert (tmp / "opened" / "documents" / "plan.pdf").read_bytes() == (tmp / "plan.pdf").read_bytes()
    assert b"2.60" in (tmp / "opened" / "price-sheet.bin").read_bytes()
    one = run("open", tmp / "bid.tseal", "--share", shares[1], *BINDING, ok=False)
    assert one.exit_code == 2 and "2 key shares are needed" in one.output and "Traceback" not in one.output


BINDING = ("--tender", "T-9", "--bid", "B-1", "--version", "1")


def unwrap_all(tmp):
    return [run("unwrap", tmp / "bid.tseal", "--key-file", tmp / f"custodian{i}.json")["share"] for i in range(3)]


def test_open_requires_and_checks_tender_bid_and_version(sealed):
    tmp, _ = sealed
    shares = ("--share", unwrap_all(tmp)[0], "--share", unwrap_all(tmp)[1])
    for missing in ("--tender", "--bid", "--version"):
        args = [a for i, a in enumerate(BINDING) if missing not in (a, BINDING[i - 1] if i else None)]
        result = run("open", tmp / "bid.tseal", *shares, *args, ok=False)
        assert result.exit_code == 2 and f"Missing option '{missing}'" in result.output, result.output
    for wrong in (("--tender", "T-8"), ("--bid", "B-2"), ("--version", "2")):
        args = list(BINDING)
        args[args.index(wrong[0]) + 1] = wrong[1]
        result = run("open", tmp / "bid.tseal", *shares, *args, ok=False)
        assert result.exit_code == 2 and "error (wrong_tender)" in result.output, result.output
    assert run("open", tmp / "bid.tseal", *shares, *BINDING)["ok"]


def test_a_tampered_envelope_leaves_nothing_on_disk(sealed):
    tmp, _ = sealed
    shares = unwrap_all(tmp)
    data = bytearray((tmp / "bid.tseal").read_bytes())
    data[-200] ^= 0x01  # in the last chunk of the document: its first 192 KiB verify before this one
    (tmp / "bid.tseal").write_bytes(bytes(data))
    before = sorted(p.name for p in tmp.iterdir())
    result = run("open", tmp / "bid.tseal", "--share", shares[0], "--share", shares[1], *BINDING,
                 "--out", tmp / "opened", ok=False)
    assert result.exit_code == 2 and "error (tampered_envelope)" in result.output, result.output
    assert sorted(p.name for p in tmp.iterdir()) == before


def test_a_document_cannot_replace_the_price_sheet(sealed):
    tmp, _ = sealed
    (tmp / "price-sheet.bin").write_bytes(b"a document that pretends to be the price sheet")
    run("seal", "--custodians-file", tmp / "custodians.json", "--bid", "B-1", "--price-sheet", tmp / "price.json",
        "--business", tmp / "price-sheet.bin", "--out", tmp / "bid.tseal")
    shares = unwrap_all(tmp)
    opened = run("open", tmp / "bid.tseal", "--share", shares[0], "--share", shares[1], *BINDING,
                 "--out", tmp / "opened")
    assert (tmp / "opened" / "price-sheet.bin").read_bytes() == (tmp / "price.json").read_bytes()
    assert (tmp / "opened" / "documents" / "price-sheet.bin").read_bytes() == (tmp / "price-sheet.bin").read_bytes()
    assert opened["price_sheet"] == "price-sheet.bin"


def test_open_refuses_a_folder_that_holds_files(sealed):
    tmp, _ = sealed
    shares = unwrap_all(tmp)
    (tmp / "opened").mkdir()
    (tmp / "opened" / "keep.txt").write_text("mine")
    result = run("open", tmp / "bid.tseal", "--share", shares[0], "--share", shares[1], *BINDING,
                 "--out", tmp / "opened", ok=False)
    assert result.exit_code == 2 and "not empty" in result.output
    assert [p.name for p in (tmp / "opened").iterdir()] == ["keep.txt"]


def test_check_key_and_wrong_passphrase(sealed):
    tmp, _ = sealed
    assert run("check-key", "--key-file", tmp / "custodian0.json")["ok"]
    bad = CliRunner().invoke(seal_cli, ["check-key", "--key-file", str(tmp / "custodian0.json")],
                             env={"SEAL_PASSPHRASE": "not the passphrase"})
    assert bad.exit_code == 2 and "passphrase is wrong" in bad.output


def test_verify_receipt_with_log(sealed):
    tmp, env = sealed
    key = platform_keys.load_or_create(tmp / "keys").signing_key
    (tmp / "platform-key.json").write_text(json.dumps(receipts.public_key_document(key)))
    r1 = receipts.make_receipt(key, tender_id="T-9", bidder="firm-a", bid_id="B-1", bid_version=1,
                               envelope_sha256=env["envelope_sha256"], server_time=datetime.now(timezone.utc), seq=1)
    (tmp / "receipt.json").write_text(json.dumps(r1))
    (tmp / "log.json").write_text(json.dumps([r1]))
    out = run("verify-receipt", tmp / "receipt.json", "--platform-key", tmp / "platform-key.json",
              "--envelope", tmp / "bid.tseal", "--log", tmp / "log.json")
    assert out["ok"] and out["log_entries"] == 1
    (tmp / "log.json").write_text("[]")
    missing = run("verify-receipt", tmp / "receipt.json", "--platform-key", tmp / "platform-key.json",
                  "--log", tmp / "log.json", ok=False)
    assert missing.exit_code == 2 and "missing from the log" in missing.output


def test_standalone_module_runs_without_flask_app(sealed):
    tmp, _ = sealed
    proc = subprocess.run([sys.executable, "-m", "tender.sealing.cli", "inspect", str(tmp / "bid.tseal")],
                          capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout)["bid_id"] == "B-1"
    garbage = tmp / "garbage.bin"
    garbage.write_bytes(b"hello world, not an envelope")
    proc = subprocess.run([sys.executable, "-m", "tender.sealing.cli", "inspect", str(garbage)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "not a sealed bid envelope" in proc.stderr and "Traceback" not in proc.stderr


def test_damaged_key_files_and_key_checks_are_one_line_errors(sealed):
    from tender.sealing import keyfile

    from .test_keyfile import damaged_checks, damaged_files

    tmp, _ = sealed
    data = json.loads((tmp / "custodian0.json").read_text())
    for what, content in damaged_files(data).items():
        path = tmp / "damaged.json"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        for args in (["check-key", "--key-file", path], ["unwrap", tmp / "bid.tseal", "--key-file", path]):
            result = run(*args, ok=False)
            assert result.exit_code == 2 and "error (key_file)" in result.output, (what, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), what
    check = keyfile.make_key_check(b"s", keyfile.public_key_of(data), "check:1:1")
    cases = {**damaged_checks(check), "binary": None}
    for what, damaged in cases.items():
        path = tmp / "key-check.json"
        path.write_bytes(b"\xff\xfe\x00garbage" if damaged is None else json.dumps(damaged).encode())
        result = run("check-key", "--key-file", tmp / "custodian0.json", "--challenge", path, ok=False)
        assert result.exit_code == 2 and "error (key_file)" in result.output, (what, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), what


def test_each_document_is_sealed_with_its_part(sealed):
    tmp, _ = sealed
    for name in ("tech-1.pdf", "tech-2.pdf", "fees.docx", "licence.pdf"):
        (tmp / name).write_bytes(name.encode())
    made = run("seal", "--custodians-file", tmp / "custodians.json", "--bid", "B-1", "--price-sheet", tmp / "price.json",
               "--qualification", tmp / "licence.pdf", "--business", tmp / "fees.docx", "--technical", tmp / "tech-1.pdf",
               "--technical", tmp / "tech-2.pdf", "--out", tmp / "bid.tseal", ok=True)
    assert made["format_version"] == 2 and run("inspect", tmp / "bid.tseal")["format_version"] == 2
    shares = unwrap_all(tmp)
    opened = run("open", tmp / "bid.tseal", "--share", shares[0], "--share", shares[1], *BINDING,
                 "--out", tmp / "opened")
    expected = [("tech-1.pdf", "technical"), ("tech-2.pdf", "technical"), ("fees.docx", "business"),
                ("licence.pdf", "qualification")]
    assert [(d["name"], d["part"]) for d in opened["documents"]] == expected
    assert [(d["name"], d["part"]) for d in opened["documents_in_manifest"]] == expected
    checked = run("open", tmp / "bid.tseal", "--share", shares[0], "--share", shares[1], *BINDING)
    assert [d["part"] for d in checked["documents_in_manifest"]] == [p for _, p in expected]
    unlabelled = run("seal", "--custodians-file", tmp / "custodians.json", "--bid", "B-1", "--price-sheet",
                     tmp / "price.json", "--document", tmp / "fees.docx", "--out", tmp / "other.tseal", ok=False)
    assert unlabelled.exit_code == 2 and "--technical, --business or --qualification" in unlabelled.output
    assert not (tmp / "other.tseal").exists()


def test_a_refused_seal_leaves_no_partial_file(sealed):
    tmp, _ = sealed
    (tmp / "invoice\u202efdp.exe").write_bytes(b"x")
    result = run("seal", "--custodians-file", tmp / "custodians.json", "--bid", "B-2", "--price-sheet",
                 tmp / "price.json", "--technical", tmp / "invoice\u202efdp.exe", "--out", tmp / "new.tseal", ok=False)
    assert result.exit_code == 2 and "U+202E" in result.output
    assert not (tmp / "new.tseal").exists() and not (tmp / "new.tseal.partial").exists()
