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

import hashlib
import hmac
import json
import secrets
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from tender.sealing import hpke
from tender.sealing.encoding import b64decode, b64encode, hexdecode
from tender.sealing.errors import BadShare, InvalidInput, KeyFileError

KEY_FILE_TYPE = "tender-seal-custodian-key"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
MIN_SCRYPT_N, MAX_SCRYPT_N = 2**14, 2**20
MAX_SCRYPT_R, MAX_SCRYPT_P = 32, 16
MAX_SCRYPT_MEMORY = 2**30  # 128 * N * r bytes; a browser tab cannot be asked for more
MIN_PASSPHRASE = 10
_AAD_LABEL = b"tender-seal/v1 key-file"
_CHECK_LABEL = b"tender-seal/v1 key-check-value"


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
        "public_key": b64encode(public),
        "kdf": {"name": "scrypt", "N": n, "r": SCRYPT_R, "p": SCRYPT_P, "salt": b64encode(salt)},
        "cipher": {"name": "AES-256-GCM", "nonce": b64encode(iv)},
        "encrypted_private_key": b64encode(ciphertext),
    }


def _text_json(text: str | bytes, what: str):
    """A JSON document given as text or as UTF-8 bytes; anything else is a KeyFileError."""
    try:
        return json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except (ValueError, UnicodeDecodeError):
        raise KeyFileError(f"This is not {what} (it is not UTF-8 JSON).") from None


def parse_key_file(text: str | bytes) -> dict:
    """Read a key file's text (or UTF-8 bytes) and check every field; the private key stays sealed."""
    data = _text_json(text, "a custodian key file")
    if not isinstance(data, dict) or data.get("type") != KEY_FILE_TYPE:
        raise KeyFileError("This is not a custodian key file.")
    if data.get("version") != 1:
        raise KeyFileError(f"This key file has version {data.get('version')!r}; this tool reads version 1.")
    _read(data)
    return data


@dataclass(frozen=True)
class _KeyFile:
    public: bytes
    salt: bytes
    n: int
    r: int
    p: int
    nonce: bytes
    ciphertext: bytes


def _member(data, name: str, kind: type, what: str):
    value = data.get(name) if isinstance(data, dict) else None
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON has one kind of number: a browser cannot tell 16384.0 from 16384
    if not isinstance(value, kind) or isinstance(value, bool):
        raise KeyFileError(f"The key file's {what} is missing or damaged.")
    return value


def _binary(data, name: str, length: int, what: str) -> bytes:
    try:
        return b64decode(_member(data, name, str, what), length)
    except ValueError:
        raise KeyFileError(f"The key file's {what} is damaged: it must be {length} bytes in base64.") from None


def _read(data: dict) -> _KeyFile:
    """Every field of a key file, checked against docs/envelope.md section 8."""
    _member(data, "label", str, "label")
    public = _binary(data, "public_key", 32, "public key")
    try:
        key_id = hexdecode(_member(data, "key_id", str, "key id"), hpke.KEY_ID_LEN)
    except ValueError:
        raise KeyFileError("The key file's key id must be 32 lowercase hexadecimal digits.") from None
    if key_id != hpke.key_id(public):
        raise KeyFileError("The key file's key id does not belong to its public key.")
    kdf, cipher = _member(data, "kdf", dict, "kdf"), _member(data, "cipher", dict, "cipher")
    if kdf.get("name") != "scrypt" or cipher.get("name") != "AES-256-GCM":
        raise KeyFileError("The key file names a method this tool does not use.")
    n, r, p = (_member(kdf, name, int, "scrypt parameter " + name) for name in ("N", "r", "p"))
    if not (MIN_SCRYPT_N <= n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= MAX_SCRYPT_R
            and 1 <= p <= MAX_SCRYPT_P and 128 * n * r <= MAX_SCRYPT_MEMORY):
        raise KeyFileError("The key file's scrypt parameters are outside the accepted range.")
    return _KeyFile(public, _binary(kdf, "salt", 16, "salt"), n, r, p, _binary(cipher, "nonce", 12, "nonce"),
                    _binary(data, "encrypted_private_key", 48, "encrypted key"))


def public_key_of(data: dict) -> bytes:
    return _read(data).public


def unlock_key_file(data: dict, passphrase: str) -> X25519PrivateKey:
    """Decrypt the private key; a wrong passphrase and a changed file give the same clear error."""
    fields = _read(data)
    wrapping = _passphrase_key(passphrase, fields.salt, fields.n, fields.r, fields.p)
    try:
        raw = AESGCM(wrapping).decrypt(fields.nonce, fields.ciphertext, _AAD_LABEL + fields.public)
    except InvalidTag:
        raise KeyFileError("The passphrase is wrong, or the key file was changed.") from None
    key = X25519PrivateKey.from_private_bytes(raw)
    if hpke.public_bytes(key.public_key()) != fields.public:
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
    return {"context": context, "key_id": kid.hex(), "wrapped": b64encode(wrapped)}


def parse_key_check(text: str | bytes) -> dict:
    """Read a key check downloaded from the platform (its fields are checked when it is answered)."""
    return _text_json(text, "a key check from the platform")


def answer_key_check(check: dict, private_key: X25519PrivateKey) -> str:
    """Unwrap a key check on the custodian's device; the hex answer proves the key is held."""
    fields = [check.get(name) if isinstance(check, dict) else None for name in ("context", "key_id", "wrapped")]
    if not all(isinstance(value, str) for value in fields):
        raise KeyFileError("This is not a key check from the platform: it needs context, key_id and wrapped.")
    context, check_kid, wrapped = fields
    public = hpke.public_bytes(private_key.public_key())
    kid = hpke.key_id(public)
    if check_kid != kid.hex():
        raise KeyFileError(
            f"This key file holds key {kid.hex()}, but the check was made for key {check_kid}.", key_id=kid.hex()
        )
    try:
        raw = b64decode(wrapped, hpke.WRAPPED_LEN)
    except ValueError:
        raise KeyFileError(f"The key check's wrapped share is damaged: it must be {hpke.WRAPPED_LEN} bytes in "
                           "base64.") from None
    try:
        return hpke.unwrap(raw, private_key, hpke.key_check_info(context, kid)).hex()
    except (BadShare, InvalidInput):
        raise KeyFileError("The key check does not unwrap with this key file.") from None


def verify_key_check_answer(server_secret: bytes, public_key: bytes, context: str, answer: str) -> bool:
    expected = _check_value(server_secret, public_key, context).hex()
    return hmac.compare_digest(expected, str(answer).strip().lower())


def check_secret(app_secret: str | bytes) -> bytes:
    """The key-check secret, derived from the application's secret key."""
    raw = app_secret.encode() if isinstance(app_secret, str) else app_secret
    return hmac.new(raw, b"tender-seal/v1 key-check-secret", hashlib.sha256).digest()
