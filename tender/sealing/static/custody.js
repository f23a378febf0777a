// Custodian key files, key checks and receipt verification in the browser. The key file format
// is the command-line tool's (docs/envelope.md section 8), so either tool reads the other's files.

import {
  aesKey, ascii, b64, concat, equal, generateX25519, hex, hpkeOpen, importX25519Private, scrypt, sha256,
  strictUnb64, subtle, x25519PublicOf,
} from "./primitives.js";
import { EnvelopeError, keyCheckInfo, keyId } from "./envelope.js";

export const SCRYPT = { N: 2 ** 17, r: 8, p: 1 };
const AAD = ascii("tender-seal/v1 key-file");
const MIN_PASSPHRASE = 10;

const passKey = (passphrase, salt, { N, r, p }) => scrypt(ascii(passphrase.normalize("NFC")), salt, N, r, p, 32);

export async function createKeyFile(passphrase, label = "", cost = SCRYPT) {
  if (passphrase.length < MIN_PASSPHRASE) {
    throw new EnvelopeError("invalid_input", `Choose a passphrase of at least ${MIN_PASSPHRASE} characters.`);
  }
  const pair = await generateX25519();
  const salt = crypto.getRandomValues(new Uint8Array(16)), iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapping = await aesKey(await passKey(passphrase, salt, cost), ["encrypt"]);
  const ct = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv, additionalData: concat(AAD, pair.publicRaw) },
    wrapping, pair.privateRaw));
  pair.privateRaw.fill(0);
  return {
    file: {
      type: "tender-seal-custodian-key", version: 1, label,
      key_id: hex(await keyId(pair.publicRaw)), public_key: b64(pair.publicRaw),
      kdf: { name: "scrypt", N: cost.N, r: cost.r, p: cost.p, salt: b64(salt) },
      cipher: { name: "AES-256-GCM", nonce: b64(iv) },
      encrypted_private_key: b64(ct),
    },
    privateKey: pair.privateKey,
  };
}

const keyFileError = (m) => new EnvelopeError("key_file", m);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function member(obj, name, type, what) {
  const v = isObject(obj) ? obj[name] : undefined;
  const ok = type === "integer" ? Number.isInteger(v) : type === "object" ? isObject(v) : typeof v === type;
  if (!ok) throw keyFileError(`The key file's ${what} is missing or damaged.`);
  return v;
}

function binary(obj, name, length, what) {
  const raw = strictUnb64(member(obj, name, "string", what), length);
  if (!raw) throw keyFileError(`The key file's ${what} is damaged: it must be ${length} bytes in base64.`);
  return raw;
}

// Every field of a key file, checked as keyfile._read checks it (docs/envelope.md section 8).
async function readKeyFile(data) {
  member(data, "label", "string", "label");
  const publicRaw = binary(data, "public_key", 32, "public key");
  const kid = member(data, "key_id", "string", "key id");
  if (!/^[0-9a-f]{32}$/.test(kid)) throw keyFileError("The key file's key id must be 32 lowercase hexadecimal digits.");
  if (kid !== hex(await keyId(publicRaw))) throw keyFileError("The key file's key id does not belong to its public key.");
  const kdf = member(data, "kdf", "object", "kdf"), cipher = member(data, "cipher", "object", "cipher");
  if (kdf.name !== "scrypt" || cipher.name !== "AES-256-GCM") throw keyFileError("The key file names a method this tool does not use.");
  const [N, r, p] = ["N", "r", "p"].map((name) => member(kdf, name, "integer", `scrypt parameter ${name}`));
  if (!(N >= 2 ** 14 && N <= 2 ** 20 && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16
        && 128 * N * r <= 2 ** 30)) {
    throw keyFileError("The key file's scrypt parameters are outside the accepted range.");
  }
  return { publicRaw, N, r, p, salt: binary(kdf, "salt", 16, "salt"), nonce: binary(cipher, "nonce", 12, "nonce"),
    ciphertext: binary(data, "encrypted_private_key", 48, "encrypted key") };
}

export async function parseKeyFile(text) {
  let data;
  try { data = JSON.parse(text); } catch (e) { throw keyFileError("This is not a custodian key file (it is not UTF-8 JSON)."); }
  if (!isObject(data) || data.type !== "tender-seal-custodian-key") throw keyFileError("This is not a custodian key file.");
  if (data.version !== 1) throw keyFileError(`This key file has version ${data.version}; this page reads version 1.`);
  await readKeyFile(data);
  return data;
}

export async function unlockKeyFile(data, passphrase) {
  const { publicRaw, N, r, p, salt, nonce, ciphertext } = await readKeyFile(data);
  const wrapping = await aesKey(await passKey(passphrase, salt, { N, r, p }), ["decrypt"]);
  let raw;
  try {
    raw = new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: nonce, additionalData: concat(AAD, publicRaw) },
      wrapping, ciphertext));
  } catch (e) {
    throw keyFileError("The passphrase is wrong, or the key file was changed.");
  }
  const privateKey = await importX25519Private(raw);
  raw.fill(0);
  if (!equal(await x25519PublicOf(privateKey), publicRaw)) {
    throw keyFileError("The key file's public key does not belong to its private key.");
  }
  return privateKey;
}

// Unwrap a key check from the platform on this device; the hex answer proves the key is held.
export async function answerKeyCheck(check, privateKey) {
  const fields = ["context", "key_id", "wrapped"].map((name) => (isObject(check) ? check[name] : undefined));
  if (!fields.every((v) => typeof v === "string")) {
    throw keyFileError("This is not a key check from the platform: it needs context, key_id and wrapped.");
  }
  const [context, checkKid, wrappedText] = fields;
  const kid = await keyId(await x25519PublicOf(privateKey));
  if (checkKid !== hex(kid)) {
    throw keyFileError(`This key file holds key ${hex(kid)}, but the check was made for key ${checkKid}.`);
  }
  const wrapped = strictUnb64(wrappedText, 80);
  if (!wrapped) throw keyFileError("The key check's wrapped share is damaged: it must be 80 bytes in base64.");
  try {
    return hex(await hpkeOpen(privateKey, keyCheckInfo(context, kid), wrapped));
  } catch (e) {
    throw keyFileError("The key check does not unwrap with this key file.");
  }
}

// Receipts -----------------------------------------------------------------------------------------

// The platform's published keys by key id (docs/envelope.md section 7): the key set, or one key's
// document. Each entry's key id must be its own key's, or a mislabelled key could stand in for another.
async function keySet(published) {
  const entries = Array.isArray(published && published.keys) ? published.keys : [published];
  const keys = new Map();
  for (const entry of entries) {
    const raw = strictUnb64(entry && entry.public_key, 32);
    if (!raw) throw new EnvelopeError("receipt", "A platform key must be 32 bytes in base64.");
    const kid = hex(await sha256(raw)).slice(0, 32);
    if (entry.key_id !== kid) throw new EnvelopeError("receipt", "A published platform key has a key id that is not its own.");
    keys.set(kid, await subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]));
  }
  return keys;
}

async function verifySigned(signed, keys, type) {
  const unsigned = () => new EnvelopeError("receipt", "The signature does not verify: this was not signed by the platform, or it was changed.");
  const raw = strictUnb64(signed && signed.payload), signature = strictUnb64(signed && signed.signature, 64);
  if (!raw || !signature) throw unsigned();
  let payload;
  try { payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw)); } catch (e) { throw unsigned(); }
  if (payload === null || typeof payload !== "object") throw unsigned();
  // The payload is read before it verifies only to learn which key to check it with.
  let candidates = [...keys.values()];
  if ("key_id" in payload) {
    if (!keys.has(payload.key_id)) {
      throw new EnvelopeError("receipt", `This was signed with key ${payload.key_id}, which is not among the platform's published keys.`);
    }
    candidates = [keys.get(payload.key_id)];
  }
  let ok = false;
  for (const key of candidates) {
    if (await subtle.verify({ name: "Ed25519" }, key, signature, raw)) { ok = true; break; }
  }
  if (!ok) throw unsigned();
  const types = Array.isArray(type) ? type : [type];
  if (!types.includes(payload.type) || payload.v !== 1) throw new EnvelopeError("receipt", `This is not a version 1 ${types.join(" or ")}.`);
  return { payload, hash: hex(await sha256(raw)) };
}

// A tender's log holds a receipt for each envelope received and a withdrawal for each bid withdrawn.
const ENTRY_TYPES = ["tender-seal-receipt", "tender-seal-withdrawal"];

export async function verifyReceipt(receipt, platformKeys, envelopeSha256 = null) {
  const { payload } = await verifySigned(receipt, await keySet(platformKeys), "tender-seal-receipt");
  if (envelopeSha256 && payload.envelope_sha256 !== envelopeSha256) {
    throw new EnvelopeError("receipt", "The receipt names another envelope than this one.");
  }
  return payload;
}

// One entry of a tender's log on its own (a receipt or a withdrawal): its payload once it verifies.
export async function verifyEntry(entry, platformKeys) {
  return (await verifySigned(entry, await keySet(platformKeys), ENTRY_TYPES)).payload;
}

export async function verifyLog(entries, platformKeys, { checkpoint = null, receipts = [] } = {}) {
  const keys = await keySet(platformKeys);
  let prev = "0".repeat(64);
  const hashes = new Set();
  for (let i = 0; i < entries.length; i++) {
    let checked;
    try { checked = await verifySigned(entries[i], keys, ENTRY_TYPES); } catch (e) {
      throw new EnvelopeError("receipt", `Log entry ${i + 1}: ${e.message}`);
    }
    if (checked.payload.seq !== i + 1 || checked.payload.prev !== prev) {
      throw new EnvelopeError("receipt", `Log entry ${i + 1} does not follow entry ${i}: an entry was removed, inserted or reordered.`);
    }
    prev = checked.hash;
    hashes.add(prev);
  }
  if (checkpoint) {
    const { payload } = await verifySigned(checkpoint, keys, "tender-seal-checkpoint");
    if (payload.count !== entries.length || payload.head !== prev) {
      throw new EnvelopeError("receipt", "The log does not match the signed list published at the deadline.");
    }
  }
  for (const r of receipts) {
    const { hash } = await verifySigned(r, keys, ENTRY_TYPES);
    if (!hashes.has(hash)) throw new EnvelopeError("receipt", "A receipt held by a bidder is missing from the log.");
  }
  return entries.length;
}

// The signed list of sealed bids published at the deadline (docs/envelope.md section 7): with the
// log, that it is the log's head; with a bidder's receipt, that its envelope is listed.
export async function verifySealedList(signed, platformKeys, { entries = null, receipt = null } = {}) {
  const keys = await keySet(platformKeys);
  const { payload } = await verifySigned(signed, keys, "tender-sealed-bid-list");
  if (entries) {
    await verifyLog(entries, platformKeys);
    const head = entries.length ? (await verifySigned(entries[entries.length - 1], keys, ENTRY_TYPES)).hash : "0".repeat(64);
    if (payload.count !== entries.length || payload.head !== head) {
      throw new EnvelopeError("receipt", "The log does not match the signed list published at the deadline.");
    }
  }
  if (receipt) {
    const mine = (await verifySigned(receipt, keys, "tender-seal-receipt")).payload;
    if (mine.tender !== payload.tender || !payload.envelopes.includes(mine.envelope_sha256)) {
      throw new EnvelopeError("receipt", "The envelope this receipt names is not in the signed list of sealed bids.");
    }
  }
  return payload;
}
