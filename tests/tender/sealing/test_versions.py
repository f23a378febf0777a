"""Envelopes of earlier format versions keep opening.

``data/v1-envelope.tseal`` was sealed by the version 1 code (see ``data/v1-envelope.json``, which
holds the test custodians' private keys and what the envelope contains); it must inspect, unwrap
and open with every later version of this module.
"""

import hashlib
import io
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tender.sealing import inspect, open_envelope, unwrap_share

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
