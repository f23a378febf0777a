"""Wrapping key shares to custodians with HPKE (RFC 9180), and what each wrap is bound to.

Suite: base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, single-shot with an empty
AAD. The ``info`` string binds a wrap to one purpose: a bid's share carries the tender, the bid,
its version, the deadline, the threshold and the share index; a key-check share carries a
different purpose label, so a bid's share can never be passed off as a harmless test.
"""

from __future__ import annotations

import hashlib
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from tender.sealing.errors import BadShare, InvalidInput

SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)
ENC_LEN = 32
WRAPPED_LEN = ENC_LEN + 32 + 16  # enc || AES-256-GCM(share y) || tag
KEY_ID_LEN = 16

BID_SHARE_LABEL = b"tender-seal/v1 bid-share"
KEY_CHECK_LABEL = b"tender-seal/v1 key-check"
_KEY_ID_LABEL = b"tender-seal/v1 key-id"


def key_id(public_key: bytes) -> bytes:
    """The 16-byte identifier of a custodian's X25519 public key."""
    if len(public_key) != 32:
        raise InvalidInput("A custodian public key is 32 bytes.")
    return hashlib.sha256(_KEY_ID_LABEL + public_key).digest()[:KEY_ID_LEN]


def public_bytes(key: X25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def load_public(raw: bytes) -> X25519PublicKey:
    try:
        return X25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise InvalidInput("A custodian public key is 32 bytes.") from None


def _short(value: str) -> bytes:
    raw = value.encode("utf-8")
    if len(raw) > 255:
        raise InvalidInput("An identifier is longer than 255 bytes.")
    return bytes([len(raw)]) + raw


def bid_share_info(
    tender_id: str, bid_id: str, bid_version: int, deadline: int, threshold: int, count: int, x: int, kid: bytes
) -> bytes:
    """The HPKE ``info`` of share ``x`` of one bid version."""
    return (
        BID_SHARE_LABEL
        + b"\x00"
        + _short(tender_id)
        + _short(bid_id)
        + struct.pack(">IQBBB", bid_version, deadline, threshold, count, x)
        + kid
    )


def key_check_info(context: str, kid: bytes) -> bytes:
    """The HPKE ``info`` of a key-check (test) share; ``context`` names who asked and when."""
    return KEY_CHECK_LABEL + b"\x00" + _short(context) + kid


def wrap(share_y: bytes, public_key: bytes, info: bytes) -> bytes:
    """HPKE-encrypt one 32-byte share value to a custodian's public key."""
    wrapped = SUITE.encrypt(share_y, load_public(public_key), info=info)
    assert len(wrapped) == WRAPPED_LEN
    return wrapped


def unwrap(wrapped: bytes, private_key: X25519PrivateKey, info: bytes) -> bytes:
    """Decrypt a wrapped share; any failure means this key or this binding is not the right one."""
    try:
        share = SUITE.decrypt(wrapped, private_key, info=info)
    except (InvalidTag, ValueError):
        raise BadShare(
            "This key cannot unwrap the share: it is not the key the share was wrapped to, "
            "or the share belongs to another tender, bid or purpose."
        ) from None
    if len(share) != 32:
        raise BadShare("An unwrapped share has the wrong length.")
    return share
