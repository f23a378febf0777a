"""Payload encryption: AES-256-GCM in the STREAM construction over 64 KiB chunks.

Chunk i of a section is sealed with nonce = i as 11 big-endian bytes || last-chunk flag (0 or 1),
and with the header's SHA-256 as associated data. Each section has its own key, so a chunk cannot
move between sections or envelopes, chunks cannot be reordered, and a truncated section fails
because no chunk it still holds has the last flag.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import BinaryIO, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tender.sealing.errors import MalformedEnvelope, TamperedEnvelope

CHUNK = 64 * 1024
TAG = 16
PRICE_SHEET_PADDED = 64 * 1024
PRICE_SHEET_CT_LEN = PRICE_SHEET_PADDED + TAG
_KDF_SALT = b"tender-seal/v1"


def derive_key(file_key: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_KDF_SALT, info=label).derive(file_key)


def section_key(file_key: bytes, kind: int) -> bytes:
    return derive_key(file_key, b"section" + bytes([kind]))


def header_mac(file_key: bytes, body: bytes) -> bytes:
    return hmac.new(derive_key(file_key, b"header-mac"), body, hashlib.sha256).digest()


def nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def ciphertext_length(plaintext_length: int) -> int:
    chunks = max(1, -(-plaintext_length // CHUNK))
    return plaintext_length + TAG * chunks


def check_ciphertext_length(length: int, what: str = "section") -> int:
    """Return the plaintext length for a section of ``length`` ciphertext bytes, or refuse it."""
    full, rest = divmod(length, CHUNK + TAG)
    if rest == 0 and full > 0:
        return full * CHUNK
    if rest >= TAG and (rest > TAG or full == 0):
        return full * CHUNK + rest - TAG
    raise MalformedEnvelope(f"The {what} length {length} cannot come from 64 KiB chunks.")


class SectionWriter:
    """Encrypt exactly ``plaintext_length`` bytes into ``out``, chunk by chunk."""

    def __init__(self, key: bytes, aad: bytes, plaintext_length: int, out: BinaryIO):
        self._aead = AESGCM(key)
        self._aad = aad
        self._remaining = plaintext_length
        self._out = out
        self._buffer = bytearray()
        self._counter = 0
        self._done = False

    def write(self, data) -> None:
        view = memoryview(data)
        if len(view) + len(self._buffer) > self._remaining:
            raise ValueError("more bytes than the section length declared in the header")
        if self._buffer:
            need = CHUNK - len(self._buffer)
            self._buffer += view[:need]
            view = view[need:]
            if len(self._buffer) < CHUNK:
                return
            self._emit(bytes(self._buffer))
            self._buffer.clear()
        while len(view) >= CHUNK:
            self._emit(view[:CHUNK])  # the common case: no copy
            view = view[CHUNK:]
        if len(view):
            self._buffer += view

    def _emit(self, chunk) -> None:
        self._remaining -= len(chunk)
        last = self._remaining == 0
        self._out.write(self._aead.encrypt(nonce(self._counter, last), chunk, self._aad))
        self._counter += 1
        if last:
            self._done = True

    def close(self) -> None:
        if self._buffer:
            if len(self._buffer) != self._remaining:
                raise ValueError("fewer bytes than the section length declared in the header")
            self._emit(bytes(self._buffer))
            self._buffer.clear()
        if not self._done:
            if self._remaining:
                raise ValueError("fewer bytes than the section length declared in the header")
            self._emit(b"")  # an empty section is one empty final chunk


def read_section(key: bytes, aad: bytes, source: BinaryIO, length: int, what: str) -> Iterator[bytes]:
    """Decrypt one section of ``length`` ciphertext bytes read from ``source``, chunk by chunk."""
    plaintext_length = check_ciphertext_length(length, what)
    aead = AESGCM(key)
    chunks = max(1, -(-plaintext_length // CHUNK))
    for counter in range(chunks):
        last = counter == chunks - 1
        size = (plaintext_length - counter * CHUNK if last else CHUNK) + TAG
        data = source.read(size)
        if len(data) != size:
            raise TamperedEnvelope(f"The envelope is truncated inside the {what}.")
        try:
            yield aead.decrypt(nonce(counter, last), data, aad)
        except InvalidTag:
            raise TamperedEnvelope(
                f"Chunk {counter + 1} of the {what} does not verify: the envelope was changed, "
                "truncated, reordered or mixed with another envelope.",
                section=what,
                chunk=counter,
            ) from None
