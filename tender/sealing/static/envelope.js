// Envelopes in the browser: seal (version 2), inspect (header only) and unwrap a custodian's share
// (versions 1 and 2, which share the header and differ in the sealed manifest only).
// Byte layout: docs/envelope.md. Memory stays bounded by streaming each file and keeping the
// encrypted chunks as Blob parts.

import {
  ascii, aesKey, b64, concat, equal, hex, hkdf, hmac, hpkeOpen, hpkeSeal, sha256, shamirSplit, strictUnb64, subtle,
  u16, u32, u64, u8, x25519PublicOf,
} from "./primitives.js";

export const MAGIC = Uint8Array.of(0x54, 0x53, 0x45, 0x41, 0x4c, 0x0d, 0x0a, 0x1a);
export const CHUNK = 65536;
export const VERSION = 2;  // what sealing writes; version 1 envelopes are still read
// Each document's part of the bid, one byte in a version 2 manifest (manifest.py the same).
export const PARTS = { technical: 1, business: 2, qualification: 3 };
const TAG = 16;
const PRICE_PADDED = 65536;
const PRICE_CT = PRICE_PADDED + TAG;
const MAX_CUSTODIANS = 32;
// 9999-12-31T23:59:59Z, the latest deadline (docs/envelope.md 5.1): every reader can show it.
export const MAX_DEADLINE = 253402300799;
// k >= 2: with k = 1 a single custodian could open a bid alone, which the custody design forbids.
export const MIN_THRESHOLD = 2;
const STANZA = 16 + 1 + 16 + 80;
// Preamble, two length bytes, version/deadline/k/n, section count and table, MAC (format.py the same).
const FIXED_HEADER = 14 + 2 + 14 + 1 + 27 + 32;
const headerLength = (tenderLen, bidLen, n) => FIXED_HEADER + tenderLen + bidLen + n * STANZA;
const MIN_HEADER = headerLength(1, 1, MIN_THRESHOLD), MAX_HEADER = headerLength(64, 64, MAX_CUSTODIANS);
const ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
const KDF_SALT = ascii("tender-seal/v1");
const IN_FLIGHT = 256;  // chunks being encrypted at once (16 MiB): bounds memory, keeps WebCrypto busy

export class EnvelopeError extends Error {
  constructor(code, message) { super(message); this.code = code; }
}

// The rule for k of n wherever a threshold is chosen (same sentences as format.check_threshold).
export function checkThreshold(threshold, n) {
  const invalid = (m) => new EnvelopeError("invalid_threshold", m);
  if (!Number.isInteger(threshold)) throw invalid("The threshold must be a whole number.");
  if (!Number.isInteger(n) || n < MIN_THRESHOLD || n > MAX_CUSTODIANS) {
    throw invalid(`An envelope names ${MIN_THRESHOLD} to ${MAX_CUSTODIANS} custodians; the list has ${n}.`);
  }
  if (threshold < MIN_THRESHOLD) {
    throw invalid(`The threshold must be at least ${MIN_THRESHOLD}, so that no single custodian can open a bid alone; ${threshold} was given.`);
  }
  if (threshold > n) throw invalid(`The threshold ${threshold} is more than the ${n} custodians.`);
  return threshold;
}

export async function keyId(publicRaw) {
  return (await sha256(concat(ascii("tender-seal/v1 key-id"), publicRaw))).subarray(0, 16);
}

const short = (s) => { const b = ascii(s); return concat(u8(b.length), b); };

export function bidShareInfo(h, x, kid) {
  return concat(ascii("tender-seal/v1 bid-share"), u8(0), short(h.tenderId), short(h.bidId),
    u32(h.bidVersion), u64(h.deadline), u8(h.threshold), u8(h.stanzas.length), u8(x), kid);
}
export function keyCheckInfo(context, kid) {
  return concat(ascii("tender-seal/v1 key-check"), u8(0), short(context), kid);
}
async function shareCheck(x, y) {
  return (await sha256(concat(ascii("tender-seal/v1 share-check"), u8(x), y))).subarray(0, 16);
}

export function ciphertextLength(plain) { return plain + TAG * Math.max(1, Math.ceil(plain / CHUNK)); }

function checkCiphertextLength(length) {
  const full = Math.floor(length / (CHUNK + TAG)), rest = length % (CHUNK + TAG);
  if (rest === 0 && full > 0) return full * CHUNK;
  if (rest >= TAG && (rest > TAG || full === 0)) return full * CHUNK + rest - TAG;
  throw new EnvelopeError("malformed_envelope", `A section length ${length} cannot come from 64 KiB chunks.`);
}

function encodeBody(h) {
  const parts = [short(h.tenderId), short(h.bidId), u32(h.bidVersion), u64(h.deadline), u8(h.threshold),
    u8(h.stanzas.length)];
  for (const s of h.stanzas) parts.push(s.keyId, u8(s.x), s.check, s.wrapped);
  parts.push(u8(3));
  for (const [type, length] of h.sections) parts.push(u8(type), u64(length));
  const body = concat(...parts);
  return concat(MAGIC, u16(VERSION), u32(14 + body.length + 32), body);
}

// Parse and check a header; ``bytes`` may continue past it. Throws EnvelopeError with a sentence.
export function parseHeader(bytes) {
  const bad = (m) => new EnvelopeError("malformed_envelope", m);
  if (bytes.length < 14) throw bad("The file is too short to be a sealed envelope.");
  if (!equal(bytes.subarray(0, 8), MAGIC)) throw bad("This is not a sealed bid envelope (its first bytes are wrong).");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(8), length = view.getUint32(10);
  if (version !== 1 && version !== 2) throw bad(`This envelope uses format version ${version}; this page reads versions 1 and 2.`);
  if (length < MIN_HEADER || length > MAX_HEADER) {
    throw bad(`The declared header length ${length} is outside the allowed ${MIN_HEADER} to ${MAX_HEADER} bytes `
      + `(identifiers of 1 to 64 bytes, ${MIN_THRESHOLD} to ${MAX_CUSTODIANS} custodians).`);
  }
  if (bytes.length < length) throw bad("The envelope is shorter than its declared header.");
  // Length bytes first: a changed one shifts every later field (see format._check_field_lengths).
  const bidLenAt = 15 + bytes[14], countAt = bidLenAt + 1 + bytes[bidLenAt] + 13;
  if (countAt >= length) throw bad("The header's identifier length bytes point past its end: a length byte was changed.");
  const expected = headerLength(bytes[14], bytes[bidLenAt], bytes[countAt]);
  if (expected !== length) {
    throw bad(`The header's length bytes do not add up: a ${bytes[14]}-byte tender id, a ${bytes[bidLenAt]}-byte bid id `
      + `and ${bytes[countAt]} custodians make a ${expected}-byte header, but it declares ${length} bytes. `
      + "A length byte or the header length was changed.");
  }
  let pos = 14;
  const take = (n, what) => {
    if (pos + n > length) throw bad(`The header ends inside the ${what}.`);
    const out = bytes.subarray(pos, pos + n); pos += n; return out;
  };
  const id = (what) => {
    const raw = take(take(1, what)[0], what);
    const text = String.fromCharCode(...raw);
    if (!ID_RE.test(text)) throw bad(`The ${what} in the header is not a valid identifier.`);
    return text;
  };
  const h = { version, tenderId: id("tender id"), bidId: id("bid id") };
  const fixed = take(14, "bid version and deadline");
  const fv = new DataView(fixed.buffer, fixed.byteOffset, 14);
  h.bidVersion = fv.getUint32(0);
  const deadline = fv.getBigUint64(4);  // compared as a BigInt: a Number loses digits past 2^53
  h.threshold = fixed[12];
  const n = fixed[13];
  if (h.bidVersion < 1) throw bad("The bid version must be at least 1.");
  if (deadline > BigInt(MAX_DEADLINE)) {
    throw bad(`The deadline ${deadline} is later than 9999-12-31T23:59:59Z (${MAX_DEADLINE}).`);
  }
  h.deadline = Number(deadline);
  if (n < MIN_THRESHOLD || n > MAX_CUSTODIANS) {
    throw bad(`The envelope names ${n} custodians; version 1 allows ${MIN_THRESHOLD} to ${MAX_CUSTODIANS}.`);
  }
  if (h.threshold < MIN_THRESHOLD || h.threshold > n) {
    throw bad(`The threshold ${h.threshold} is not between ${MIN_THRESHOLD} and the ${n} custodians.`);
  }
  h.stanzas = [];
  for (let i = 0; i < n; i++) {
    const s = { keyId: take(16, "custodian key id"), x: take(1, "share index")[0] };
    if (s.x !== i + 1) throw bad(`Custodian entry ${i + 1} carries share index ${s.x}.`);
    s.check = take(16, "share check"); s.wrapped = take(80, "wrapped share");
    h.stanzas.push(s);
  }
  if (new Set(h.stanzas.map((s) => hex(s.keyId))).size !== n) throw bad("The same custodian key appears twice.");
  if (take(1, "section count")[0] !== 3) throw bad("The envelope must declare exactly 3 sections.");
  h.sections = [];
  for (const expected of [1, 2, 3]) {
    const e = take(9, "section table");
    if (e[0] !== expected) throw bad(`Section ${e[0]} is out of place.`);
    const size = Number(new DataView(e.buffer, e.byteOffset + 1, 8).getBigUint64(0));
    checkCiphertextLength(size);
    h.sections.push([e[0], size]);
  }
  if (h.sections[0][1] !== PRICE_CT) throw bad("The price sheet section does not have the fixed size.");
  h.mac = take(32, "header MAC");
  h.raw = bytes.slice(0, length);
  h.length = length;
  h.envelopeLength = length + h.sections.reduce((t, [, s]) => t + s, 0);
  return h;
}

export async function inspectBlob(blob) {
  const first = new Uint8Array(await blob.slice(0, 4096).arrayBuffer());
  const h = parseHeader(first);
  return {
    format_version: h.version, tender_id: h.tenderId, bid_id: h.bidId, bid_version: h.bidVersion,
    deadline: new Date(h.deadline * 1000).toISOString().replace(".000Z", "Z"), threshold: h.threshold,
    custodians: h.stanzas.map((s) => ({ key_id: hex(s.keyId), share_index: s.x })),
    header_length: h.length, envelope_length: h.envelopeLength, actual_length: blob.size,
    header_sha256: hex(await sha256(h.raw)),
  };
}

// Encrypts one section chunk by chunk; several chunks are in flight at once (WebCrypto is async).
class SectionWriter {
  constructor(key, aad, plainLength, parts) {
    this.key = key; this.aad = aad; this.remaining = plainLength; this.parts = parts;
    this.buffer = new Uint8Array(CHUNK); this.fill = 0; this.counter = 0; this.pending = [];
  }
  nonce(counter, last) {
    const n = new Uint8Array(12);
    new DataView(n.buffer).setBigUint64(3, BigInt(counter));  // bytes 0..10 = 88-bit counter
    n[11] = last ? 1 : 0;
    return n;
  }
  emit(chunk) {
    this.remaining -= chunk.length;
    const iv = this.nonce(this.counter++, this.remaining === 0);
    this.pending.push(subtle.encrypt({ name: "AES-GCM", iv, additionalData: this.aad }, this.key, chunk));
  }
  async write(data) {
    let at = 0;
    while (at < data.length) {
      if (this.fill === 0 && data.length - at >= CHUNK) { this.emit(data.subarray(at, at + CHUNK)); at += CHUNK; continue; }
      const n = Math.min(CHUNK - this.fill, data.length - at);
      this.buffer.set(data.subarray(at, at + n), this.fill); this.fill += n; at += n;
      if (this.fill === CHUNK) { this.emit(this.buffer.slice()); this.fill = 0; }
    }
    if (this.pending.length >= IN_FLIGHT) await this.drain();
  }
  async drain() {
    for (const ct of await Promise.all(this.pending)) this.parts.push(new Uint8Array(ct));
    this.pending = [];
  }
  async close() {
    if (this.fill || this.counter === 0) this.emit(this.buffer.slice(0, this.fill));
    if (this.remaining !== 0) throw new EnvelopeError("invalid_input", "A section is shorter than declared.");
    await this.drain();
  }
}

// SHA-256 of each 64 KiB piece of one document, counted from the document's first byte.
class PieceHasher {
  constructor() { this.buffer = new Uint8Array(CHUNK); this.fill = 0; this.hashes = []; }
  update(data) {
    let at = 0;
    while (at < data.length) {
      if (this.fill === 0 && data.length - at >= CHUNK) {
        this.hashes.push(subtle.digest("SHA-256", data.subarray(at, at + CHUNK)));  // WebCrypto copies its input
        at += CHUNK;
        continue;
      }
      const n = Math.min(CHUNK - this.fill, data.length - at);
      this.buffer.set(data.subarray(at, at + n), this.fill); this.fill += n; at += n;
      if (this.fill === CHUNK) { this.hashes.push(subtle.digest("SHA-256", this.buffer.slice())); this.fill = 0; }
    }
  }
  async finish() {
    if (this.fill) this.hashes.push(subtle.digest("SHA-256", this.buffer.slice(0, this.fill)));
    return (await Promise.all(this.hashes)).map((d) => new Uint8Array(d));
  }
}

async function sectionKey(fileKey, type) {
  return aesKey(await hkdf(fileKey, KDF_SALT, concat(ascii("section"), u8(type))), ["encrypt"]);
}

// Code points no document name may hold: Cc, Cf, Zl and Zp of Unicode 15.1, listed (as in
// manifest.py) so that every browser refuses the same names whatever its Unicode version.
export const FORBIDDEN_IN_NAMES = [
  [0x0000, 0x001F], [0x007F, 0x009F], [0x00AD, 0x00AD], [0x0600, 0x0605], [0x061C, 0x061C], [0x06DD, 0x06DD],
  [0x070F, 0x070F], [0x0890, 0x0891], [0x08E2, 0x08E2], [0x180E, 0x180E], [0x200B, 0x200F], [0x2028, 0x202E],
  [0x2060, 0x2064], [0x2066, 0x206F], [0xFEFF, 0xFEFF], [0xFFF9, 0xFFFB], [0x110BD, 0x110BD],
  [0x110CD, 0x110CD], [0x13430, 0x1343F], [0x1BCA0, 0x1BCA3], [0x1D173, 0x1D17A], [0xE0001, 0xE0001],
  [0xE0020, 0xE007F],
];
const cp = (c) => `\\u{${c.toString(16)}}`;
const FORBIDDEN = new RegExp(`[${FORBIDDEN_IN_NAMES.map(([a, b]) => `${cp(a)}-${cp(b)}`).join("")}]`, "u");
const MAX_DOCUMENTS = 1000;
const u4 = (c) => c.toString(16).toUpperCase().padStart(4, "0");

function checkName(name) {
  const invalid = (m) => new EnvelopeError("invalid_input", m);
  const raw = ascii(name);
  if (raw.length < 1 || raw.length > 255) throw invalid("A document name must be 1 to 255 bytes of UTF-8.");
  if (name === "." || name === ".." || /[\/\\]/.test(name)) {
    throw invalid(`The document name "${name}" is a path: it holds / or \\, or is . or ..`);
  }
  const found = FORBIDDEN.exec(name);
  if (found) {
    throw invalid(`The document name holds U+${u4(found[0].codePointAt(0))}, a control, format or separator `
      + "character (these can make a name look like another).");
  }
  return raw;
}

// Names with the same key are the same file on a case-insensitive or normalising file system.
const nameKey = (name) => name.normalize("NFC").toUpperCase().toLowerCase();

function checkNames(names) {
  if (names.length > MAX_DOCUMENTS) {
    throw new EnvelopeError("invalid_input", `A bid carries at most ${MAX_DOCUMENTS} documents; this one has ${names.length}.`);
  }
  const seen = new Map();
  for (const name of names) {
    checkName(name);
    const key = nameKey(name);
    if (seen.has(key)) {
      throw new EnvelopeError("invalid_input",
        `The documents "${seen.get(key)}" and "${name}" differ only in letter case or in how an accent is encoded.`);
    }
    seen.set(key, name);
  }
}

// custodians.json (docs/envelope.md 4.1), checked as custodians.parse checks it: the threshold is
// returned as written, for checkThreshold to judge. Resolves to {tenderId, deadline, threshold, custodians}.
const DEADLINE_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|([+-])(\d{2}):(\d{2}))$/;

export function parseDeadline(text) {
  const m = typeof text === "string" && DEADLINE_RE.exec(text);
  const bad = (why) => new EnvelopeError("invalid_input", why);
  if (!m) throw bad("The deadline must be written like 2026-12-01T10:00:00+08:00 (or …Z): whole seconds, with its offset.");
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number);
  const local = Date.UTC(y, mo - 1, d, h, mi, sec);
  const back = new Date(local);
  if (y < 1 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d
      || h > 23 || mi > 59 || sec > 59 || (m[7] !== "Z" && (Number(m[9]) > 23 || Number(m[10]) > 59))) {
    throw bad(`The deadline ${text} is not a real date and time.`);
  }
  const offset = m[7] === "Z" ? 0 : (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const seconds = local / 1000 - offset * 60;
  if (seconds < 0 || seconds > MAX_DEADLINE) throw bad("The deadline must lie between 1970-01-01 and 9999-12-31T23:59:59Z.");
  return seconds;
}

export async function parseCustodianList(text) {
  const bad = (why) => new EnvelopeError("invalid_input", why);
  let data;
  try { data = JSON.parse(text); } catch (e) { throw bad("The custodian list is not UTF-8 JSON."); }
  if (data === null || typeof data !== "object" || Array.isArray(data)) throw bad("The custodian list must be a JSON object.");
  if (typeof data.tender_id !== "string" || !ID_RE.test(data.tender_id)) {
    throw bad("The tender id must be 1 to 64 characters from A-Z, a-z, 0-9 and . _ : -");
  }
  const deadline = parseDeadline(data.deadline);
  const entries = data.custodians;
  if (!Array.isArray(entries) || !entries.every((e) => e !== null && typeof e === "object" && !Array.isArray(e))) {
    throw bad("The custodian list's custodians must be a list of objects.");
  }
  const keys = [];
  for (const [i, e] of entries.entries()) {
    const publicRaw = strictUnb64(e.public_key, 32);
    if (!publicRaw || typeof e.key_id !== "string" || !/^[0-9a-f]{32}$/.test(e.key_id)) {
      throw bad(`Custodian ${i + 1} in the list needs a public_key (32 bytes in base64) and a key_id (32 lowercase hexadecimal digits).`);
    }
    if (hex(await keyId(publicRaw)) !== e.key_id) {
      throw bad(`Custodian ${i + 1} in the list has a key_id that does not belong to its public key.`);
    }
    keys.push(publicRaw);
  }
  return { tenderId: data.tender_id, deadline, threshold: data.threshold, custodians: keys };
}

// Seal a bid. ``custodians``: array of 32-byte public keys; ``documents``: {file, part} with a File (or
// a Blob with a ``name``) and its part of the bid, "technical", "business" or "qualification";
// ``deadline``: seconds since 1970 (UTC). Resolves to {blob, header}.
export async function sealEnvelope({ tenderId, bidId, bidVersion = 1, deadline, custodians, threshold,
  priceSheet, documents = [], onProgress = () => {} }) {
  const invalid = (m) => new EnvelopeError("invalid_input", m);
  if (!ID_RE.test(tenderId) || !ID_RE.test(bidId)) throw invalid("Tender and bid ids use 1-64 of A-Z a-z 0-9 . _ : -");
  if (!Number.isInteger(deadline) || deadline < 0 || deadline > MAX_DEADLINE) {
    throw invalid("The deadline must lie between 1970-01-01 and 9999-12-31T23:59:59Z.");
  }
  const n = custodians.length;
  checkThreshold(threshold, n);
  if (priceSheet.length > PRICE_PADDED - 4) throw invalid("The price sheet is too large.");
  for (const d of documents) {
    if (!d || !(d.file instanceof Blob)) throw invalid("Each document is given as {file, part}.");
    if (!Object.hasOwn(PARTS, d.part)) {
      throw invalid(`Say which part of the bid the document "${d.file.name}" belongs to: technical, business or qualification.`);
    }
  }
  const names = documents.map((d) => d.file.name);
  checkNames(names);
  const nameBytes = names.map(ascii);  // UTF-8, checked above

  const fileKey = crypto.getRandomValues(new Uint8Array(32));
  const h = { tenderId, bidId, bidVersion, deadline, threshold, stanzas: new Array(n) };
  const kids = await Promise.all(custodians.map(keyId));
  if (new Set(kids.map(hex)).size !== n) throw invalid("The same custodian key is listed twice.");
  const shares = shamirSplit(fileKey, threshold, n);
  for (let i = 0; i < n; i++) h.stanzas[i] = { keyId: kids[i], x: i + 1, check: null, wrapped: null };
  for (let i = 0; i < n; i++) {
    const { x, y } = shares[i];
    h.stanzas[i].check = await shareCheck(x, y);
    h.stanzas[i].wrapped = await hpkeSeal(custodians[i], bidShareInfo(h, x, kids[i]), y);
    y.fill(0);
  }
  const docsLength = documents.reduce((t, d) => t + d.file.size, 0);
  const manifestLength = 34 + nameBytes.reduce((t, b) => t + 43 + b.length, 0);  // + u16 len, part, u64 size, digest
  h.sections = [[1, PRICE_CT], [2, ciphertextLength(docsLength)], [3, ciphertextLength(manifestLength)]];
  const body = encodeBody(h);
  const raw = concat(body, await hmac(await hkdf(fileKey, KDF_SALT, ascii("header-mac")), body));
  const header = parseHeader(raw);
  const aad = await sha256(raw);
  const parts = [raw];

  const price = new Uint8Array(PRICE_PADDED);
  price.set(u32(priceSheet.length)); price.set(priceSheet, 4);
  let w = new SectionWriter(await sectionKey(fileKey, 1), aad, PRICE_PADDED, parts);
  await w.write(price); await w.close();

  const salt = crypto.getRandomValues(new Uint8Array(32));
  w = new SectionWriter(await sectionKey(fileKey, 2), aad, docsLength, parts);
  const entries = [];
  let done = 0;
  for (const { file: doc, part } of documents) {
    // Blob.stream() reads several times faster in Chromium than slice().arrayBuffer().
    const hasher = new PieceHasher();
    const reader = doc.stream().getReader();
    let seen = 0;
    for (;;) {
      const { done: finished, value } = await reader.read();
      if (finished) break;
      seen += value.length;
      if (seen > doc.size) throw invalid(`The document "${doc.name}" changed while it was being sealed.`);
      hasher.update(value);
      await w.write(value);
      done += value.length;
      onProgress(done, docsLength);
    }
    if (seen !== doc.size) throw invalid(`The document "${doc.name}" changed while it was being sealed.`);
    const hashes = await hasher.finish();
    entries.push({ name: checkName(doc.name), part: PARTS[part], size: doc.size,
      digest: await sha256(concat(salt, u64(doc.size), ...hashes)) });
  }
  await w.close();
  onProgress(docsLength, docsLength);

  const manifest = concat(salt, u16(entries.length),
    ...entries.flatMap((e) => [u16(e.name.length), e.name, u8(e.part), u64(e.size), e.digest]));
  w = new SectionWriter(await sectionKey(fileKey, 3), aad, manifest.length, parts);
  await w.write(manifest); await w.close();
  fileKey.fill(0);
  return { blob: new Blob(parts, { type: "application/octet-stream" }), header };
}

// A custodian's step at the opening, on their own device: never before the deadline in the header.
export async function unwrapShare(header, privateKey, now = Date.now()) {
  const publicRaw = await x25519PublicOf(privateKey);
  const kid = await keyId(publicRaw);
  const stanza = header.stanzas.find((s) => equal(s.keyId, kid));
  if (!stanza) throw new EnvelopeError("bad_share", "This envelope holds no share for your key.");
  if (now / 1000 < header.deadline) throw new EnvelopeError("too_early", "The bid deadline has not passed.");
  let y;
  try { y = await hpkeOpen(privateKey, bidShareInfo(header, stanza.x, kid), stanza.wrapped); } catch (e) {
    throw new EnvelopeError("bad_share", "This key cannot unwrap the share, or the header was changed.");
  }
  if (!equal(await shareCheck(stanza.x, y), stanza.check)) {
    throw new EnvelopeError("tampered_envelope",
      "The envelope's header was changed: the check value of your share does not match the share, which unwrapped correctly.");
  }
  return hex(concat(u8(stanza.x), y));
}

export async function blobSha256(blob) { return hex(await sha256(new Uint8Array(await blob.arrayBuffer()))); }
export { b64 };
