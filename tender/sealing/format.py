"""The envelope header, byte for byte (投标文件密封格式). See docs/envelope.md.

Versions 1 and 2 share the header; they differ in the sealed manifest only (version 2 labels each
document's part of the bid). New envelopes are version 2; version 1 envelopes are still read.

The header is parsed strictly: every length is checked against its limit before anything is
read, the declared header length must match what the fields take, and any mismatch is a
:class:`MalformedEnvelope` with a sentence saying what is wrong, never a stack trace.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass, field
from datetime import datetime, timezone

from tender.sealing.errors import InvalidInput, MalformedEnvelope
from tender.sealing.hpke import KEY_ID_LEN, WRAPPED_LEN

MAGIC = b"TSEAL\r\n\x1a"
VERSION = 2  # what sealing writes
READABLE_VERSIONS = (1, 2)
PREAMBLE = struct.Struct(">8sHI")  # magic, format version, header length
MAC_LEN = 32
CHECK_LEN = 16
STANZA_LEN = KEY_ID_LEN + 1 + CHECK_LEN + WRAPPED_LEN
SECTION_ENTRY = struct.Struct(">BQ")
MAX_CUSTODIANS = 32
# At least two custodians must act together: with k = 1 a single key holder could open a bid alone,
# which the custody design forbids. So k >= 2, and n >= k.
MIN_THRESHOLD = 2
MAX_ID_LEN = 64
# 9999-12-31T23:59:59Z: the last second every date library (Python's datetime, JavaScript's Date,
# ISO 8601 with four-digit years) can show, so no reader has to fail on a date it cannot print.
MAX_DEADLINE = 253_402_300_799
# What a header takes besides its two identifiers and n stanzas: preamble, the two length bytes,
# version, deadline, k and n, the section count and table, and the MAC.
FIXED_HEADER_LEN = PREAMBLE.size + 2 + 14 + 1 + 3 * SECTION_ENTRY.size + MAC_LEN


def header_length(tender_id_len: int, bid_id_len: int, count: int) -> int:
    """The exact length of a header with these identifier lengths and n custodians."""
    return FIXED_HEADER_LEN + tender_id_len + bid_id_len + count * STANZA_LEN


MIN_HEADER_LEN = header_length(1, 1, MIN_THRESHOLD)
MAX_HEADER_LEN = header_length(MAX_ID_LEN, MAX_ID_LEN, MAX_CUSTODIANS)

PRICE_SHEET, DOCUMENTS, MANIFEST = 1, 2, 3
SECTION_ORDER = (PRICE_SHEET, DOCUMENTS, MANIFEST)
SECTION_NAMES = {PRICE_SHEET: "price sheet", DOCUMENTS: "documents", MANIFEST: "manifest"}

_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def check_threshold(threshold, count: int) -> int:
    """The rule for k of n, shared by sealing and every tool that chooses k: 2 <= k <= n <= 32."""
    if not isinstance(threshold, int) or isinstance(threshold, bool):
        raise InvalidInput("The threshold must be a whole number.")
    if not MIN_THRESHOLD <= count <= MAX_CUSTODIANS:
        raise InvalidInput(f"An envelope names {MIN_THRESHOLD} to {MAX_CUSTODIANS} custodians; the list has {count}.")
    if threshold < MIN_THRESHOLD:
        raise InvalidInput(
            f"The threshold must be at least {MIN_THRESHOLD}, so that no single custodian can open a bid alone; "
            f"{threshold} was given."
        )
    if threshold > count:
        raise InvalidInput(f"The threshold {threshold} is more than the {count} custodians.")
    return threshold


def check_identifier(value: str, what: str) -> str:
    if not isinstance(value, str) or not _ID_PATTERN.fullmatch(value):
        raise InvalidInput(f"The {what} must be 1 to 64 characters from A-Z, a-z, 0-9 and . _ : -")
    return value


@dataclass(frozen=True)
class Stanza:
    """One custodian's entry: which key, which share index, a check value and the wrapped share."""

    key_id: bytes
    x: int
    share_check: bytes
    wrapped: bytes


@dataclass(frozen=True)
class Header:
    tender_id: str
    bid_id: str
    bid_version: int
    deadline: int  # seconds since 1970-01-01 UTC
    threshold: int
    stanzas: tuple[Stanza, ...]
    sections: tuple[tuple[int, int], ...]  # (type, ciphertext length) in envelope order
    version: int = VERSION
    mac: bytes = b""
    raw: bytes = field(default=b"", repr=False)

    @property
    def deadline_at(self) -> datetime:
        return datetime.fromtimestamp(self.deadline, tz=timezone.utc)

    @property
    def length(self) -> int:
        return len(self.raw)

    @property
    def hash(self) -> bytes:
        """SHA-256 of the whole header, MAC included; bound into every payload chunk."""
        return hashlib.sha256(self.raw).digest()

    @property
    def envelope_length(self) -> int:
        return self.length + sum(length for _, length in self.sections)

    def section_offset(self, kind: int) -> int:
        offset = self.length
        for section_kind, length in self.sections:
            if section_kind == kind:
                return offset
            offset += length
        raise KeyError(kind)

    def section_length(self, kind: int) -> int:
        return dict(self.sections)[kind]

    def describe(self) -> dict:
        """What anyone may see without keys."""
        return {
            "format_version": self.version,
            "tender_id": self.tender_id,
            "bid_id": self.bid_id,
            "bid_version": self.bid_version,
            "deadline": self.deadline_at.isoformat().replace("+00:00", "Z"),
            "threshold": self.threshold,
            "custodians": [{"key_id": s.key_id.hex(), "share_index": s.x} for s in self.stanzas],
            "sections": [{"type": SECTION_NAMES[k], "length": n} for k, n in self.sections],
            "header_length": self.length,
            "envelope_length": self.envelope_length,
            "header_sha256": self.hash.hex(),
        }


def encode_body(header: Header) -> bytes:
    """Every header byte before the MAC, with the header length filled in."""
    tender = header.tender_id.encode("ascii")
    bid = header.bid_id.encode("ascii")
    parts = [
        bytes([len(tender)]) + tender,
        bytes([len(bid)]) + bid,
        struct.pack(">IQBB", header.bid_version, header.deadline, header.threshold, len(header.stanzas)),
    ]
    for s in header.stanzas:
        parts.append(s.key_id + bytes([s.x]) + s.share_check + s.wrapped)
    parts.append(bytes([len(header.sections)]))
    for kind, length in header.sections:
        parts.append(SECTION_ENTRY.pack(kind, length))
    body = b"".join(parts)
    total = PREAMBLE.size + len(body) + MAC_LEN
    return PREAMBLE.pack(MAGIC, header.version, total) + body


class _Cursor:
    def __init__(self, data: bytes, start: int):
        self.data = data
        self.pos = start

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise MalformedEnvelope(f"The header ends inside the {what}.")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def byte(self, what: str) -> int:
        return self.take(1, what)[0]


def read_preamble(first: bytes) -> tuple[int, int]:
    """Check magic and version; return the format version and the declared header length."""
    if len(first) < PREAMBLE.size:
        raise MalformedEnvelope("The file is too short to be a sealed envelope.")
    magic, version, length = PREAMBLE.unpack(first[: PREAMBLE.size])
    if magic != MAGIC:
        raise MalformedEnvelope("This is not a sealed bid envelope (its first bytes are wrong).")
    if version not in READABLE_VERSIONS:
        raise MalformedEnvelope(
            f"This envelope uses format version {version}; this tool reads versions 1 and 2.", version=version
        )
    if not MIN_HEADER_LEN <= length <= MAX_HEADER_LEN:
        raise MalformedEnvelope(
            f"The declared header length {length} is outside the allowed {MIN_HEADER_LEN} to {MAX_HEADER_LEN} bytes "
            f"(identifiers of 1 to {MAX_ID_LEN} bytes, {MIN_THRESHOLD} to {MAX_CUSTODIANS} custodians)."
        )
    return version, length


def _check_field_lengths(raw: bytes) -> None:
    """Before any field's value is judged: the length bytes must add up to the declared length.

    A changed length byte shifts every later field; checked first, it is reported as what it is
    instead of as whatever value the shifted bytes happen to spell (a threshold of 0, say).
    """
    tender_len_at = PREAMBLE.size
    bid_len_at = tender_len_at + 1 + raw[tender_len_at]  # within the header: it is at least 318 bytes
    count_at = bid_len_at + 1 + raw[bid_len_at] + 13
    if count_at >= len(raw):
        raise MalformedEnvelope("The header's identifier length bytes point past its end: a length byte was changed.")
    tender_len, bid_len, count = raw[tender_len_at], raw[bid_len_at], raw[count_at]
    expected = header_length(tender_len, bid_len, count)
    if expected != len(raw):
        raise MalformedEnvelope(
            f"The header's length bytes do not add up: a {tender_len}-byte tender id, a {bid_len}-byte bid id and "
            f"{count} custodians make a {expected}-byte header, but it declares {len(raw)} bytes. A length byte "
            "or the header length was changed."
        )


def parse_header(data: bytes) -> Header:
    """Parse and check a header; ``data`` may continue past the header (it is ignored)."""
    version, length = read_preamble(data)
    if len(data) < length:
        raise MalformedEnvelope("The envelope is shorter than its declared header.")
    raw = bytes(data[:length])
    _check_field_lengths(raw)
    cur = _Cursor(raw, PREAMBLE.size)
    tender_id = _read_id(cur, "tender id")
    bid_id = _read_id(cur, "bid id")
    bid_version, deadline, threshold, count = struct.unpack(">IQBB", cur.take(14, "bid version and deadline"))
    if bid_version < 1:
        raise MalformedEnvelope("The bid version must be at least 1.")
    if deadline > MAX_DEADLINE:
        raise MalformedEnvelope(f"The deadline {deadline} is later than 9999-12-31T23:59:59Z ({MAX_DEADLINE}).")
    if not MIN_THRESHOLD <= count <= MAX_CUSTODIANS:
        raise MalformedEnvelope(
            f"The envelope names {count} custodians; the format allows {MIN_THRESHOLD} to {MAX_CUSTODIANS}."
        )
    if not MIN_THRESHOLD <= threshold <= count:
        raise MalformedEnvelope(
            f"The threshold {threshold} is not between {MIN_THRESHOLD} and the {count} custodians."
        )
    stanzas = []
    for index in range(count):
        kid = cur.take(KEY_ID_LEN, "custodian key id")
        x = cur.byte("share index")
        if x != index + 1:
            raise MalformedEnvelope(f"Custodian entry {index + 1} carries share index {x}.")
        check = cur.take(CHECK_LEN, "share check")
        wrapped = cur.take(WRAPPED_LEN, "wrapped share")
        stanzas.append(Stanza(kid, x, check, wrapped))
    if len({s.key_id for s in stanzas}) != count:
        raise MalformedEnvelope("The same custodian key appears twice.")
    section_count = cur.byte("section count")
    if section_count != len(SECTION_ORDER):
        raise MalformedEnvelope(f"The envelope declares {section_count} sections; the format has exactly 3.")
    sections = []
    for expected in SECTION_ORDER:
        kind, size = SECTION_ENTRY.unpack(cur.take(SECTION_ENTRY.size, "section table"))
        if kind != expected:
            raise MalformedEnvelope(f"Section {kind} is out of place; expected {SECTION_NAMES[expected]}.")
        sections.append((kind, size))
    mac = cur.take(MAC_LEN, "header MAC")
    from tender.sealing.stream import check_ciphertext_length, PRICE_SHEET_CT_LEN

    if sections[0][1] != PRICE_SHEET_CT_LEN:
        raise MalformedEnvelope("The price sheet section does not have the format's fixed size.")
    for kind, size in sections:
        check_ciphertext_length(size, SECTION_NAMES[kind])
    return Header(tender_id, bid_id, bid_version, deadline, threshold, tuple(stanzas), tuple(sections), version, mac,
                  raw)


def _read_id(cur: _Cursor, what: str) -> str:
    n = cur.byte(what)
    raw = cur.take(n, what)
    try:
        return check_identifier(raw.decode("ascii"), what)
    except (UnicodeDecodeError, InvalidInput):
        raise MalformedEnvelope(f"The {what} in the header is not a valid identifier.") from None
