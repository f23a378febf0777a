"""The sealed manifest: the name, part, size and salted digest of every document in a bid (文件清单).

A version 2 manifest labels each document's part of the bid (technical, business, qualification);
a version 1 manifest, still read, has no parts.

A document's digest is SHA-256(salt || size as 8 bytes || SHA-256 of each 64 KiB piece of the
file, in order). Hashing pieces keeps the browser on WebCrypto's one-shot digest with bounded
memory; the salt keeps a digest from confirming a guessed document once the manifest is shown.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass

from tender.sealing.errors import InvalidInput, MalformedEnvelope
from tender.sealing.stream import CHUNK

SALT_LEN = 32
MAX_DOCUMENTS = 1000
MAX_NAME_BYTES = 255
# Each document's part of the bid, sealed in version 2 manifests as one byte: the evaluation panel
# can be shown the technical part without the bidder's identity.
PARTS = {"technical": 1, "business": 2, "qualification": 3}
_PART_NAMES = {code: name for name, code in PARTS.items()}


def _entry_fixed(version: int) -> int:
    """Bytes of a manifest entry besides its name: name length, (part,) size, digest."""
    return 2 + (1 if version >= 2 else 0) + 8 + 32

# Code points no document name may hold (docs/envelope.md 5.3): the general categories Cc, Cf, Zl and
# Zp of Unicode 15.1 — controls, bidirectional overrides and isolates, zero-width and other invisible
# format characters, line and paragraph separators. Listed rather than asked of unicodedata, whose
# Unicode version differs between Python releases and browsers: every reader refuses the same names.
FORBIDDEN_IN_NAMES = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD),
    (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x2028, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
_FORBIDDEN = re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in FORBIDDEN_IN_NAMES) + "]")


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    size: int
    digest: bytes
    part: str | None = None  # None in a version 1 manifest, which has no parts


def check_part(part, name: str) -> int:
    """The code of a document's part, or InvalidInput."""
    if part not in PARTS:
        raise InvalidInput(
            f"Say which part of the bid the document {name!r} belongs to: technical, business or qualification."
        )
    return PARTS[part]


def check_name(name: str) -> bytes:
    """The UTF-8 bytes of an allowed document name, or InvalidInput saying what is wrong with it."""
    raw = name.encode("utf-8") if isinstance(name, str) else b""
    if not 1 <= len(raw) <= MAX_NAME_BYTES:
        raise InvalidInput("A document name must be 1 to 255 bytes of UTF-8.")
    if name in (".", "..") or any(c in name for c in "/\\"):
        raise InvalidInput(f"The document name {name!r} is a path: it holds / or \\, or is . or ..")
    if found := _FORBIDDEN.search(name):
        raise InvalidInput(
            f"The document name {name!r} holds U+{ord(found.group()):04X}, a control, format or separator "
            "character (these can make a name look like another)."
        )
    return raw


def name_key(name: str) -> str:
    """Names with the same key are the same file on a case-insensitive or normalising file system."""
    return unicodedata.normalize("NFC", name).upper().lower()


def manifest_length(names: list[str], version: int) -> int:
    return SALT_LEN + 2 + sum(_entry_fixed(version) + len(check_name(n)) for n in names)


def check_names(names: list[str]) -> None:
    if len(names) > MAX_DOCUMENTS:
        raise InvalidInput(f"A bid carries at most {MAX_DOCUMENTS} documents; this one has {len(names)}.")
    seen: dict[str, str] = {}
    for name in names:
        check_name(name)
        key = name_key(name)
        if key in seen:
            raise InvalidInput(
                f"The documents {seen[key]!r} and {name!r} differ only in letter case or in how an accent is encoded."
            )
        seen[key] = name


class FileDigest:
    """The salted digest of one document, fed in any pieces."""

    def __init__(self, salt: bytes):
        self._outer = hashlib.sha256(salt)
        self._pieces = bytearray()
        self._buffer = bytearray()
        self.size = 0

    def update(self, data) -> None:
        view = memoryview(data)
        self.size += len(view)
        if self._buffer:
            need = CHUNK - len(self._buffer)
            self._buffer += view[:need]
            view = view[need:]
            if len(self._buffer) < CHUNK:
                return
            self._pieces += hashlib.sha256(self._buffer).digest()
            self._buffer.clear()
        while len(view) >= CHUNK:
            self._pieces += hashlib.sha256(view[:CHUNK]).digest()
            view = view[CHUNK:]
        self._buffer += view

    def digest(self) -> bytes:
        if self._buffer:
            self._pieces += hashlib.sha256(self._buffer).digest()
            self._buffer.clear()
        outer = self._outer.copy()
        outer.update(struct.pack(">Q", self.size))
        outer.update(self._pieces)
        return outer.digest()


def encode(salt: bytes, entries: list[ManifestEntry], version: int) -> bytes:
    parts = [salt, struct.pack(">H", len(entries))]
    for e in entries:
        raw = check_name(e.name)
        part = bytes([check_part(e.part, e.name)]) if version >= 2 else b""
        parts.append(struct.pack(">H", len(raw)) + raw + part + struct.pack(">Q", e.size) + e.digest)
    return b"".join(parts)


def decode(data: bytes, documents_length: int, version: int) -> tuple[bytes, list[ManifestEntry]]:
    """Parse a decrypted manifest and check it against the documents section's length.

    The manifest's chunks have verified, so whatever is wrong here was written by the tool that
    sealed the envelope, not changed afterwards: a malformed envelope, not a tampered one.
    """

    def fail(why: str):
        return MalformedEnvelope(f"The sealed manifest does not follow the format: {why}.")

    if len(data) < SALT_LEN + 2:
        raise fail("it is too short")
    salt = data[:SALT_LEN]
    (count,) = struct.unpack_from(">H", data, SALT_LEN)
    if count > MAX_DOCUMENTS:
        raise fail(f"it lists {count} documents, more than {MAX_DOCUMENTS}")
    pos = SALT_LEN + 2
    entries = []
    for _ in range(count):
        if pos + 2 > len(data):
            raise fail("it ends inside an entry")
        (n,) = struct.unpack_from(">H", data, pos)
        pos += 2
        if pos + n + _entry_fixed(version) - 2 > len(data):
            raise fail("it ends inside an entry")
        try:
            name = data[pos : pos + n].decode("utf-8")
        except UnicodeDecodeError:
            raise fail("a document name is not UTF-8") from None
        pos += n
        part = None
        if version >= 2:
            part = _PART_NAMES.get(data[pos])
            if part is None:
                raise fail(f"the document {name!r} has part code {data[pos]}, not 1, 2 or 3")
            pos += 1
        (size,) = struct.unpack_from(">Q", data, pos)
        digest = data[pos + 8 : pos + 40]
        pos += 40
        entries.append(ManifestEntry(name, size, digest, part))
    if pos != len(data):
        raise fail("it has trailing bytes")
    try:
        check_names([e.name for e in entries])
    except InvalidInput as exc:
        raise fail(exc.message.rstrip(".")) from None
    if sum(e.size for e in entries) != documents_length:
        raise fail("the document sizes do not add up to the documents section")
    return salt, entries
