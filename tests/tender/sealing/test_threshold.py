"""k of n with k >= 2: no single custodian can open a bid alone (docs/envelope.md, 5.1)."""

from __future__ import annotations

import base64
import io
import json

import pytest
from click.testing import CliRunner

from tender.sealing import InvalidInput, MalformedEnvelope, hpke, inspect
from tender.sealing.cli import seal_cli
from tender.sealing.format import MAX_CUSTODIANS, MIN_THRESHOLD, PREAMBLE, check_threshold
from tests.tender.sealing.helpers import custodians, make_envelope, public_keys


@pytest.mark.parametrize("k,n", [(2, 2), (2, 3), (3, 3), (2, MAX_CUSTODIANS), (MAX_CUSTODIANS, MAX_CUSTODIANS)])
def test_allowed_thresholds(k, n):
    assert check_threshold(k, n) == k


@pytest.mark.parametrize("k,n,words", [
    (1, 3, "at least 2"), (0, 3, "at least 2"), (-1, 3, "at least 2"), (1, 1, "2 to 32 custodians"),
    (2, 1, "2 to 32 custodians"), (4, 3, "more than the 3"), (2, MAX_CUSTODIANS + 1, "2 to 32 custodians"),
    (2.0, 3, "whole number"), (True, 3, "whole number"), ("2", 3, "whole number"),
])
def test_refused_thresholds(k, n, words):
    with pytest.raises(InvalidInput, match=words):
        check_threshold(k, n)


@pytest.mark.parametrize("k,n", [(1, 3), (1, 1), (0, 2), (3, 2)])
def test_seal_refuses_and_writes_nothing(k, n):
    with pytest.raises(InvalidInput):
        make_envelope(custodians(n), threshold=k)


def _with_threshold_byte(envelope: bytes, k: int, n: int | None = None) -> bytes:
    """The same envelope with its header's k (and n) bytes changed, as a forger or an old tool would."""
    pos = PREAMBLE.size
    pos += 1 + envelope[pos]  # tender id
    pos += 1 + envelope[pos]  # bid id
    pos += 4 + 8  # bid version, deadline
    patched = bytearray(envelope)
    patched[pos] = k
    if n is not None:
        patched[pos + 1] = n
    return bytes(patched)


def test_parser_refuses_an_existing_header_with_k_below_two():
    env = make_envelope(custodians(3), threshold=2)
    for k in (0, 1):
        with pytest.raises(MalformedEnvelope, match="threshold"):
            inspect(io.BytesIO(_with_threshold_byte(env, k)))


def test_parser_refuses_a_single_custodian_header():
    from tender.sealing.format import encode_body

    header = inspect(io.BytesIO(make_envelope(custodians(2), threshold=2)))
    single = header.__class__(**{**header.__dict__, "threshold": 1, "stanzas": header.stanzas[:1], "raw": b""})
    with pytest.raises(MalformedEnvelope, match="2 to 32 custodians"):
        inspect(io.BytesIO(encode_body(single) + bytes(32)))


# The command-line tool: a clear usage error, exit status 2, no traceback, no file written.

def _cli_seal(tmp_path, *extra, custodians_file=None):
    (tmp_path / "price.json").write_text('{"fee": "2.60"}')
    pks = public_keys(custodians(3))
    keys = [base64.b64encode(k).decode() for k in pks]
    args = ["seal", "--bid", "B-1", "--price-sheet", tmp_path / "price.json", "--out", tmp_path / "bid.tseal"]
    if custodians_file is None:
        args += ["--tender", "T-1", "--deadline", "2026-01-01T08:00:00+08:00"]
        for key in keys:
            args += ["--custodian", key]
    else:
        meta = {"tender_id": "T-1", "deadline": "2026-01-01T08:00:00+08:00",
                "custodians": [{"key_id": hpke.key_id(pk).hex(), "public_key": key} for pk, key in zip(pks, keys)],
                **custodians_file}
        (tmp_path / "custodians.json").write_text(json.dumps(meta))
        args += ["--custodians-file", tmp_path / "custodians.json"]
    return CliRunner().invoke(seal_cli, [str(a) for a in [*args, *extra]], catch_exceptions=False)


@pytest.mark.parametrize("k,words", [("1", "at least 2"), ("0", "at least 2"), ("4", "more than the 3")])
def test_cli_refuses_threshold_option(tmp_path, k, words):
    result = _cli_seal(tmp_path, "--threshold", k)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--threshold'" in result.output and words in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "bid.tseal").exists() and not (tmp_path / "bid.tseal.partial").exists()


@pytest.mark.parametrize("k,words", [(1, "at least 2"), ("2", "whole number"), (5, "more than the 3")])
def test_cli_refuses_threshold_in_custodians_file(tmp_path, k, words):
    result = _cli_seal(tmp_path, custodians_file={"threshold": k})
    assert result.exit_code == 2, result.output
    assert "'--custodians-file'" in result.output and words in result.output
    assert not (tmp_path / "bid.tseal").exists() and not (tmp_path / "bid.tseal.partial").exists()


def test_cli_option_overrides_file_and_seals_with_two(tmp_path):
    result = _cli_seal(tmp_path, "--threshold", "2", custodians_file={"threshold": 1})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["threshold"] == MIN_THRESHOLD
