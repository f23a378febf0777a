"""Sealing and opening: sizes, tampering of every kind, shares, bindings, and what leaks."""

import io
import itertools
from datetime import datetime, timedelta, timezone

import pytest

from tender.sealing import (
    BadShare, KeyShare, MalformedEnvelope, NotEnoughShares, TamperedEnvelope, TooEarly, WrongTender, inspect,
    open_envelope, unwrap_share,
)
from tender.sealing.stream import CHUNK

from .helpers import BINDING, custodians, make_envelope

MARKER_PRICE = b"MARKER-PRICE-8f3a2c"
MARKER_DOC = b"MARKER-DOCUMENT-77e1b0"


@pytest.fixture(scope="module")
def keys():
    return custodians(3)


def shares_for(envelope: bytes, keys):
    header = inspect(io.BytesIO(envelope))
    return [unwrap_share(header, k) for k in keys]


def open_all(envelope: bytes, shares, **expect):
    opened = open_envelope(io.BytesIO(envelope), shares, **{**BINDING, **expect})
    docs = {e.name: b"".join(pieces) for e, pieces in opened.documents()}
    return opened.price_sheet(), docs


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17])
def test_sizes_round_trip(keys, size):
    data = bytes(i % 251 for i in range(size))
    env = make_envelope(keys, docs=[("a.bin", data)], price=b"")
    price, docs = open_all(env, shares_for(env, keys)[:2])
    assert price == b"" and docs == {"a.bin": data}


def test_no_documents_and_many_small_ones(keys):
    env = make_envelope(keys, docs=[])
    assert open_all(env, shares_for(env, keys)[1:])[1] == {}
    many = [(f"f{i}.txt", bytes([i]) * (i * 997)) for i in range(40)]
    env = make_envelope(keys, docs=many)
    assert open_all(env, shares_for(env, keys)[::2])[1] == dict(many)


def test_every_k_subset_opens_and_k_minus_1_never_does():
    keys5 = custodians(5)
    env = make_envelope(keys5, threshold=3)
    shares = shares_for(env, keys5)
    for subset in itertools.combinations(shares, 3):
        assert open_all(env, list(subset))[0] == b'{"fee": "2.85"}'
    for subset in itertools.combinations(shares, 2):
        with pytest.raises(NotEnoughShares):
            open_envelope(io.BytesIO(env), list(subset), **BINDING)


def test_corrupted_duplicate_and_foreign_shares(keys):
    env = make_envelope(keys)
    s1, s2, s3 = shares_for(env, keys)
    with pytest.raises(BadShare) as info:
        open_envelope(io.BytesIO(env), [s1, KeyShare(s2.x, bytes([s2.y[0] ^ 0x40]) + s2.y[1:])], **BINDING)
    assert info.value.details["index"] == 2
    with pytest.raises(BadShare):
        open_envelope(io.BytesIO(env), [s1, s1], **BINDING)
    other = make_envelope(keys)
    o1, o2, _ = shares_for(other, keys)
    with pytest.raises(BadShare):
        open_envelope(io.BytesIO(env), [o1, s2], **BINDING)
    with pytest.raises(BadShare):
        KeyShare.decode("zz")
    assert KeyShare.decode(s3.encode()) == s3
    assert s3.y.hex() not in repr(s3)


def test_custodian_tool_refuses_before_deadline_and_wrong_key(keys):
    future = datetime.now(timezone.utc) + timedelta(days=1)
    env = make_envelope(keys, deadline=future)
    header = inspect(io.BytesIO(env))
    with pytest.raises(TooEarly):
        unwrap_share(header, keys[0])
    assert unwrap_share(header, keys[0], now=future).x == 1
    with pytest.raises(BadShare):
        unwrap_share(header, custodians(1)[0], now=future)


def test_replay_into_another_tender(keys):
    env = make_envelope(keys, tender="T-A")
    shares = shares_for(env, keys)[:2]
    with pytest.raises(WrongTender):
        open_envelope(io.BytesIO(env), shares, **{**BINDING, "tender_id": "T-B"})
    with pytest.raises(WrongTender):
        open_envelope(io.BytesIO(env), shares, **{**BINDING, "tender_id": "T-A", "bid_id": "B-8"})
    with pytest.raises(WrongTender):
        open_envelope(io.BytesIO(env), shares, **{**BINDING, "tender_id": "T-A", "bid_version": 2})
    # Rewriting the tender id in the header breaks the share binding and the header MAC.
    forged = env.replace(b"\x03T-A", b"\x03T-B", 1)
    header = inspect(io.BytesIO(forged))
    assert header.tender_id == "T-B"
    with pytest.raises(BadShare):
        unwrap_share(header, keys[0])
    with pytest.raises(TamperedEnvelope):
        open_all(forged, shares, tender_id="T-B")


def test_truncated_and_extended(keys):
    env = make_envelope(keys)
    shares = shares_for(env, keys)[:2]
    for cut in (len(env) - 1, len(env) - 16, len(env) - CHUNK, 200, 13, 0):
        with pytest.raises((TamperedEnvelope, MalformedEnvelope)):
            open_all(env[:cut], shares)
    with pytest.raises(TamperedEnvelope):
        open_all(env + b"\x00", shares)


def test_chunks_reordered_and_swapped_between_envelopes(keys):
    big = [("plan.pdf", bytes(range(256)) * 1024)]  # 256 KiB: four chunks in the documents section
    env = make_envelope(keys, docs=big)
    header = inspect(io.BytesIO(env))
    shares = shares_for(env, keys)[:2]
    start = header.section_offset(2)
    step = CHUNK + 16
    chunks = [env[start + i * step : start + (i + 1) * step] for i in range(4)]
    reordered = env[:start] + chunks[1] + chunks[0] + b"".join(chunks[2:]) + env[start + 4 * step :]
    with pytest.raises(TamperedEnvelope):
        open_all(reordered, shares)
    twin = make_envelope(keys, docs=big)
    twin_header = inspect(io.BytesIO(twin))
    t_start = twin_header.section_offset(2)
    swapped = env[:start] + twin[t_start : t_start + step] + env[start + step :]
    with pytest.raises(TamperedEnvelope):
        open_all(swapped, shares)
    # A whole envelope body under another's header.
    mixed = env[: header.length] + twin[twin_header.length :]
    with pytest.raises(TamperedEnvelope):
        open_all(mixed, shares)


def test_every_bit_flip_region_is_caught(keys):
    env = make_envelope(keys, docs=[("a.txt", b"A" * 3000)])
    header = inspect(io.BytesIO(env))
    shares = shares_for(env, keys)[:2]
    positions = list(range(0, header.length)) + list(range(header.length, len(env), 97)) + [len(env) - 1]
    for pos in positions:
        flipped = bytearray(env)
        flipped[pos] ^= 0x01
        # A flipped threshold byte can only show as "not enough shares": no key, no MAC check.
        with pytest.raises((TamperedEnvelope, MalformedEnvelope, BadShare, NotEnoughShares, WrongTender)):
            open_all(bytes(flipped), shares)


def test_marker_appears_nowhere_in_the_envelope(keys):
    env = make_envelope(keys, price=b'{"fee": "' + MARKER_PRICE + b'"}',
                        docs=[("tech.txt", b"intro " + MARKER_DOC * 50), (MARKER_DOC.decode() + ".pdf", b"x")])
    for marker in (MARKER_PRICE, MARKER_DOC):
        for form in (marker, marker.hex().encode(), marker.lower(), marker.decode().encode("utf-16-le")):
            assert form not in env
    header = inspect(io.BytesIO(env))
    assert MARKER_DOC.decode() not in str(header.describe())


def test_malformed_headers_give_clear_errors(keys):
    env = make_envelope(keys)
    cases = {
        "not an envelope": b"PK\x03\x04" + env[4:],
        "unknown version": env[:8] + b"\x00\x03" + env[10:],
        "header too long": env[:10] + (10**6).to_bytes(4, "big") + env[14:],
        "header length short": env[:10] + (20).to_bytes(4, "big") + env[14:],
        "empty": b"",
    }
    for name, data in cases.items():
        with pytest.raises(MalformedEnvelope) as info:
            inspect(io.BytesIO(data))
        assert info.value.message and "Traceback" not in info.value.message, name
    with pytest.raises(MalformedEnvelope, match="version 3"):
        inspect(io.BytesIO(cases["unknown version"]))


def test_too_many_stanzas_is_refused_cleanly():
    from tender.sealing.format import MAX_CUSTODIANS, encode_body, parse_header

    env = make_envelope(custodians(2))
    header = inspect(io.BytesIO(env))
    many = header.__class__(header.tender_id, header.bid_id, 1, header.deadline, 1,
                            tuple(header.stanzas[0] for _ in range(MAX_CUSTODIANS + 1)), header.sections)
    body = encode_body(many)
    with pytest.raises(MalformedEnvelope):
        parse_header(body + bytes(32))


def test_inspect_shows_no_secrets(keys):
    env = make_envelope(keys)
    described = inspect(io.BytesIO(env)).describe()
    assert described["tender_id"] == "T-2026-001" and described["threshold"] == 2
    assert len(described["custodians"]) == 3
    assert described["envelope_length"] == len(env)


def test_upload_check_binds_tender_deadline_and_custodians(keys):
    from tender.sealing import check_upload, hpke

    env = make_envelope(keys)
    kids = [hpke.key_id(hpke.public_bytes(k.public_key())).hex() for k in keys]
    expect = dict(tender_id="T-2026-001", bid_id="B-7", bid_version=1, deadline=1_767_225_600, key_ids=kids,
                  threshold=2)
    header, digest = check_upload(io.BytesIO(env), **expect)
    assert len(digest) == 64 and header.bid_id == "B-7"
    for change in ({"tender_id": "T-X"}, {"deadline": 1}, {"key_ids": kids[::-1]}, {"threshold": 3},
                   {"bid_version": 2}):
        with pytest.raises(WrongTender):
            check_upload(io.BytesIO(env), **{**expect, **change})
    with pytest.raises(MalformedEnvelope):
        check_upload(io.BytesIO(env[:-1]), **expect)


def test_nothing_is_returned_from_an_envelope_that_fails_anywhere(keys):
    env = bytearray(make_envelope(keys, docs=[("plan.pdf", b"P" * (3 * CHUNK))]))
    env[-120] ^= 0x01  # the documents' last chunk; the price sheet and manifest verify
    shares = shares_for(bytes(env), keys)[:2]
    with pytest.raises(TamperedEnvelope):
        open_envelope(io.BytesIO(bytes(env)), shares, **BINDING)
    # Read as a stream, the same envelope hands out the price sheet and the first chunks of the
    # document before the failing chunk is reached: that is why the default verifies first.
    streamed = open_envelope(io.BytesIO(bytes(env)), shares, **BINDING, verify_first=False)
    assert not streamed.verified and streamed.price_sheet() == b'{"fee": "2.85"}'
    documents = streamed.documents()
    _entry, pieces = next(documents)
    assert next(pieces) == b"P" * CHUNK
    with pytest.raises(TamperedEnvelope):
        list(pieces)
    assert not streamed.verified
    with pytest.raises(RuntimeError, match="every piece"):
        list(open_envelope(io.BytesIO(bytes(env)), shares, **BINDING, verify_first=False).documents())
    good = make_envelope(keys)
    assert open_envelope(io.BytesIO(good), shares_for(good, keys)[:2], **BINDING).verified


def _share_check_offset(envelope: bytes, x: int) -> int:
    from tender.sealing.format import PREAMBLE, STANZA_LEN

    pos = PREAMBLE.size
    pos += 1 + envelope[pos]
    pos += 1 + envelope[pos]
    return pos + 14 + (x - 1) * STANZA_LEN + 16 + 1


@pytest.mark.parametrize("given", [(1, 2), (2, 3), (1, 2, 3)])
def test_a_changed_share_check_is_tampering_of_the_envelope_not_a_bad_share(keys, given):
    env = make_envelope(keys)
    shares = shares_for(env, keys)  # unwrapped before the header was changed
    forged = bytearray(env)
    forged[_share_check_offset(env, 2)] ^= 0x04
    chosen = [shares[x - 1] for x in given]
    with pytest.raises(TamperedEnvelope) as info:
        open_envelope(io.BytesIO(bytes(forged)), chosen, **BINDING)
    assert "header" in info.value.message and "check" in info.value.message, info.value.message
    # The custodian whose check value was changed is told so by their own tool, too.
    with pytest.raises(TamperedEnvelope, match="header"):
        unwrap_share(inspect(io.BytesIO(bytes(forged))), keys[1])


def test_a_wrong_share_is_still_named_when_the_header_is_intact(keys):
    env = make_envelope(keys)
    s1, s2, s3 = shares_for(env, keys)
    bad = KeyShare(s2.x, bytes([s2.y[0] ^ 1]) + s2.y[1:])
    for chosen in ([s1, bad], [bad, s3], [s1, bad, s3]):
        with pytest.raises(BadShare) as info:
            open_envelope(io.BytesIO(env), chosen, **BINDING)
        assert info.value.details["index"] == 2
