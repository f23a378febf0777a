"""The browser modules against the Python module: vectors, key files, envelopes both ways, receipts."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tender.sealing import (
    Document, hpke, inspect, keyfile, open_envelope, platform_keys, receipts, seal, unwrap_share,
)
from tender.sealing.envelope import KeyShare
from tender.sealing.errors import KeyFileError
from tests.tender.sealing.test_hpke import X, ref_schedule
from tests.tender.sealing.browser_harness import b64, js, static_server, unb64  # noqa: F401

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def test_hpke_matches_reference_and_library(js):
    # With RFC 9180 A.1.1's keys and our suite (aead_id 2), the browser's ciphertext must equal the
    # independent reference's byte for byte, and the library must open it.
    enc, _, _, _, key, nonce = ref_schedule(X["skEm"], X["pkRm"], X["info"], aead_id=2)
    expected = enc + AESGCM(key).encrypt(nonce, X["pt"], b"")
    got = unb64(js.evaluate("""async ([pk, info, pt, ske]) => P.b64(await P.hpkeSeal(
        P.unb64(pk), P.unb64(info), P.unb64(pt), P.unb64(ske)))""",
        [b64(X["pkRm"]), b64(X["info"]), b64(X["pt"]), b64(X["skEm"])]))
    assert got == expected
    sk_r = X25519PrivateKey.from_private_bytes(X["skRm"])
    assert hpke.SUITE.decrypt(got, sk_r, info=X["info"]) == X["pt"]
    # And the browser opens what the library wraps.
    wrapped = hpke.wrap(b"w" * 32, X["pkRm"], b"info here")
    opened = js.evaluate("""async ([sk, w]) => P.b64(await P.hpkeOpen(await P.importX25519Private(P.unb64(sk)),
        P.ascii('info here'), P.unb64(w)))""", [b64(X["skRm"]), b64(wrapped)])
    assert unb64(opened) == b"w" * 32


def test_scrypt_matches_rfc7914_and_hashlib(js):
    rfc = js.evaluate("async () => P.hex(await P.scrypt(P.ascii('password'), P.ascii('NaCl'), 1024, 8, 16, 64))")
    assert rfc == ("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830da"
                   "c727afb94a83ee6d8360cbdfa2cc0640")
    ours = js.evaluate("async () => P.hex(await P.scrypt(P.ascii('pässwörd'), P.ascii('salt'), 16384, 8, 1, 32))")
    assert ours == hashlib.scrypt("pässwörd".encode(), salt=b"salt", n=16384, r=8, p=1, dklen=32).hex()


def test_shamir_shares_combine_across_languages(js):
    secret = bytes(range(32))
    shares = js.evaluate("(s) => P.shamirSplit(P.unb64(s), 3, 5).map(({x, y}) => [x, P.b64(y)])", b64(secret))
    from tender.sealing import shamir

    assert shamir.combine([(x, unb64(y)) for x, y in shares[1:4]], 3) == secret
    py = shamir.split(secret, 2, 4)
    back = js.evaluate("(s) => P.b64(P.shamirCombine(s.map(([x, y]) => ({x, y: P.unb64(y)}))))",
                       [[x, b64(y)] for x, y in py[2:]])
    assert unb64(back) == secret


def test_key_files_cross_between_browser_and_python(js):
    made = js.evaluate("""async () => {
        const {file} = await C.createKeyFile('browser passphrase 1', 'browser key', {N: 16384, r: 8, p: 1});
        return file; }""")
    key = keyfile.unlock_key_file(keyfile.parse_key_file(json.dumps(made)), "browser passphrase 1")
    assert keyfile.public_key_of(made) == hpke.public_bytes(key.public_key())
    with pytest.raises(KeyFileError):
        keyfile.unlock_key_file(made, "wrong passphrase!")
    py_file, py_key = keyfile.create_key_file("python passphrase 1", n=2**14)
    answer = js.evaluate("""async ([f, check]) => {
        const k = await C.unlockKeyFile(await C.parseKeyFile(f), 'python passphrase 1');
        return C.answerKeyCheck(check, k); }""",
        [json.dumps(py_file), keyfile.make_key_check(b"s", keyfile.public_key_of(py_file), "user:1:2")])
    assert keyfile.verify_key_check_answer(b"s", keyfile.public_key_of(py_file), "user:1:2", answer)
    wrong = js.evaluate("""async (f) => {
        try { await C.unlockKeyFile(await C.parseKeyFile(f), 'not the passphrase'); return 'opened'; }
        catch (e) { return e.code + ': ' + e.message; } }""", json.dumps(py_file))
    assert wrong.startswith("key_file: The passphrase is wrong")


SEAL_IN_BROWSER = """async ([pks, k, docs, price]) => {
    const files = docs.map(([name, data, part]) => ({file: new File([P.unb64(data)], name), part}));
    const {blob} = await E.sealEnvelope({tenderId: 'T-2026-009', bidId: 'B-browser', bidVersion: 2,
        deadline: 1767225600, custodians: pks.map(P.unb64), threshold: k, priceSheet: P.ascii(price),
        documents: files});
    return P.b64(new Uint8Array(await blob.arrayBuffer()));
}"""


@pytest.mark.parametrize("sizes", [[], [0], [65535], [65536], [65537], [1, 200_000, 65536, 3]])
def test_browser_made_envelope_opens_in_python(js, sizes):
    keys = [X25519PrivateKey.generate() for _ in range(3)]
    pks = [b64(hpke.public_bytes(k.public_key())) for k in keys]
    parts = ("technical", "business", "qualification")
    docs = [(f"doc{i}.bin", bytes((i + j) % 256 for j in range(n)), parts[i % 3]) for i, n in enumerate(sizes)]
    env = unb64(js.evaluate(SEAL_IN_BROWSER, [pks, 2, [[n, b64(d), p] for n, d, p in docs], '{"fee": "3.10"}']))
    header = inspect(io.BytesIO(env))
    assert (header.tender_id, header.bid_id, header.bid_version, header.version) == ("T-2026-009", "B-browser", 2, 2)
    shares = [unwrap_share(header, k) for k in keys]
    binding = {"tender_id": "T-2026-009", "bid_id": "B-browser", "bid_version": 2}
    opened = open_envelope(io.BytesIO(env), [shares[0], shares[2]], **binding)
    assert opened.price_sheet() == b'{"fee": "3.10"}'
    assert [(e.name, b"".join(p), e.part) for e, p in opened.documents()] == docs
    with pytest.raises(Exception):
        open_envelope(io.BytesIO(env), [shares[1]], **binding)


def test_python_made_envelope_inspects_and_unwraps_in_browser(js, tmp_path):
    keys = [X25519PrivateKey.generate() for _ in range(2)]
    out = io.BytesIO()
    seal(out, tender_id="T-CLI", bid_id="B-9", bid_version=1, deadline=1767225600,
         custodian_keys=[hpke.public_bytes(k.public_key()) for k in keys], threshold=2, price_sheet=b"{}",
         documents=[Document.from_bytes("a.txt", b"hello", part="qualification")])
    env = out.getvalue()
    info = js.evaluate("async (e) => E.inspectBlob(new Blob([P.unb64(e)]))", b64(env))
    assert info["tender_id"] == "T-CLI" and info["threshold"] == 2 and info["envelope_length"] == len(env)
    assert info["format_version"] == 2
    assert info["deadline"] == "2026-01-01T00:00:00Z"
    share = js.evaluate("""async ([e, sk]) => E.unwrapShare(E.parseHeader(P.unb64(e)),
        await P.importX25519Private(P.unb64(sk)))""",
        [b64(env), b64(keyfile.private_bytes(keys[0]))])
    other = unwrap_share(inspect(io.BytesIO(env)), keys[1])
    opened = open_envelope(io.BytesIO(env), [KeyShare.decode(share), other], tender_id="T-CLI", bid_id="B-9",
                           bid_version=1)
    assert opened.verify()["document_bytes"] == 5
    early = js.evaluate("""async ([e, sk]) => { try { await E.unwrapShare(E.parseHeader(P.unb64(e)),
        await P.importX25519Private(P.unb64(sk)), Date.UTC(2025, 0, 1)); return 'unwrapped'; }
        catch (err) { return err.code; } }""", [b64(env), b64(keyfile.private_bytes(keys[0]))])
    assert early == "too_early"
    bad = js.evaluate("(e) => { try { E.parseHeader(P.unb64(e)); } catch (err) { return err.code + ': ' + err.message; } }",
                      b64(env[:8] + b"\x00\x07" + env[10:]))
    assert bad == "malformed_envelope: This envelope uses format version 7; this page reads versions 1 and 2."


def test_receipts_verify_in_browser(js, tmp_path):
    key = platform_keys.load_or_create(tmp_path).signing_key
    doc = receipts.public_key_document(key)
    t = datetime(2026, 3, 1, tzinfo=timezone.utc)
    r1 = receipts.make_receipt(key, tender_id="T-1", bidder="甲物业", bid_id="B-1", bid_version=1,
                               envelope_sha256="ab" * 32, server_time=t, seq=1)
    r2 = receipts.make_receipt(key, tender_id="T-1", bidder="乙物业", bid_id="B-2", bid_version=1,
                               envelope_sha256="cd" * 32, server_time=t, seq=2, prev=receipts.entry_hash(r1))
    point = receipts.make_checkpoint(key, "T-1", [r1, r2], t)
    result = js.evaluate("""async ([r, log, doc, cp]) => {
        const out = {};
        out.payload = await C.verifyReceipt(r, doc, 'ab'.repeat(32));
        out.count = await C.verifyLog(log, doc, {checkpoint: cp, receipts: [r]});
        const fail = async (f) => { try { await f(); return 'passed'; } catch (e) { return e.message; } };
        out.wrongEnvelope = await fail(() => C.verifyReceipt(r, doc, '00'.repeat(32)));
        out.removed = await fail(() => C.verifyLog([log[1]], doc));
        out.truncated = await fail(() => C.verifyLog([log[0]], doc, {checkpoint: cp}));
        const forged = {...r, payload: btoa(atob(r.payload).replace('"seq":1', '"seq":9'))};
        out.changed = await fail(() => C.verifyReceipt(forged, doc));
        return out; }""", [r1, [r1, r2], doc, point])
    assert result["payload"]["bidder"] == "甲物业" and result["count"] == 2
    assert "another envelope" in result["wrongEnvelope"]
    assert "does not follow" in result["removed"]
    assert "signed list" in result["truncated"]
    assert "signature does not verify" in result["changed"]


def test_browser_refuses_a_deadline_past_9999(js):
    from tests.tender.sealing.helpers import custodians, make_envelope
    from tests.tender.sealing.test_header_limits import YEAR_10000, with_deadline

    env = make_envelope(custodians(2))
    for deadline in (YEAR_10000, 2**64 - 1):
        got = js.evaluate("""async (e) => { try { await E.inspectBlob(new Blob([P.unb64(e)])); return 'shown'; }
            catch (err) { return err.code + ': ' + err.message; } }""", b64(with_deadline(env, deadline)))
        assert got.startswith("malformed_envelope: The deadline"), got
    got = js.evaluate("""async (pk) => { try { await E.sealEnvelope({tenderId: 'T-1', bidId: 'B-1',
        deadline: 253402300800, custodians: pk.map(P.unb64), threshold: 2, priceSheet: P.ascii('{}')});
        return 'sealed'; } catch (err) { return err.code + ': ' + err.message; } }""",
        [b64(k.public_key().public_bytes_raw()) for k in custodians(2)])
    assert got.startswith("invalid_input: The deadline"), got


PARSE = """(e) => { try { E.parseHeader(P.unb64(e)); return 'parsed'; }
    catch (err) { return err.code + ': ' + err.message; } }"""


def test_browser_reports_a_changed_length_byte_as_such(js):
    import struct

    from tests.tender.sealing.helpers import custodians, make_envelope
    from tests.tender.sealing.test_header_limits import _with_byte, length_byte_positions

    env = make_envelope(custodians(2))
    for field, at in length_byte_positions(env).items():
        for delta in (-1, 1):
            got = js.evaluate(PARSE, b64(_with_byte(env, at, env[at] + delta)[:4096]))
            assert got.startswith("malformed_envelope: ") and "length" in got and "threshold" not in got, (field, got)
    for declared in (15, 317, 3835):
        got = js.evaluate(PARSE, b64(env[:10] + struct.pack(">I", declared) + env[14:4096]))
        assert "318 to 3834" in got, got


SEAL_NAMES = """async ([pks, names]) => {
    try {
        await E.sealEnvelope({tenderId: 'T-1', bidId: 'B-1', deadline: 1767225600, custodians: pks.map(P.unb64),
            threshold: 2, priceSheet: P.ascii('{}'),
            documents: names.map((n) => ({file: new File([], n), part: 'technical'}))});
        return 'sealed';
    } catch (e) { return e.code + ': ' + e.message; }
}"""


def test_browser_refuses_the_names_and_counts_python_refuses(js):
    from tests.tender.sealing.helpers import custodians, public_keys
    from tests.tender.sealing.test_manifest import BIDI, COLLIDING

    pks = [b64(pk) for pk in public_keys(custodians(2))]
    for char in BIDI:
        got = js.evaluate(SEAL_NAMES, [pks, [f"invoice{char}fdp.exe"]])
        assert got.startswith("invalid_input: ") and f"U+{ord(char):04X}" in got, (hex(ord(char)), got)
    for pair in COLLIDING:
        got = js.evaluate(SEAL_NAMES, [pks, list(pair)])
        assert got.startswith("invalid_input: ") and "differ only in letter case" in got, (pair, got)
    assert js.evaluate(SEAL_NAMES, [pks, [f"d{i}" for i in range(1000)]]) == "sealed"
    got = js.evaluate(SEAL_NAMES, [pks, [f"d{i}" for i in range(1001)]])
    assert got.startswith("invalid_input: ") and "at most 1000" in got, got
    from tender.sealing.manifest import FORBIDDEN_IN_NAMES

    assert js.evaluate("() => E.FORBIDDEN_IN_NAMES") == [list(r) for r in FORBIDDEN_IN_NAMES]


def test_browser_refuses_the_damaged_key_files_and_checks_python_refuses(js):
    from tests.tender.sealing.test_keyfile import damaged_checks, damaged_files

    data, key = keyfile.create_key_file("python passphrase 1", n=2**14)
    for what, content in damaged_files(data).items():
        # A binary file reaches the page as File.text() gives it: UTF-8 with replacement characters.
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        got = js.evaluate("""async (f) => { try { await C.unlockKeyFile(await C.parseKeyFile(f), 'python passphrase 1');
            return 'opened'; } catch (e) { return e.code + ': ' + e.message; } }""", text)
        assert got.startswith("key_file: "), (what, got)
    check = keyfile.make_key_check(b"s", keyfile.public_key_of(data), "user:1:2")
    for what, damaged in damaged_checks(check).items():
        got = js.evaluate("""async ([check, sk]) => { try { return await C.answerKeyCheck(check,
            await P.importX25519Private(P.unb64(sk))); } catch (e) { return e.code + ': ' + e.message; } }""",
            [damaged, b64(keyfile.private_bytes(key))])
        assert got.startswith("key_file: "), (what, got)


def test_browser_reads_custodian_lists_and_shares_as_python_does(js):
    from tests.tender.sealing.test_custodian_list import PKS, bad_lists, listing

    read = """async (t) => { try { const l = await E.parseCustodianList(t);
        return {...l, custodians: l.custodians.map(P.b64)}; } catch (e) { return e.code + ': ' + e.message; } }"""
    for deadline in ("2026-05-01T02:00:00Z", "2026-05-01T10:00:00+08:00", "2026-04-30T21:30:00-04:30"):
        got = js.evaluate(read, json.dumps(listing(deadline=deadline)))
        assert got == {"tenderId": "T-2026-001", "deadline": 1777600800, "threshold": 2,
                       "custodians": [b64(pk) for pk in PKS]}, (deadline, got)
    for what, content in bad_lists().items():
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        got = js.evaluate(read, text)
        assert isinstance(got, str) and got.startswith("invalid_input: "), (what, got)


def test_receipts_from_before_a_rotation_verify_in_browser(js, tmp_path):
    first = platform_keys.create(tmp_path)
    t = datetime(2026, 3, 1, tzinfo=timezone.utc)
    r1 = receipts.make_receipt(first.signing_key, tender_id="T-1", bidder="甲物业", bid_id="B-1", bid_version=1,
                               envelope_sha256="ab" * 32, server_time=t, seq=1)
    second = platform_keys.rotate(tmp_path)
    r2 = receipts.make_receipt(second.signing_key, tender_id="T-1", bidder="乙物业", bid_id="B-2", bid_version=1,
                               envelope_sha256="cd" * 32, server_time=t, seq=2, prev=receipts.entry_hash(r1))
    point = receipts.make_checkpoint(second.signing_key, "T-1", [r1, r2], t)
    doc = second.document()
    result = js.evaluate("""async ([r1, r2, doc, cp]) => {
        const fail = async (f) => { try { await f(); return 'passed'; } catch (e) { return e.message; } };
        const current = {alg: doc.alg, key_id: doc.key_id, public_key: doc.public_key};
        const mislabelled = {...doc, keys: [{...doc.keys[0], key_id: doc.keys[1].key_id}, doc.keys[1]]};
        return {
            old: (await C.verifyReceipt(r1, doc)).key_id, fresh: (await C.verifyReceipt(r2, doc)).key_id,
            count: await C.verifyLog([r1, r2], doc, {checkpoint: cp, receipts: [r1, r2]}),
            oldWithCurrentOnly: await fail(() => C.verifyReceipt(r1, current)),
            mislabelled: await fail(() => C.verifyReceipt(r1, mislabelled)),
        }; }""", [r1, r2, doc, point])
    assert result["old"] == first.current_id and result["fresh"] == second.current_id and result["count"] == 2
    assert first.current_id in result["oldWithCurrentOnly"] and "not among" in result["oldWithCurrentOnly"]
    assert "not its own" in result["mislabelled"]


def test_browser_needs_a_part_for_every_document(js):
    pks = [b64(hpke.public_bytes(X25519PrivateKey.generate().public_key())) for _ in range(2)]
    for docs in ([["a.pdf", b64(b"a"), "price"]], [["a.pdf", b64(b"a"), None]]):
        got = js.evaluate("""async (args) => { try { await (%s)(args); return 'sealed'; }
            catch (e) { return e.code + ': ' + e.message; } }""" % SEAL_IN_BROWSER, [pks, 2, docs, "{}"])
        assert got.startswith("invalid_input: ") and "technical, business or qualification" in got, got
    got = js.evaluate("""async (pk) => { try { await E.sealEnvelope({tenderId: 'T-1', bidId: 'B-1', deadline: 0,
        custodians: pk.map(P.unb64), threshold: 2, priceSheet: P.ascii('{}'), documents: [new File([], 'a')]});
        return 'sealed'; } catch (e) { return e.code + ': ' + e.message; } }""", pks)
    assert got == "invalid_input: Each document is given as {file, part}."


def test_a_version_1_envelope_inspects_and_unwraps_in_browser(js):
    from tests.tender.sealing.test_versions import v1_fixture

    meta, env, keys = v1_fixture()
    info = js.evaluate("async (e) => E.inspectBlob(new Blob([P.unb64(e)]))", b64(env))
    assert info["format_version"] == 1 and info["bid_id"] == meta["bid_id"]
    share = js.evaluate("""async ([e, sk]) => E.unwrapShare(E.parseHeader(P.unb64(e)),
        await P.importX25519Private(P.unb64(sk)))""", [b64(env), b64(keyfile.private_bytes(keys[0]))])
    other = unwrap_share(inspect(io.BytesIO(env)), keys[2])
    opened = open_envelope(io.BytesIO(env), [KeyShare.decode(share), other], tender_id=meta["tender_id"],
                           bid_id=meta["bid_id"], bid_version=meta["bid_version"])
    assert opened.price_sheet().decode() == meta["price_sheet"]
