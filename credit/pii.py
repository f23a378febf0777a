"""Personal data of project managers: national ID numbers, encrypted at rest.

Ciphertexts are made by :mod:`core.datakeys` (AES-256-GCM under the newest data key, its key id
carried in the ciphertext), bound to the manager's certificate number as associated data. The
exact-match lookup hash is an HMAC under a key derived from each data key.

Before data keys, IDs were encrypted and hashed with keys derived from SECRET_KEY (format byte
``\\x01``). Those are still read (with the current SECRET_KEY) until ``flask credit reencrypt-ids``
has moved every stored ID to the newest data key, which must happen before SECRET_KEY is rotated.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from core import datakeys

LEGACY = b"\x01"
HASH_LABEL = b"credit-national-id"
ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _legacy_key(label: bytes) -> bytes:
    secret = current_app.config["SECRET_KEY"].encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"credit-pii", info=label).derive(secret)


def normalise_id(number: str) -> str:
    return (number or "").strip().upper().replace(" ", "")


def id_problem(number: str) -> str | None:
    """Why ``number`` is not a valid 18-digit resident ID (GB 11643), or None."""
    number = normalise_id(number)
    if not ID_SHAPE.match(number):
        return "shape"
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    if "10X98765432"[total % 11] != number[17]:
        return "check_digit"
    return None


def encrypt_id(number: str, manager_key: str) -> bytes:
    """Encrypt a national ID under the newest data key, bound to the manager's certificate number."""
    return datakeys.ring().encrypt(normalise_id(number).encode(), manager_key.encode())


def decrypt_id(blob: bytes, manager_key: str) -> str:
    if datakeys.is_ciphertext(blob):
        return datakeys.ring().decrypt(blob, manager_key.encode()).decode()
    if blob and blob[:1] == LEGACY:
        aead = AESGCM(_legacy_key(b"national-id-aead"))
        return aead.decrypt(blob[1:13], blob[13:], manager_key.encode()).decode()
    raise ValueError("unknown ciphertext format")


def is_current(blob: bytes | None) -> bool:
    """Whether a stored ID is already under the newest data key."""
    ring = datakeys.ring()
    return datakeys.is_ciphertext(blob) and datakeys.key_id_of(blob) == ring.newest_id


def id_lookup_hash(number: str) -> str:
    """Keyed hash of a normalised ID number under the newest data key, for exact-match search."""
    return datakeys.ring().lookup_hash(normalise_id(number).encode(), HASH_LABEL)


def id_lookup_hashes(number: str) -> list[str]:
    """Every hash the ID may be stored under: each data key's, and the SECRET_KEY-derived one of old rows."""
    value = normalise_id(number).encode()
    legacy = hmac.new(_legacy_key(b"national-id-hmac"), value, hashlib.sha256).hexdigest()
    return datakeys.ring().lookup_hashes(value, HASH_LABEL) + [legacy]


def mask_id(number: str) -> str:
    """The form shown to supervisors in lists: first 3 and last 2 characters."""
    return number[:3] + "*" * (len(number) - 5) + number[-2:] if len(number) > 5 else "*" * len(number)
