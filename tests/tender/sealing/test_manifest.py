"""Document names and counts: what sealing refuses, and what opening refuses when a tool that does
not follow docs/envelope.md section 5.3 sealed it anyway."""

from __future__ import annotations

import io

import pytest

from tender.sealing import InvalidInput, MalformedEnvelope, inspect, manifest, open_envelope, unwrap_share

from .helpers import custodians, make_envelope

BIDI = ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200b", "\ufeff", "\u00ad", "\u2028", "\u2029",
        "\u0000", "\u001f", "\u007f", "\u0085", "\U000e0001", "\U0001343f"]
COLLIDING = [("Plan.pdf", "plan.pdf"), ("PLAN.PDF", "plan.pdf"), ("straße.txt", "STRASSE.txt"),
             ("caf\u00e9.doc", "cafe\u0301.doc"), ("ΣΊΣΥΦΟΣ", "σίσυφος")]


@pytest.fixture(scope="module")
def keys():
    return custodians(2)


def refused_both_ways(keys, monkeypatch, docs, sealing: str, opening: str) -> None:
    """Sealing ``docs`` is refused; sealed anyway, by a tool that skips the name and count rules
    (with the real crypto), the envelope is refused at opening as malformed."""
    with pytest.raises(InvalidInput, match=sealing):
        make_envelope(keys, docs=docs)
    with monkeypatch.context() as patch:
        patch.setattr(manifest, "MAX_DOCUMENTS", 65535)
        patch.setattr(manifest, "check_name", lambda name: name.encode("utf-8"))
        patch.setattr(manifest, "name_key", lambda name: name)
        env = make_envelope(keys, docs=docs)
    with pytest.raises(MalformedEnvelope, match=opening):
        open_all(env, keys)


def open_all(env: bytes, keys):
    header = inspect(io.BytesIO(env))
    opened = open_envelope(io.BytesIO(env), [unwrap_share(header, k) for k in keys], tender_id=header.tender_id,
                           bid_id=header.bid_id, bid_version=header.bid_version)
    return opened.price_sheet(), {e.name: b"".join(p) for e, p in opened.documents()}


def test_a_thousand_documents_seal_and_open_but_not_one_more(keys, monkeypatch):
    docs = [(f"d{i}.txt", b"") for i in range(1000)]
    assert len(open_all(make_envelope(keys, docs=docs), keys)[1]) == 1000
    refused_both_ways(keys, monkeypatch, docs + [("d1000.txt", b"")], "at most 1000", "1001 documents")


@pytest.mark.parametrize("char", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_control_and_format_characters_are_refused(keys, monkeypatch, char):
    code = f"U\\+{ord(char):04X}"
    refused_both_ways(keys, monkeypatch, [(f"invoice{char}fdp.exe", b"x")], code, code)


@pytest.mark.parametrize("first,second", COLLIDING)
def test_names_that_differ_only_by_case_or_normalisation_are_refused(keys, monkeypatch, first, second):
    words = "differ only in letter case"
    refused_both_ways(keys, monkeypatch, [(first, b"a"), (second, b"b")], words, words)


def test_ordinary_names_are_kept_exactly(keys):
    docs = [("技术方案（第一册）.pdf", b"1"), ("Ünïcödé names & spaces.txt", b"2"), ("a.b.c", b"3"), ("ß.txt", b"4")]
    assert open_all(make_envelope(keys, docs=docs), keys)[1] == dict(docs)


def test_content_that_verifies_but_breaks_the_format_is_malformed_not_tampered(keys):
    from tender.sealing.format import MANIFEST, PRICE_SHEET

    from .helpers import decrypt_section, reseal_section

    env = make_envelope(keys, docs=[("a.txt", b"hello")])
    price = bytearray(decrypt_section(env, keys, PRICE_SHEET))
    price[-1] = 1  # padding must be zero
    with pytest.raises(MalformedEnvelope, match="padding"):
        open_all(reseal_section(env, keys, PRICE_SHEET, bytes(price)), keys)
    listing = bytearray(decrypt_section(env, keys, MANIFEST))
    listing[-1] ^= 0xFF  # the last byte of the only document's digest
    with pytest.raises(MalformedEnvelope, match="digest"):
        open_all(reseal_section(env, keys, MANIFEST, bytes(listing)), keys)
