"""The audit chain's keys, kept in files outside the database (PLATFORM_KEY_DIR).

Anyone who can write to the database could rewrite an event and recompute every hash after it.
Two keys they do not have stop that:

* a MAC key: each event's hash is also authenticated with HMAC-SHA256 under it, so a rewritten
  event cannot be given a valid MAC, and verification names the first event that was changed;
* an Ed25519 signing key: the chain head is signed regularly and at every tender deadline, so
  events cut from the end, or every MAC stripped, show against the latest signed head.

The only module of core that touches these primitives; everything else calls the functions here.
In production both files must be provisioned (``flask audit create-keys``); the embedded start and
the tests create them on first use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding, NoEncryption, PrivateFormat, PublicFormat, load_pem_private_key,
)

MAC_KEY_FILE = "audit-mac.key"
SIGNING_KEY_FILE = "audit-signing-key.pem"
HEADS_FILE = "audit-heads.jsonl"


class AuditKeyError(RuntimeError):
    """The audit keys are missing or unreadable."""


@dataclass(frozen=True)
class AuditKeys:
    mac_key: bytes
    signing_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    @property
    def key_id(self) -> str:
        raw = self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return hashlib.sha256(raw).hexdigest()[:32]

    def mac(self, event_hash: str) -> str:
        return hmac.new(self.mac_key, event_hash.encode(), hashlib.sha256).hexdigest()

    def mac_matches(self, event_hash: str, mac: str) -> bool:
        return hmac.compare_digest(self.mac(event_hash), mac)

    def sign(self, payload: dict) -> str:
        return base64.b64encode(self.signing_key.sign(canonical(payload))).decode()

    def signature_matches(self, payload: dict, signature: str) -> bool:
        try:
            self.public_key.verify(base64.b64decode(signature, validate=True), canonical(payload))
        except (InvalidSignature, ValueError):
            return False
        return True


def canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first; read that one
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def create_keys(directory) -> bool:
    """Make both key files if they are missing; True if anything was made."""
    folder = Path(directory)
    made = False
    if not (folder / MAC_KEY_FILE).exists():
        _write_new(folder / MAC_KEY_FILE, base64.b64encode(secrets.token_bytes(32)) + b"\n")
        made = True
    if not (folder / SIGNING_KEY_FILE).exists():
        pem = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        _write_new(folder / SIGNING_KEY_FILE, pem)
        made = True
    return made


def provisioned(directory) -> bool:
    folder = Path(directory)
    return (folder / MAC_KEY_FILE).is_file() and (folder / SIGNING_KEY_FILE).is_file()


def load_keys(directory, *, create: bool) -> AuditKeys:
    """The audit keys from ``directory``, made first when ``create`` allows it."""
    folder = Path(directory)
    if create:
        create_keys(folder)
    try:
        mac_key = base64.b64decode((folder / MAC_KEY_FILE).read_bytes().strip(), validate=True)
        signing_key = load_pem_private_key((folder / SIGNING_KEY_FILE).read_bytes(), password=None)
    except FileNotFoundError as exc:
        raise AuditKeyError(f"the audit key {exc.filename} is missing (flask audit create-keys makes it)") from None
    except ValueError as exc:
        raise AuditKeyError(f"an audit key in {folder} is unreadable: {exc}") from None
    if len(mac_key) != 32 or not isinstance(signing_key, Ed25519PrivateKey):
        raise AuditKeyError(f"the audit keys in {folder} are not a 32-byte MAC key and an Ed25519 key")
    return AuditKeys(mac_key, signing_key)


def append_head(directory, record: dict) -> None:
    """Add a signed head to the heads file kept beside the keys (outside the database)."""
    path = Path(directory) / HEADS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as fh:
        fh.write(canonical(record) + b"\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_heads(directory) -> list[dict]:
    """The signed heads in the heads file, oldest first (lines that do not parse are skipped)."""
    path = Path(directory) / HEADS_FILE
    if not path.exists():
        return []
    heads = []
    for line in path.read_bytes().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            heads.append(record)
    return heads
