"""Data keys (数据密钥): the keys that encrypt stored personal data, apart from the session secret.

The one module that holds them. A key ring is a directory (``DATA_KEY_DIR``) of files named
``<key id>.key``, each holding a random 32-byte key in base64. The newest key (the highest id)
encrypts; any key of the ring decrypts, because every ciphertext carries the id of its key:

    b"K" | key id (4 bytes, big-endian) | nonce (12 bytes) | AES-256-GCM ciphertext and tag

Keyed hashes for exact-match lookups (HMAC-SHA256) are made with a key derived from each data key,
so a lookup asks for the hash under every key of the ring. Rotating ``SECRET_KEY`` (sessions, form
tokens) leaves stored data readable; rotating a data key is ``flask keys create-data-key`` followed
by each feature's re-encryption command. Production refuses to start without a key (the feature
that stores personal data checks at start-up); the embedded and test set-ups create one on first use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import click
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask.cli import with_appcontext

MARK = b"K"
HEADER = struct.Struct(">cI")
NONCE_BYTES = 12


class NoDataKey(RuntimeError):
    """No data key is provisioned where the configuration says."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[int, bytes]

    @property
    def newest_id(self) -> int:
        return max(self.keys)

    def encrypt(self, plaintext: bytes, associated: bytes) -> bytes:
        """Encrypt under the newest key, bound to ``associated`` data."""
        key_id = self.newest_id
        nonce = os.urandom(NONCE_BYTES)
        return HEADER.pack(MARK, key_id) + nonce + AESGCM(self.keys[key_id]).encrypt(nonce, plaintext, associated)

    def decrypt(self, blob: bytes, associated: bytes) -> bytes:
        """Decrypt with whichever key of the ring made ``blob``."""
        key_id = key_id_of(blob)
        if key_id not in self.keys:
            raise KeyError(f"data key {key_id} is not in the key ring")
        start = HEADER.size
        return AESGCM(self.keys[key_id]).decrypt(blob[start:start + NONCE_BYTES], blob[start + NONCE_BYTES:], associated)

    def lookup_hashes(self, value: bytes, label: bytes) -> list[str]:
        """The keyed hash of ``value`` under every key, newest first (stored rows carry the newest)."""
        return [self._hash(key_id, value, label) for key_id in sorted(self.keys, reverse=True)]

    def lookup_hash(self, value: bytes, label: bytes) -> str:
        return self._hash(self.newest_id, value, label)

    def _hash(self, key_id: int, value: bytes, label: bytes) -> str:
        mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"data-key-hmac", info=label).derive(self.keys[key_id])
        return hmac.new(mac_key, value, hashlib.sha256).hexdigest()


def is_ciphertext(blob: bytes | None) -> bool:
    """Whether ``blob`` is in this module's format (older formats are their feature's business)."""
    return bool(blob) and len(blob) > HEADER.size + NONCE_BYTES and blob[:1] == MARK


def key_id_of(blob: bytes) -> int:
    mark, key_id = HEADER.unpack(blob[:HEADER.size])
    if mark != MARK:
        raise ValueError("not a data-key ciphertext")
    return key_id


def key_dir(app=None) -> Path:
    app = app or current_app
    configured = app.config.get("DATA_KEY_DIR")
    return Path(configured) if configured else Path(app.instance_path) / "data-keys"


def folder_of(config) -> Path:
    """The key-ring folder a configuration names, without an application (``python -m app provision-keys``)."""
    def setting(name):
        return config.get(name) if isinstance(config, dict) else getattr(config, name, None)

    return Path(setting("DATA_KEY_DIR") or Path(setting("INSTANCE_PATH") or "instance") / "data-keys")


def _read(folder: Path) -> dict[int, bytes]:
    keys = {}
    if folder.is_dir():
        for path in folder.glob("*.key"):
            if path.stem.isdigit():
                key = base64.b64decode(path.read_text().strip())
                if len(key) != 32:
                    raise NoDataKey(f"{path} does not hold a 32-byte key")
                keys[int(path.stem)] = key
    return keys


def create_key(folder: Path) -> int:
    """Write a new random key to ``folder`` (readable by the owner only); returns its id."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_id = max(_read(folder), default=0) + 1
    fd = os.open(folder / f"{key_id}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(os.urandom(32)).decode() + "\n")
    return key_id


def provisioned(app) -> bool:
    """Whether the configured key ring holds at least one key."""
    return has_keys(key_dir(app))


def has_keys(folder: Path) -> bool:
    return bool(_read(Path(folder)))


def ring(app=None) -> KeyRing:
    """The key ring of the application; the embedded and test set-ups create a first key when none exists."""
    app = app or current_app
    folder = key_dir(app)
    keys = _read(folder)
    if not keys:
        if not app.config.get("DATA_KEY_AUTO_CREATE"):
            raise NoDataKey(f"no data key in {folder}: run `python -m app provision-keys`")
        create_key(folder)
        keys = _read(folder)
    return KeyRing(keys)


keys_cli = click.Group("keys", help="Data keys for stored personal data.")


@keys_cli.command("create-data-key")
@with_appcontext
def create_data_key_command():
    """Add a new data key to DATA_KEY_DIR; it encrypts from now on (re-encrypt stored data to move it over)."""
    folder = key_dir()
    key_id = create_key(folder)
    click.echo(f"data key {key_id} created in {folder}; newest keys encrypt, every key in the folder decrypts")
