"""Envelopes of earlier format versions keep opening.

``data/v1-envelope.tseal`` was sealed by the version 1 code (see ``data/v1-envelope.json``, which
holds the test custodians' private keys and what the envelope contains); it must inspect, unwrap
and open with every later version of this module.
"""

import hashlib
import io
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tender.sealing import InvalidInput, MalformedEnvelope, TamperedEnvelope, inspect, open_envelope, unwrap_share
from tender.sealing.format import MANIFEST
from tender.sealing.manifest import SALT_LEN

from .helpers import BINDING, custodians, decrypt_section, make_envelope, reseal_section

DATA = Path(__file__).parent / "data"


def v1_fixture():
    meta = json.loads((DATA / "v1-envelope.json").read_text(encoding="utf-8"))
    envelope = (DATA / "v1-envelope.tseal").read_bytes()
    keys = [X25519PrivateKey.from_private_bytes(bytes.fromhex(k)) for k in meta["custodian_private_keys"]]
    return meta, envelope, keys


def test_a_version_1_envelope_still_opens():
    meta, envelope, keys = v1_fixture()
    assert hashlib.sha256(envelope).hexdigest() == meta["envelope_sha256"]
    header = inspect(io.BytesIO(envelope))
    assert header.describe()["format_version"] == 1
    assert (header.tender_id, header.bid_id, header.bid_version) == (meta["tender_id"], meta["bid_id"], 3)
    shares = [unwrap_share(header, k) for k in keys]
    opened = open_envelope(io.BytesIO(envelope), shares[1:], tender_id=meta["tender_id"], bid_id=meta["bid_id"],
                           bid_version=meta["bid_version"])
    assert opened.price_sheet().decode() == meta["price_sheet"]
    got = [{"name": e.name, "sha256": hashlib.sha256(b"".join(p)).hexdigest(), "size": e.size}
           for e, p in opened.documents()]
    assert got == meta["documents"]


def test_the_version_1_envelope_extracts_with_no_parts(tmp_path):
    meta, envelope, keys = v1_fixture()
    header = inspect(io.BytesIO(envelope))
    opened = open_envelope(io.BytesIO(envelope), [unwrap_share(header, k) for k in keys[:2]],
                           tender_id=meta["tender_id"], bid_id=meta["bid_id"], bid_version=meta["bid_version"])
    assert [e.part for e in opened.manifest()] == [None, None]
    result = opened.extract(tmp_path / "out")
    assert [d["part"] for d in result["documents"]] == [None, None]


# Version 2: each document's part of the bid, sealed in the manifest.

PARTED = [("方案.pdf", b"T" * 70_000, "technical"), ("报价说明.docx", b"B" * 10, "business"),
          ("营业执照.pdf", b"Q" * 3, "qualification"), ("staffing.xlsx", b"", "technical")]


def test_version_2_seals_and_opens_each_documents_part():
    keys = custodians(2)
    env = make_envelope(keys, docs=PARTED)
    header = inspect(io.BytesIO(env))
    assert header.version == 2 and header.describe()["format_version"] == 2
    opened = open_envelope(io.BytesIO(env), [unwrap_share(header, k) for k in keys], **BINDING)
    assert [(e.name, e.part) for e in opened.manifest()] == [(n, p) for n, _, p in PARTED]
    assert [(e.name, b"".join(p), e.part) for e, p in opened.documents()] == PARTED


def test_sealing_needs_a_known_part_for_every_document():
    keys = custodians(2)
    for part in (None, "", "price", "Technical"):
        with pytest.raises(InvalidInput, match="technical, business or qualification"):
            make_envelope(keys, docs=[("a.pdf", b"a", part)])


def test_a_part_code_outside_the_table_is_malformed():
    keys = custodians(2)
    env = make_envelope(keys, docs=[("a.pdf", b"a", "technical")])
    listing = bytearray(decrypt_section(env, keys, MANIFEST))
    part_at = SALT_LEN + 2 + 2 + len("a.pdf")
    assert listing[part_at] == 1
    for code in (0, 4, 255):
        listing[part_at] = code
        forged = reseal_section(env, keys, MANIFEST, bytes(listing))
        header = inspect(io.BytesIO(forged))
        with pytest.raises(MalformedEnvelope, match="part"):
            open_envelope(io.BytesIO(forged), [unwrap_share(header, k) for k in keys], **BINDING)


def test_the_format_version_is_bound_into_the_envelope():
    keys = custodians(2)
    env = make_envelope(keys)
    header = inspect(io.BytesIO(env))
    shares = [unwrap_share(header, k) for k in keys]
    downgraded = env[:8] + b"\x00\x01" + env[10:]  # read as version 1, the manifest would be misparsed
    assert inspect(io.BytesIO(downgraded)).version == 1
    with pytest.raises(TamperedEnvelope):
        open_envelope(io.BytesIO(downgraded), shares, **BINDING)
    with pytest.raises(MalformedEnvelope, match="versions 1 and 2"):
        inspect(io.BytesIO(env[:8] + b"\x00\x03" + env[10:]))


def test_an_upload_must_be_version_2_so_every_document_has_its_part():
    from tender.sealing import check_upload

    meta, envelope, _keys = v1_fixture()
    header = inspect(io.BytesIO(envelope))
    with pytest.raises(MalformedEnvelope, match="version 1"):
        check_upload(io.BytesIO(envelope), tender_id=meta["tender_id"], bid_id=meta["bid_id"],
                     bid_version=meta["bid_version"], deadline=header.deadline,
                     key_ids=[s.key_id.hex() for s in header.stanzas], threshold=header.threshold)
