// Byte helpers and the primitives the sealing pages need, on top of WebCrypto only:
// HMAC/HKDF, HPKE base mode (RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM),
// Shamir over GF(2^8) (polynomial 0x11B) and scrypt (RFC 7914). See docs/envelope.md.

export const subtle = globalThis.crypto && globalThis.crypto.subtle;

export function secureContextProblem() {
  if (!globalThis.isSecureContext || !subtle) {
    return "insecure";  // WebCrypto exists only over HTTPS or on localhost
  }
  return null;
}

export const enc = new TextEncoder();
export const ascii = (s) => enc.encode(s);

export function concat(...parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export function u8(v) { return Uint8Array.of(v & 0xff); }
export function u16(v) { return Uint8Array.of((v >>> 8) & 0xff, v & 0xff); }
export function u32(v) { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v); return b; }
export function u64(v) { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(v)); return b; }

export function hex(bytes) { return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""); }
export function unhex(text) {
  if (text.length % 2 || /[^0-9a-f]/i.test(text)) throw new Error("not hexadecimal");
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}
export function b64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
export function unb64(text) { return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)); }
// Canonical base64 of ``length`` bytes, as docs/envelope.md section 2 defines it (encoding.py the
// same); atob alone also takes spaces, missing padding and stray bits. Returns null if it is not.
export function strictUnb64(text, length) {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) return null;
  let raw;
  try { raw = unb64(text); } catch (e) { return null; }
  return b64(raw) === text && (length === undefined || raw.length === length) ? raw : null;
}
export function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export async function sha256(data) { return new Uint8Array(await subtle.digest("SHA-256", data)); }

export async function hmac(key, data) {
  // An empty HMAC key equals 32 zero bytes (keys are zero-padded to the block size).
  const k = await subtle.importKey("raw", key.length ? key : new Uint8Array(32),
    { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", k, data));
}

export async function hkdf(ikm, salt, info, length = 32) {
  const k = await subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, k, length * 8));
}

export async function aesKey(raw, usages = ["encrypt", "decrypt"]) {
  return subtle.importKey("raw", raw, "AES-GCM", false, usages);
}

// HPKE ------------------------------------------------------------------------------------------

const KEM_ID = concat(ascii("KEM"), u16(0x20));
const HPKE_ID = concat(ascii("HPKE"), u16(0x20), u16(1), u16(2));
const V1 = ascii("HPKE-v1");
const PKCS8_X25519 = unhex("302e020100300506032b656e04220420");
const BASEPOINT = (() => { const b = new Uint8Array(32); b[0] = 9; return b; })();

const labeledExtract = (suite, salt, label, ikm) => hmac(salt, concat(V1, suite, ascii(label), ikm));
async function labeledExpand(suite, prk, label, info, length) {
  const t = await hmac(prk, concat(u16(length), V1, suite, ascii(label), info, u8(1)));
  return t.subarray(0, length);  // every length used here is at most 32: one HMAC block
}

export async function importX25519Private(raw) {
  return subtle.importKey("pkcs8", concat(PKCS8_X25519, raw), { name: "X25519" }, true, ["deriveBits"]);
}
export async function importX25519Public(raw) {
  return subtle.importKey("raw", raw, { name: "X25519" }, true, []);
}
async function dh(privateKey, publicRaw) {
  const pub = await importX25519Public(publicRaw);
  return new Uint8Array(await subtle.deriveBits({ name: "X25519", public: pub }, privateKey, 256));
}
export async function x25519PublicOf(privateKey) { return dh(privateKey, BASEPOINT); }

export async function generateX25519() {
  const pair = await subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
  const pkcs8 = new Uint8Array(await subtle.exportKey("pkcs8", pair.privateKey));
  return {
    privateKey: pair.privateKey,
    privateRaw: pkcs8.subarray(pkcs8.length - 32),
    publicRaw: new Uint8Array(await subtle.exportKey("raw", pair.publicKey)),
  };
}

async function keySchedule(sharedSecret, info) {
  const context = concat(u8(0), await labeledExtract(HPKE_ID, new Uint8Array(0), "psk_id_hash", new Uint8Array(0)),
    await labeledExtract(HPKE_ID, new Uint8Array(0), "info_hash", info));
  const secret = await labeledExtract(HPKE_ID, sharedSecret, "secret", new Uint8Array(0));
  return {
    key: await labeledExpand(HPKE_ID, secret, "key", context, 32),
    nonce: await labeledExpand(HPKE_ID, secret, "base_nonce", context, 12),
  };
}

async function sharedSecret(dhValue, encRaw, pkR) {
  const prk = await labeledExtract(KEM_ID, new Uint8Array(0), "eae_prk", dhValue);
  return labeledExpand(KEM_ID, prk, "shared_secret", concat(encRaw, pkR), 32);
}

// Single-shot HPKE Seal with an empty AAD; returns enc || ciphertext. ``ephemeral`` is for tests.
export async function hpkeSeal(pkR, info, plaintext, ephemeral = null) {
  const eph = ephemeral ? { privateKey: await importX25519Private(ephemeral) } : await generateX25519();
  const encRaw = eph.publicRaw || await x25519PublicOf(eph.privateKey);
  const ss = await sharedSecret(await dh(eph.privateKey, pkR), encRaw, pkR);
  const { key, nonce } = await keySchedule(ss, info);
  const ct = await subtle.encrypt({ name: "AES-GCM", iv: nonce }, await aesKey(key), plaintext);
  return concat(encRaw, new Uint8Array(ct));
}

export async function hpkeOpen(privateKey, info, wrapped) {
  const encRaw = wrapped.subarray(0, 32);
  const pkR = await x25519PublicOf(privateKey);
  const ss = await sharedSecret(await dh(privateKey, encRaw), encRaw, pkR);
  const { key, nonce } = await keySchedule(ss, info);
  return new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: nonce }, await aesKey(key), wrapped.subarray(32)));
}

// Shamir over GF(2^8) -----------------------------------------------------------------------------

const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
(() => {
  let v = 1;
  for (let p = 0; p < 255; p++) {
    EXP[p] = v; LOG[v] = p;
    let d = v << 1; if (d & 0x100) d ^= 0x11b;
    v = d ^ v;
  }
  for (let p = 255; p < 510; p++) EXP[p] = EXP[p - 255];
})();
export function gfMul(a, b) { return a && b ? EXP[LOG[a] + LOG[b]] : 0; }
function gfDiv(a, b) { return a ? EXP[(LOG[a] - LOG[b] + 255) % 255] : 0; }

export function shamirSplit(secret, k, n) {
  // k = 1 would make every share equal to the secret: one holder alone could open.
  if (!(Number.isInteger(k) && Number.isInteger(n) && 2 <= k && k <= n && n <= 255)) {
    throw new RangeError("need 2 <= threshold <= count <= 255");
  }
  const coeffs = [];
  for (let i = 0; i < k - 1; i++) coeffs.push(crypto.getRandomValues(new Uint8Array(secret.length)));
  const shares = [];
  for (let x = 1; x <= n; x++) {
    const y = new Uint8Array(secret.length);
    for (let pos = 0; pos < secret.length; pos++) {
      let acc = 0;
      for (let c = coeffs.length - 1; c >= 0; c--) acc = gfMul(acc, x) ^ coeffs[c][pos];
      y[pos] = gfMul(acc, x) ^ secret[pos];
    }
    shares.push({ x, y });
  }
  return shares;
}

export function shamirCombine(shares) {
  const out = new Uint8Array(shares[0].y.length);
  shares.forEach(({ x: xi, y: yi }, i) => {
    let basis = 1;
    shares.forEach(({ x: xj }, j) => { if (i !== j) basis = gfMul(basis, gfDiv(xj, xj ^ xi)); });
    for (let p = 0; p < out.length; p++) out[p] ^= gfMul(yi[p], basis);
  });
  return out;
}

// scrypt (RFC 7914) -------------------------------------------------------------------------------

function salsa208(B, x) {
  x.set(B);
  const R = (a, b) => (a << b) | (a >>> (32 - b));
  for (let i = 0; i < 8; i += 2) {
    x[4] ^= R(x[0] + x[12], 7); x[8] ^= R(x[4] + x[0], 9); x[12] ^= R(x[8] + x[4], 13); x[0] ^= R(x[12] + x[8], 18);
    x[9] ^= R(x[5] + x[1], 7); x[13] ^= R(x[9] + x[5], 9); x[1] ^= R(x[13] + x[9], 13); x[5] ^= R(x[1] + x[13], 18);
    x[14] ^= R(x[10] + x[6], 7); x[2] ^= R(x[14] + x[10], 9); x[6] ^= R(x[2] + x[14], 13); x[10] ^= R(x[6] + x[2], 18);
    x[3] ^= R(x[15] + x[11], 7); x[7] ^= R(x[3] + x[15], 9); x[11] ^= R(x[7] + x[3], 13); x[15] ^= R(x[11] + x[7], 18);
    x[1] ^= R(x[0] + x[3], 7); x[2] ^= R(x[1] + x[0], 9); x[3] ^= R(x[2] + x[1], 13); x[0] ^= R(x[3] + x[2], 18);
    x[6] ^= R(x[5] + x[4], 7); x[7] ^= R(x[6] + x[5], 9); x[4] ^= R(x[7] + x[6], 13); x[5] ^= R(x[4] + x[7], 18);
    x[11] ^= R(x[10] + x[9], 7); x[8] ^= R(x[11] + x[10], 9); x[9] ^= R(x[8] + x[11], 13); x[10] ^= R(x[9] + x[8], 18);
    x[12] ^= R(x[15] + x[14], 7); x[13] ^= R(x[12] + x[15], 9); x[14] ^= R(x[13] + x[12], 13); x[15] ^= R(x[14] + x[13], 18);
  }
  for (let i = 0; i < 16; i++) B[i] = (B[i] + x[i]) | 0;
}

function blockMix(B, Y, r, X, tmp) {
  X.set(B.subarray((2 * r - 1) * 16, 2 * r * 16));
  for (let i = 0; i < 2 * r; i++) {
    for (let j = 0; j < 16; j++) X[j] ^= B[i * 16 + j];
    salsa208(X, tmp);
    Y.set(X, ((i & 1) * r + (i >> 1)) * 16);  // even blocks first, then odd
  }
}

async function pbkdf2(password, salt, length) {
  const k = await subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  return new Uint8Array(await subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 1 }, k, length * 8));
}

export async function scrypt(password, salt, N, r, p, length = 32) {
  const words = 32 * r;
  const B = new Uint32Array((await pbkdf2(password, salt, p * 128 * r)).buffer);  // little-endian words
  const V = new Uint32Array(words * N);
  const X = new Uint32Array(words), Y = new Uint32Array(words), T = new Uint32Array(16), S = new Uint32Array(16);
  for (let block = 0; block < p; block++) {
    X.set(B.subarray(block * words, (block + 1) * words));
    for (let i = 0; i < N; i++) { V.set(X, i * words); blockMix(X, Y, r, T, S); X.set(Y); }
    for (let i = 0; i < N; i++) {
      const j = X[(2 * r - 1) * 16] & (N - 1);
      for (let w = 0; w < words; w++) X[w] ^= V[j * words + w];
      blockMix(X, Y, r, T, S); X.set(Y);
    }
    B.set(X, block * words);
  }
  return pbkdf2(password, new Uint8Array(B.buffer), length);
}
