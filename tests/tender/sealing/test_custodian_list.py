"""custodians.json and the share text: exactly what docs/envelope.md (4.1 and 6.1) allows."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from tender.sealing import BadShare, InvalidInput, KeyShare, custodians, hpke
from tender.sealing.encoding import b64encode

from .helpers import custodians as make_keys, public_keys
from .test_api import non_canonical

PKS = public_keys(make_keys(3))


def listing(**changes) -> dict:
    data = custodians.encode("T-2026-001", datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc), 2, PKS)
    return {**data, **changes}


def entry(pk: bytes, **changes) -> dict:
    return {"key_id": hpke.key_id(pk).hex(), "public_key": b64encode(pk), **changes}


def bad_lists() -> dict[str, object]:
    kid = hpke.key_id(PKS[0]).hex()
    return {
        "not JSON": b"\x89\x00binary",
        "a list": json.dumps([listing()]),
        "no tender id": json.dumps({k: v for k, v in listing().items() if k != "tender_id"}),
        "tender id with a space": json.dumps(listing(tender_id="T 1")),
        "deadline without offset": json.dumps(listing(deadline="2026-05-01T10:00:00")),
        "deadline with fractions": json.dumps(listing(deadline="2026-05-01T10:00:00.5+08:00")),
        "deadline a date": json.dumps(listing(deadline="2026-05-01")),
        "deadline a number": json.dumps(listing(deadline=1777600800)),
        "deadline not a date": json.dumps(listing(deadline="2026-02-30T10:00:00Z")),
        "deadline past 9999": json.dumps(listing(deadline="10000-01-01T00:00:00Z")),
        "custodians an object": json.dumps(listing(custodians={"a": entry(PKS[0])})),
        "custodian a string": json.dumps(listing(custodians=[b64encode(PKS[0])])),
        "no key id": json.dumps(listing(custodians=[{"public_key": b64encode(pk)} for pk in PKS])),
        "key id uppercase": json.dumps(listing(custodians=[entry(PKS[0], key_id=kid.upper()), entry(PKS[1])])),
        "key id of another key": json.dumps(listing(custodians=[entry(PKS[0], key_id=hpke.key_id(PKS[1]).hex()),
                                                                entry(PKS[1])])),
        "public key not canonical": json.dumps(listing(custodians=[
            entry(PKS[0], public_key=non_canonical(b64encode(PKS[0]))), entry(PKS[1])])),
        "public key 31 bytes": json.dumps(listing(custodians=[entry(PKS[0], public_key=b64encode(PKS[0][:31])),
                                                              entry(PKS[1])])),
    }


def test_the_platform_list_reads_back():
    text = json.dumps(listing())
    assert json.loads(text)["deadline"] == "2026-05-01T02:00:00Z"
    parsed = custodians.parse(text)
    assert (parsed.tender_id, parsed.deadline, parsed.threshold) == ("T-2026-001", 1777600800, 2)
    assert parsed.public_keys == PKS
    assert custodians.parse(json.dumps(listing(deadline="2026-05-01T10:00:00+08:00"))).deadline == 1777600800


@pytest.mark.parametrize("what", list(bad_lists()))
def test_a_list_outside_the_format_is_refused(what):
    with pytest.raises(InvalidInput) as info:
        custodians.parse(bad_lists()[what])
    assert info.value.message


def test_the_cli_names_the_custodians_file(tmp_path):
    from click.testing import CliRunner

    from tender.sealing.cli import seal_cli

    (tmp_path / "price.json").write_text("{}")
    for what, content in bad_lists().items():
        path = tmp_path / "custodians.json"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        result = CliRunner().invoke(seal_cli, ["seal", "--custodians-file", str(path), "--bid", "B-1", "--price-sheet",
                                               str(tmp_path / "price.json"), "--out", str(tmp_path / "b.tseal")],
                                    catch_exceptions=False)
        assert result.exit_code == 2 and "Invalid value for '--custodians-file'" in result.output, (what, result.output)
        assert not (tmp_path / "b.tseal").exists()


def test_share_text_is_66_hex_digits_in_either_case():
    share = KeyShare(2, bytes(range(32)))
    text = share.encode()
    assert text == "02" + bytes(range(32)).hex() and text == text.lower()
    for accepted in (text, text.upper(), f"  {text}\n"):
        assert KeyShare.decode(accepted) == share
    for refused in (text[:2] + " " + text[2:], "0x" + text[2:], text[:-1], text + "0", "00" + text[2:],
                    text[:-1] + "g", "", "٠" * 66):
        with pytest.raises(BadShare):
            KeyShare.decode(refused)
