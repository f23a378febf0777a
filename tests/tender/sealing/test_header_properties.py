"""Property tests of the header parser: it round-trips what it writes, and on any other input it
either parses or raises MalformedEnvelope, never anything else."""

import secrets

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tender.sealing.errors import MalformedEnvelope
from tender.sealing.format import (
    DOCUMENTS, MANIFEST, MAGIC, MAX_DEADLINE, MIN_THRESHOLD, PRICE_SHEET, Header, Stanza, encode_body, parse_header,
)
from tender.sealing.stream import PRICE_SHEET_CT_LEN, ciphertext_length

ids = st.from_regex(r"[A-Za-z0-9._:-]{1,64}", fullmatch=True)


@st.composite
def headers(draw):
    n = draw(st.integers(MIN_THRESHOLD, 32))
    k = draw(st.integers(MIN_THRESHOLD, n))
    kids = draw(st.lists(st.binary(min_size=16, max_size=16), min_size=n, max_size=n, unique=True))
    stanzas = tuple(
        Stanza(kid, i + 1, draw(st.binary(min_size=16, max_size=16)), draw(st.binary(min_size=80, max_size=80)))
        for i, kid in enumerate(kids)
    )
    docs = ciphertext_length(draw(st.integers(0, 2**40)))
    man = ciphertext_length(draw(st.integers(34, 2**20)))
    return Header(draw(ids), draw(ids), draw(st.integers(1, 2**32 - 1)), draw(st.integers(0, MAX_DEADLINE)), k,
                  stanzas, ((PRICE_SHEET, PRICE_SHEET_CT_LEN), (DOCUMENTS, docs), (MANIFEST, man)))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(headers())
def test_round_trip(header):
    mac = secrets.token_bytes(32)
    parsed = parse_header(encode_body(header) + mac + b"trailing payload")
    assert parsed.tender_id == header.tender_id and parsed.bid_id == header.bid_id
    assert parsed.bid_version == header.bid_version and parsed.deadline == header.deadline
    assert parsed.threshold == header.threshold and parsed.stanzas == header.stanzas
    assert parsed.sections == header.sections and parsed.mac == mac


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(headers(), st.data())
def test_mutations_parse_or_fail_cleanly(header, data):
    raw = bytearray(encode_body(header) + bytes(32))
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    for candidate in (bytes(raw), bytes(raw[:cut])):
        try:
            parse_header(candidate)
        except MalformedEnvelope as exc:
            assert exc.message


@settings(max_examples=300)
@given(st.binary(max_size=600))
def test_random_bytes_fail_cleanly(blob):
    for candidate in (blob, MAGIC + b"\x00\x01" + blob):
        try:
            parse_header(candidate)
        except MalformedEnvelope:
            pass


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(headers(), st.integers(0, MIN_THRESHOLD - 1))
def test_a_threshold_below_two_is_malformed(header, k):
    raw = encode_body(header.__class__(**{**header.__dict__, "threshold": k, "raw": b""})) + bytes(32)
    try:
        parse_header(raw)
    except MalformedEnvelope as exc:
        assert "threshold" in exc.message
    else:
        raise AssertionError(f"a header with k = {k} parsed")
