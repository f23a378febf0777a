"""Small builders shared by the sealing tests (no Flask, no database)."""

from __future__ import annotations

import io

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tender.sealing import Document, hpke, seal

DEADLINE = 1_767_225_600  # 2026-01-01T00:00:00Z, in the past for every test run
BINDING = {"tender_id": "T-2026-001", "bid_id": "B-7", "bid_version": 1}  # what make_envelope seals for


def custodians(n: int) -> list[X25519PrivateKey]:
    return [X25519PrivateKey.generate() for _ in range(n)]


def public_keys(keys) -> list[bytes]:
    return [hpke.public_bytes(k.public_key()) for k in keys]


def make_envelope(keys, *, threshold=2, price=b'{"fee": "2.85"}', docs=None, tender="T-2026-001", bid="B-7",
                  version=1, deadline=DEADLINE) -> bytes:
    """An envelope; ``docs`` are (name, data) or (name, data, part), the part "technical" if not given."""
    docs = [("plan.pdf", b"P" * 100_000), ("staff.xlsx", b"S" * 5)] if docs is None else docs
    out = io.BytesIO()
    seal(out, tender_id=tender, bid_id=bid, bid_version=version, deadline=deadline,
         custodian_keys=public_keys(keys), threshold=threshold, price_sheet=price,
         documents=[Document.from_bytes(d[0], d[1], part=(d[2] if len(d) > 2 else "technical")) for d in docs])
    return out.getvalue()


def reseal_section(envelope: bytes, keys, kind: int, plaintext: bytes) -> bytes:
    """The envelope with one section re-encrypted from ``plaintext`` under its own file key, as a
    sealing tool that does not follow the format would write it (its chunks verify)."""
    from tender.sealing import inspect, recover_file_key, unwrap_share
    from tender.sealing.stream import SectionWriter, ciphertext_length, section_key

    header = inspect(io.BytesIO(envelope))
    if ciphertext_length(len(plaintext)) != header.section_length(kind):
        raise ValueError("the new plaintext must keep the section's length")
    file_key = recover_file_key(header, [unwrap_share(header, k) for k in keys])
    out = io.BytesIO()
    writer = SectionWriter(section_key(file_key, kind), header.hash, len(plaintext), out)
    writer.write(plaintext)
    writer.close()
    start = header.section_offset(kind)
    return envelope[:start] + out.getvalue() + envelope[start + header.section_length(kind) :]


def decrypt_section(envelope: bytes, keys, kind: int) -> bytes:
    """One section's plaintext (to change it and :func:`reseal_section` it)."""
    from tender.sealing import inspect, recover_file_key, unwrap_share
    from tender.sealing.stream import read_section, section_key

    header = inspect(io.BytesIO(envelope))
    file_key = recover_file_key(header, [unwrap_share(header, k) for k in keys])
    source = io.BytesIO(envelope)
    source.seek(header.section_offset(kind))
    return b"".join(read_section(section_key(file_key, kind), header.hash, source, header.section_length(kind),
                                 "section"))
