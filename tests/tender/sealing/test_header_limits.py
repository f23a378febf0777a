"""Header fields at and past their limits: every refusal is a MalformedEnvelope naming the real
cause, in the library, the upload check and the command-line tool (never a traceback)."""

from __future__ import annotations

import io
import struct
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from tender.sealing import InvalidInput, MalformedEnvelope, check_upload, hpke, inspect, unwrap_share
from tender.sealing.cli import seal_cli
from tender.sealing.format import MAX_DEADLINE, PREAMBLE

from .helpers import custodians, make_envelope, public_keys

YEAR_10000 = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp()) + 1


def _deadline_offset(envelope: bytes) -> int:
    pos = PREAMBLE.size
    pos += 1 + envelope[pos]  # tender id
    pos += 1 + envelope[pos]  # bid id
    return pos + 4  # bid version


def with_deadline(envelope: bytes, deadline: int) -> bytes:
    at = _deadline_offset(envelope)
    return envelope[:at] + struct.pack(">Q", deadline) + envelope[at + 8 :]


@pytest.fixture(scope="module")
def keys():
    return custodians(2)


def test_the_last_second_of_9999_is_the_latest_deadline(keys):
    assert MAX_DEADLINE == YEAR_10000 - 1
    env = make_envelope(keys, deadline=MAX_DEADLINE)
    assert inspect(io.BytesIO(env)).describe()["deadline"] == "9999-12-31T23:59:59Z"
    with pytest.raises(InvalidInput, match="deadline"):
        make_envelope(keys, deadline=YEAR_10000)


@pytest.mark.parametrize("deadline", [YEAR_10000, 2**63 - 1, 2**64 - 1])
def test_a_deadline_past_9999_is_malformed_everywhere(keys, tmp_path, deadline):
    env = with_deadline(make_envelope(keys), deadline)
    with pytest.raises(MalformedEnvelope, match="deadline"):
        inspect(io.BytesIO(env))
    kids = [hpke.key_id(pk).hex() for pk in public_keys(keys)]
    with pytest.raises(MalformedEnvelope, match="deadline"):
        check_upload(io.BytesIO(env), tender_id="T-2026-001", bid_id="B-7", bid_version=1, deadline=0,
                     key_ids=kids, threshold=2)
    path = tmp_path / "far.tseal"
    path.write_bytes(env)
    for args in (["inspect", str(path)], ["unwrap", str(path), "--key-file", str(path)]):
        result = CliRunner().invoke(seal_cli, args)
        assert result.exit_code == 2, result.output
        assert "error (malformed_envelope)" in result.output and "deadline" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unwrap_of_a_parsed_header_never_overflows(keys):
    env = make_envelope(keys, deadline=MAX_DEADLINE)
    header = inspect(io.BytesIO(env))
    with pytest.raises(Exception) as info:
        unwrap_share(header, keys[0])
    assert type(info.value).__name__ == "TooEarly"


def _with_byte(envelope: bytes, at: int, value: int) -> bytes:
    return envelope[:at] + bytes([value]) + envelope[at + 1 :]


def length_byte_positions(envelope: bytes) -> dict[str, int]:
    tender = PREAMBLE.size
    bid = tender + 1 + envelope[tender]
    count = bid + 1 + envelope[bid] + 13
    return {"tender id": tender, "bid id": bid, "custodian count": count}


@pytest.mark.parametrize("field", ["tender id", "bid id", "custodian count"])
@pytest.mark.parametrize("delta", [-1, 1])
def test_a_changed_length_byte_is_reported_as_a_length_error(keys, field, delta):
    env = make_envelope(keys)
    at = length_byte_positions(env)[field]
    with pytest.raises(MalformedEnvelope) as info:
        inspect(io.BytesIO(_with_byte(env, at, env[at] + delta)))
    assert "length" in info.value.message and "threshold" not in info.value.message, info.value.message


@pytest.mark.parametrize("declared", [14, 15, 317, 3835, 2**32 - 1])
def test_header_length_bounds_are_those_of_the_fields(keys, declared):
    env = make_envelope(keys)
    with pytest.raises(MalformedEnvelope, match="318 to 3834"):
        inspect(io.BytesIO(env[:10] + struct.pack(">I", declared) + env[14:]))


def test_smallest_and_largest_headers_parse():
    from tender.sealing.format import MAX_HEADER_LEN, MIN_HEADER_LEN

    assert (MIN_HEADER_LEN, MAX_HEADER_LEN) == (318, 3834)
    small = inspect(io.BytesIO(make_envelope(custodians(2), tender="T", bid="B", docs=[])))
    assert small.length == MIN_HEADER_LEN
    large = inspect(io.BytesIO(make_envelope(custodians(32), tender="T" * 64, bid="B" * 64, docs=[])))
    assert large.length == MAX_HEADER_LEN
