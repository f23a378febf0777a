"""The text forms of binary values in the sealing module's JSON documents (docs/envelope.md 2).

Base64 is RFC 4648 section 4 (the standard alphabet with ``+`` and ``/``), with ``=`` padding, no
line breaks or spaces, and canonical: decoding and encoding again gives the same text, so one value
has exactly one text form. Hexadecimal is written in lowercase.
"""

from __future__ import annotations

import base64
import binascii
import re

_HEX = re.compile(r"[0-9a-f]*")


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text, length: int | None = None) -> bytes:
    """Decode canonical base64 (of exactly ``length`` bytes if given); ValueError if it is not."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64 text")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError("not base64") from None
    if b64encode(raw) != text:
        raise ValueError("not canonical base64")
    if length is not None and len(raw) != length:
        raise ValueError(f"not {length} bytes")
    return raw


def hexdecode(text, length: int) -> bytes:
    """Decode exactly ``length`` bytes written as lowercase hexadecimal; ValueError if it is not."""
    if not isinstance(text, str) or len(text) != 2 * length or not _HEX.fullmatch(text):
        raise ValueError(f"not {length} bytes of lowercase hexadecimal")
    return bytes.fromhex(text)
