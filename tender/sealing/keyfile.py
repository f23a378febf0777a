"""Custodian key files and key checks (开标密钥保管人的私钥文件).

A custodian's X25519 private key lives only in a JSON key file on their own device, encrypted
with AES-256-GCM under a key derived from their passphrase with scrypt (RFC 7914). Defaults:
N = 2^17, r = 8, p = 1 (128 MiB, about half a second), a 16-byte random salt; the parameters are
stored in the file, and files asking for less than N = 2^14 are refused. The public key is the
associated data, so a file whose public key was swapped does not decrypt.

A key check is a throw-away 32-byte value HPKE-wrapped to the custodian's public key under the
``key-check`` purpose label; unwrapping it shows, long before an opening, that the file and the
passphrase work. The server keeps no state: the value is an HMAC of who asked and when.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from tender.sealing import hpke
from tender.sealing.errors import BadShare, InvalidInput, KeyFileError

KEY_FILE_TYPE = "tender-seal-custodian-key"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
MIN_SCRYPT_N, MAX_SCRYPT_N = 2**14, 2**20
MIN_PASSPHRASE = 10
_AAD_LABEL = b"tender-seal/v1 key-file"
_CHECK_LABEL = b"tender-seal/v1 key-check-value"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise KeyFileError(f"The key file's {what} is damaged.") from None


def _passphrase_key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=256 * r * n + (1 << 20), dklen=32)


def private_bytes(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def create_key_file(passphrase: str, *, label: str = "", n: int = SCRYPT_N) -> tuple[dict, X25519PrivateKey]:
    """Generate a key pair and return (key file content, private key)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters.")
    key = X25519PrivateKey.generate()
    return seal_key_file(key, passphrase, label=label, n=n), key


def seal_key_file(key: X25519PrivateKey, passphrase: str, *, label: str = "", n: int = SCRYPT_N) -> dict:
    public = hpke.public_bytes(key.public_key())
    salt, iv = secrets.token_bytes(16), secrets.token_bytes(12)
    wrapping = _passphrase_key(passphrase, salt, n, SCRYPT_R, SCRYPT_P)
    ciphertext = AESGCM(wrapping).encrypt(iv, private_bytes(key), _AAD_LABEL + public)
    return {
        "type": KEY_FILE_TYPE,
        "version": 1,
        "label": label,
        "key_id": hpke.key_id(public).hex(),
        "public_key": _b64(public),
        "kdf": {"name": "scrypt", "N": n, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
        "cipher": {"name": "AES-256-GCM", "nonce": _b64(iv)},
        "encrypted_private_key": _b64(ciphertext),
    }


def parse_key_file(text: str | bytes) -> dict:
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise KeyFileError("This is not a custodian key file (it is not JSON).") from None
    if not isinstance(data, dict) or data.get("type") != KEY_FILE_TYPE:
        raise KeyFileError("This is not a custodian key file.")
    if data.get("version") != 1:
        raise KeyFileError(f"This key file has version {data.get('version')!r}; this tool reads version 1.")
    return data


def public_key_of(data: dict) -> bytes:
    public = _unb64(data.get("public_key"), "public key")
    if len(public) != 32:
        raise KeyFileError("The key file's public key is damaged.")
    return public


def unlock_key_file(data: dict, passphrase: str) -> X25519PrivateKey:
    """Decrypt the private key; a wrong passphrase and a changed file give the same clear error."""
    kdf, cipher = data.get("kdf") or {}, data.get("cipher") or {}
    if kdf.get("name") != "scrypt" or cipher.get("name") != "AES-256-GCM":
        raise KeyFileError("The key file names a method this tool does not use.")
    try:
        n, r, p = int(kdf["N"]), int(kdf["r"]), int(kdf["p"])
    except (KeyError, TypeError, ValueError):
        raise KeyFileError("The key file's scrypt parameters are damaged.") from None
    if not (MIN_SCRYPT_N <= n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        raise KeyFileError("The key file's scrypt parameters are outside the accepted range.")
    public = public_key_of(data)
    wrapping = _passphrase_key(passphrase, _unb64(kdf.get("salt"), "salt"), n, r, p)
    try:
        raw = AESGCM(wrapping).decrypt(
            _unb64(cipher.get("nonce"), "nonce"), _unb64(data.get("encrypted_private_key"), "key"),
            _AAD_LABEL + public,
        )
    except (InvalidTag, ValueError):
        raise KeyFileError("The passphrase is wrong, or the key file was changed.") from None
    key = X25519PrivateKey.from_private_bytes(raw)
    if hpke.public_bytes(key.public_key()) != public:
        raise KeyFileError("The key file's public key does not belong to its private key.")
    return key


# Key checks -------------------------------------------------------------------------------------


def _check_value(server_secret: bytes, public_key: bytes, context: str) -> bytes:
    return hmac.new(server_secret, _CHECK_LABEL + public_key + context.encode("utf-8"), hashlib.sha256).digest()


def make_key_check(server_secret: bytes, public_key: bytes, context: str) -> dict:
    """A test share for ``public_key``; ``context`` says who asked and when (e.g. "user:7:1764000000")."""
    kid = hpke.key_id(public_key)
    value = _check_value(server_secret, public_key, context)
    wrapped = hpke.wrap(value, public_key, hpke.key_check_info(context, kid))
    return {"context": context, "key_id": kid.hex(), "wrapped": _b64(wrapped)}


def answer_key_check(check: dict, private_key: X25519PrivateKey) -> str:
    """Unwrap a key check on the custodian's device; the hex answer proves the key is held."""
    public = hpke.public_bytes(private_key.public_key())
    kid = hpke.key_id(public)
    if check.get("key_id") != kid.hex():
        raise KeyFileError(
            f"This key file holds key {kid.hex()}, but the check was made for key {check.get('key_id')}.",
            key_id=kid.hex(),
        )
    wrapped = base64.b64decode(check.get("wrapped", ""))
    try:
        return hpke.unwrap(wrapped, private_key, hpke.key_check_info(str(check.get("context", "")), kid)).hex()
    except BadShare:
        raise KeyFileError("The key check does not unwrap with this key file.") from None


def verify_key_check_answer(server_secret: bytes, public_key: bytes, context: str, answer: str) -> bool:
    expected = _check_value(server_secret, public_key, context).hex()
    return hmac.compare_digest(expected, str(answer).strip().lower())


def check_secret(app_secret: str | bytes) -> bytes:
    """The key-check secret, derived from the application's secret key."""
    raw = app_secret.encode() if isinstance(app_secret, str) else app_secret
    return hmac.new(raw, b"tender-seal/v1 key-check-secret", hashlib.sha256).digest()
