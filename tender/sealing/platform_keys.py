"""The platform's receipt-signing keys (回执签名密钥), kept in a folder outside the database.

``receipt-signing-key.pem`` (mode 0600) holds the current Ed25519 private key. ``receipt-keys.json``
lists the public part of every key ever used, with when it was made and when it was retired, so
that receipts signed before a rotation still verify: the platform publishes the whole list and a
verifier picks the key a receipt names by its key id. A retired private key is not kept.

Production provisions the key once (``python -m app provision-keys``) and gives every host the
same folder; the embedded start and the tests make it on first use.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key

from tender.sealing import receipts
from tender.sealing.encoding import b64decode, b64encode
from tender.sealing.errors import ReceiptError

KEY_FILE = "receipt-signing-key.pem"
INDEX_FILE = "receipt-keys.json"


class NotProvisioned(ReceiptError):
    """The folder holds no receipt-signing key."""


@dataclass(frozen=True)
class PublishedKey:
    key_id: str
    public_key: bytes
    created: str  # UTC, "…Z"
    retired: str | None

    def document(self) -> dict:
        return {"alg": "Ed25519", "key_id": self.key_id, "public_key": b64encode(self.public_key),
                "created": self.created, "retired": self.retired}


@dataclass(frozen=True)
class PlatformKeys:
    """The signing key and every key ever published, oldest first (the current one last)."""

    signing_key: Ed25519PrivateKey
    keys: tuple[PublishedKey, ...]

    @property
    def current_id(self) -> str:
        return receipts.key_id_of(self.signing_key.public_key())

    def document(self) -> dict:
        """What the well-known URL and the API publish (docs/envelope.md section 7)."""
        current = next(k for k in self.keys if k.key_id == self.current_id)
        return {"alg": "Ed25519", "key_id": current.key_id, "public_key": b64encode(current.public_key),
                "keys": [k.document() for k in self.keys]}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    partial.replace(path)


def _published(key: Ed25519PrivateKey, created: str) -> PublishedKey:
    public = key.public_key()
    return PublishedKey(receipts.key_id_of(public), receipts.public_raw(public), created, None)


def _read_index(directory: Path) -> list[PublishedKey]:
    path = directory / INDEX_FILE
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_bytes())["keys"]
        keys = [PublishedKey(e["key_id"], b64decode(e["public_key"], 32), e["created"], e["retired"]) for e in entries]
    except (ValueError, KeyError, TypeError):
        raise ReceiptError(f"{path} is damaged; restore it from the backup of the key folder.") from None
    for k in keys:
        if receipts.key_id_of(receipts.load_public(k.public_key)) != k.key_id:
            raise ReceiptError(f"{path} lists key {k.key_id} with another key's public key.")
    return keys


def _write_index(directory: Path, keys: list[PublishedKey]) -> None:
    document = {"type": "tender-seal-receipt-keys", "keys": [k.document() for k in keys]}
    _write_atomically(directory / INDEX_FILE, json.dumps(document, indent=2).encode(), 0o644)


def load(directory) -> PlatformKeys:
    """The folder's keys; NotProvisioned if it holds none. Reads only."""
    directory = Path(directory)
    path = directory / KEY_FILE
    if not path.exists():
        raise NotProvisioned(f"There is no receipt-signing key in {directory}.")
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise ReceiptError(f"{path} does not hold an Ed25519 private key.")
    keys = _read_index(directory)
    if receipts.key_id_of(key.public_key()) not in {k.key_id for k in keys}:
        # A folder from before the index existed: its one key dates from the file.
        made = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
        keys.append(_published(key, made.isoformat(timespec="seconds").replace("+00:00", "Z")))
    return PlatformKeys(key, tuple(keys))


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def create(directory) -> PlatformKeys:
    """Make the first key; refuses if the folder already holds one (that would orphan its receipts)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    try:  # exclusive: two workers making the key on first use must not both succeed
        fd = os.open(directory / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ReceiptError(f"{directory} already holds a receipt-signing key; use rotate to replace it.") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(_pem(key))
        fh.flush()
        os.fsync(fh.fileno())
    _write_index(directory, [_published(key, _now())])
    return load(directory)


def load_or_create(directory) -> PlatformKeys:
    """The embedded start and the tests: make the key on first use."""
    try:
        return load(directory)
    except NotProvisioned:
        try:
            return create(directory)
        except ReceiptError:
            return load(directory)  # another process made it first


def rotate(directory) -> PlatformKeys:
    """Retire the current key and sign with a new one from now on; every old key stays published."""
    directory = Path(directory)
    old = load(directory)
    _write_index(directory, list(old.keys))  # the old public key is on disk before its private key goes
    key = Ed25519PrivateKey.generate()
    _write_atomically(directory / KEY_FILE, _pem(key), 0o600)
    now = _now()
    retired = [k if k.retired or k.key_id != old.current_id else PublishedKey(k.key_id, k.public_key, k.created, now)
               for k in old.keys]
    _write_index(directory, retired + [_published(key, now)])
    return load(directory)
