"""The sealed manifest: the name, size and salted digest of every document in a bid (文件清单).

A document's digest is SHA-256(salt || size as 8 bytes || SHA-256 of each 64 KiB piece of the
file, in order). Hashing pieces keeps the browser on WebCrypto's one-shot digest with bounded
memory; the salt keeps a digest from confirming a guessed document once the manifest is shown.
"""

from __future__ import annotations

import hashlib
import struct
import unicodedata
from dataclasses import dataclass

from tender.sealing.errors import InvalidInput, TamperedEnvelope
from tender.sealing.stream import CHUNK

SALT_LEN = 32
MAX_DOCUMENTS = 1000
MAX_NAME_BYTES = 255
_ENTRY_FIXED = 2 + 8 + 32


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    size: int
    digest: bytes


def check_name(name: str) -> bytes:
    raw = name.encode("utf-8") if isinstance(name, str) else b""
    if not 1 <= len(raw) <= MAX_NAME_BYTES:
        raise InvalidInput("A document name must be 1 to 255 bytes of UTF-8.")
    if name in (".", "..") or any(c in name for c in "/\\") or any(unicodedata.category(c) == "Cc" for c in name):
        raise InvalidInput(f"The document name {name!r} contains a path separator or a control character.")
    return raw


def manifest_length(names: list[str]) -> int:
    return SALT_LEN + 2 + sum(_ENTRY_FIXED + len(check_name(n)) for n in names)


def check_names(names: list[str]) -> None:
    if len(names) > MAX_DOCUMENTS:
        raise InvalidInput(f"A bid carries at most {MAX_DOCUMENTS} documents.")
    for name in names:
        check_name(name)
    if len(set(names)) != len(names):
        raise InvalidInput("Two documents have the same name.")


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


def encode(salt: bytes, entries: list[ManifestEntry]) -> bytes:
    parts = [salt, struct.pack(">H", len(entries))]
    for e in entries:
        raw = check_name(e.name)
        parts.append(struct.pack(">H", len(raw)) + raw + struct.pack(">Q", e.size) + e.digest)
    return b"".join(parts)


def decode(data: bytes, documents_length: int) -> tuple[bytes, list[ManifestEntry]]:
    """Parse a decrypted manifest and check it against the documents section's length."""

    def fail(why: str):
        return TamperedEnvelope(f"The sealed manifest is inconsistent: {why}.")

    if len(data) < SALT_LEN + 2:
        raise fail("it is too short")
    salt = data[:SALT_LEN]
    (count,) = struct.unpack_from(">H", data, SALT_LEN)
    pos = SALT_LEN + 2
    entries = []
    for _ in range(count):
        if pos + 2 > len(data):
            raise fail("it ends inside an entry")
        (n,) = struct.unpack_from(">H", data, pos)
        pos += 2
        if pos + n + 40 > len(data):
            raise fail("it ends inside an entry")
        try:
            name = data[pos : pos + n].decode("utf-8")
            check_name(name)
        except (UnicodeDecodeError, InvalidInput):
            raise fail("a document name is not allowed") from None
        pos += n
        (size,) = struct.unpack_from(">Q", data, pos)
        digest = data[pos + 8 : pos + 40]
        pos += 40
        entries.append(ManifestEntry(name, size, digest))
    if pos != len(data):
        raise fail("it has trailing bytes")
    if len({e.name for e in entries}) != len(entries):
        raise fail("two documents have the same name")
    if sum(e.size for e in entries) != documents_length:
        raise fail("the document sizes do not add up to the documents section")
    return salt, entries
