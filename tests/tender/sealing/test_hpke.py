"""HPKE against RFC 9180.

RFC 9180's appendix has no vector for DHKEM(X25519, HKDF-SHA256) + HKDF-SHA256 + AES-256-GCM, so
an independent key schedule written here is first checked byte for byte against Appendix A.1.1
(the same KEM and KDF, with AES-128-GCM): shared secret, key, base nonce and the first
ciphertext. The same code with aead_id 2 and a 32-byte key then builds a ciphertext from A.1.1's
keys that the library must open, and opens what the library makes. (The library's single-shot
API has an empty AAD, so it cannot take A.1.1's ciphertext, whose AAD is "Count-0".)
"""

import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tender.sealing import hpke
from tender.sealing.errors import BadShare

# RFC 9180, Appendix A.1.1: mode 0, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM.
V = {
    "info": "4f6465206f6e2061204772656369616e2055726e",
    "skRm": "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
    "skEm": "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
    "pkRm": "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
    "enc": "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    "shared_secret": "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc",
    "key": "4531685d41d65f03dc48f6b8302c05b0",
    "base_nonce": "56d890e5accaaf011cff4b7d",
    "aad0": "436f756e742d30",
    "ct0": "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
    "pt": "4265617574792069732074727574682c20747275746820626561757479",
}
X = {k: bytes.fromhex(v) for k, v in V.items()}


def extract(salt, ikm):
    return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()


def expand(prk, info, length):
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def labeled_extract(suite, salt, label, ikm):
    return extract(salt, b"HPKE-v1" + suite + label + ikm)


def labeled_expand(suite, prk, label, info, length):
    return expand(prk, length.to_bytes(2, "big") + b"HPKE-v1" + suite + label + info, length)


KEM_SUITE = b"KEM\x00\x20"


def hpke_suite(aead_id):
    return b"HPKE\x00\x20\x00\x01" + aead_id.to_bytes(2, "big")


def ref_schedule(sk_e: bytes, pk_r: bytes, info: bytes, aead_id=2):
    suite, nk = hpke_suite(aead_id), {1: 16, 2: 32}[aead_id]
    ske = X25519PrivateKey.from_private_bytes(sk_e)
    enc = hpke.public_bytes(ske.public_key())
    dh = ske.exchange(X25519PublicKey.from_public_bytes(pk_r))
    eae = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    shared = labeled_expand(KEM_SUITE, eae, b"shared_secret", enc + pk_r, 32)
    context = (b"\x00" + labeled_extract(suite, b"", b"psk_id_hash", b"")
               + labeled_extract(suite, b"", b"info_hash", info))
    secret = labeled_extract(suite, shared, b"secret", b"")
    key = labeled_expand(suite, secret, b"key", context, nk)
    nonce = labeled_expand(suite, secret, b"base_nonce", context, 12)
    return enc, shared, context, secret, key, nonce


def test_reference_schedule_matches_rfc9180_vector():
    enc, shared, context, secret, key, nonce = ref_schedule(X["skEm"], X["pkRm"], X["info"], aead_id=1)
    assert enc == X["enc"]
    assert shared == X["shared_secret"]
    assert key == X["key"] and nonce == X["base_nonce"]
    assert AESGCM(key).encrypt(nonce, X["pt"], X["aad0"]) == X["ct0"]


def test_library_decrypts_vector_keys_and_reference_decrypts_library():
    enc, _, _, _, key, nonce = ref_schedule(X["skEm"], X["pkRm"], X["info"])
    sk_r = X25519PrivateKey.from_private_bytes(X["skRm"])
    assert hpke.public_bytes(sk_r.public_key()) == X["pkRm"]
    made_with_vector = enc + AESGCM(key).encrypt(nonce, X["pt"], b"")
    assert hpke.SUITE.decrypt(made_with_vector, sk_r, info=X["info"]) == X["pt"]

    # And the other way: the library's fresh ciphertext opens with the reference receiver side.
    wrapped = hpke.wrap(bytes(range(32)), X["pkRm"], X["info"])
    enc2 = wrapped[:32]
    dh = sk_r.exchange(X25519PublicKey.from_public_bytes(enc2))
    eae = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    shared = labeled_expand(KEM_SUITE, eae, b"shared_secret", enc2 + X["pkRm"], 32)
    suite = hpke_suite(2)
    context = (b"\x00" + labeled_extract(suite, b"", b"psk_id_hash", b"")
               + labeled_extract(suite, b"", b"info_hash", X["info"]))
    secret = labeled_extract(suite, shared, b"secret", b"")
    key2 = labeled_expand(suite, secret, b"key", context, 32)
    nonce2 = labeled_expand(suite, secret, b"base_nonce", context, 12)
    assert AESGCM(key2).decrypt(nonce2, wrapped[32:], b"") == bytes(range(32))


def test_info_binds_the_wrap():
    sk = X25519PrivateKey.generate()
    pk = hpke.public_bytes(sk.public_key())
    kid = hpke.key_id(pk)
    info = hpke.bid_share_info("T-1", "B-1", 1, 100, 2, 3, 1, kid)
    wrapped = hpke.wrap(b"s" * 32, pk, info)
    assert hpke.unwrap(wrapped, sk, info) == b"s" * 32
    for other in (
        hpke.bid_share_info("T-2", "B-1", 1, 100, 2, 3, 1, kid),
        hpke.bid_share_info("T-1", "B-1", 2, 100, 2, 3, 1, kid),
        hpke.bid_share_info("T-1", "B-1", 1, 101, 2, 3, 1, kid),
        hpke.key_check_info("T-1", kid),
    ):
        with pytest.raises(BadShare):
            hpke.unwrap(wrapped, sk, other)
    with pytest.raises(BadShare):
        hpke.unwrap(wrapped, X25519PrivateKey.generate(), info)
