"""Personal data of project managers: national ID numbers, encrypted at rest.

The only module that touches the primitives. Keys are derived from the application's SECRET_KEY
with HKDF under separate labels: one AES-256-GCM key for the ciphertext, one HMAC-SHA256 key for the
exact-match lookup hash. Rotating SECRET_KEY therefore needs a re-encryption pass.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

VERSION = b"\x01"
ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _key(label: bytes) -> bytes:
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
    """Encrypt a national ID, bound to the manager's certificate number as associated data."""
    nonce = os.urandom(12)
    aead = AESGCM(_key(b"national-id-aead"))
    return VERSION + nonce + aead.encrypt(nonce, normalise_id(number).encode(), manager_key.encode())


def decrypt_id(blob: bytes, manager_key: str) -> str:
    if not blob or blob[:1] != VERSION:
        raise ValueError("unknown ciphertext version")
    aead = AESGCM(_key(b"national-id-aead"))
    return aead.decrypt(blob[1:13], blob[13:], manager_key.encode()).decode()


def id_lookup_hash(number: str) -> str:
    """Keyed hash of a normalised ID number, for exact-match search without decrypting."""
    return hmac.new(_key(b"national-id-hmac"), normalise_id(number).encode(), hashlib.sha256).hexdigest()


def mask_id(number: str) -> str:
    """The form shown to supervisors in lists: first 3 and last 2 characters."""
    return number[:3] + "*" * (len(number) - 5) + number[-2:] if len(number) > 5 else "*" * len(number)
