// The firm's bid page: the price sheet is filled in and checked here, sealed with the documents in
// this browser with the tender's custodian keys, and sent through the resumable upload protocol
// (docs/uploads.md). The platform only ever receives the sealed envelope.

const root = document.getElementById("bid-page");
const msg = document.getElementById("bid-messages").dataset;
const json = (id) => { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; };
const params = json("bid-parameters");
const platformKeys = json("platform-keys");
const result = document.getElementById("bid-result");

const [envelope, custody, primitives] = await Promise.all([
  import(root.dataset.envelopeJs), import(root.dataset.custodyJs), import(root.dataset.primitivesJs),
]);

const PART_BYTES = 4 * 1024 * 1024;

function say(text, kind = "success") {
  result.className = `notice notice-${kind}`;
  result.textContent = text;
}

// A random identifier this browser keeps for the platform's fingerprint checks between bids.
export function deviceId() {
  let id = localStorage.getItem("tender-device-id");
  if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
    id = primitives.b64(crypto.getRandomValues(new Uint8Array(24))).replace(/\+/g, "-").replace(/\//g, "_");
    localStorage.setItem("tender-device-id", id);
  }
  return id;
}

// --- the price sheet -------------------------------------------------------------------------------

const yuanToFen = (text) => {
  const t = String(text || "").trim();
  return /^\d{1,9}(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : NaN;
};
const percentToBp = (text) => {
  const t = String(text || "").trim();
  return /^\d{1,3}(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : NaN;
};
const value = (path) => { const el = root.querySelector(`[data-path="${path}"]`); return el ? el.value.trim() : ""; };

function rows(containerId) {
  return [...document.getElementById(containerId).querySelectorAll("[data-row]")];
}

function renumber(containerId, prefix) {
  rows(containerId).forEach((row, i) => {
    for (const input of row.querySelectorAll("[data-member]")) {
      input.dataset.path = `${prefix}[${i}].${input.dataset.member}`;
      input.id = `${prefix}-${i}-${input.dataset.member}`;
      const label = row.querySelector(`label[data-for="${input.dataset.member}"]`);
      if (label) label.htmlFor = input.id;
    }
  });
}

function addRow(containerId, templateId, prefix) {
  const row = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
  row.querySelector("[data-remove]").addEventListener("click", () => { row.remove(); renumber(containerId, prefix); totals(); });
  for (const input of row.querySelectorAll("input")) input.addEventListener("input", totals);
  document.getElementById(containerId).append(row);
  renumber(containerId, prefix);
  return row;
}

export function readSheet() {
  const rules = params.price_sheet;
  const fees = rules.areas.map((a, i) => ({ property_type: a.property_type, fee_fen_per_m2_month: yuanToFen(value(`fees[${i}].fee_fen_per_m2_month`)) }));
  const staffing = rows("staffing-rows").map((_, i) => ({
    post: value(`staffing[${i}].post`), headcount: Number.parseInt(value(`staffing[${i}].headcount`), 10),
    monthly_cost_fen: yuanToFen(value(`staffing[${i}].monthly_cost_fen`)),
  }));
  const people = rows("people-rows").map((_, i) => Object.fromEntries(
    ["name", "post", "certificate_no", "id_number", "phone"].map((m) => [m, value(`key_people[${i}].${m}`)])));
  people.forEach((p) => { p.id_number = p.id_number.toUpperCase(); });
  let rate = null, fixed = null;
  if (rules.fee_model === "commission") {
    const kind = root.querySelector('input[name="commission-kind"]:checked');
    if (kind && kind.value === "rate") rate = percentToBp(value("commission_rate_bp"));
    if (kind && kind.value === "fixed") fixed = yuanToFen(value("commission_fixed_fen"));
  }
  const annual = fees.every((f) => Number.isInteger(f.fee_fen_per_m2_month))
    ? fees.reduce((t, f, i) => t + f.fee_fen_per_m2_month * rules.areas[i].floor_area_m2, 0) * 12 : NaN;
  const labour = staffing.every((s) => Number.isInteger(s.monthly_cost_fen))
    ? staffing.reduce((t, s) => t + s.monthly_cost_fen, 0) : NaN;
  return {
    schema_version: rules.schema_version, fee_model: rules.fee_model, fees,
    commission_rate_bp: rate, commission_fixed_fen: fixed, annual_total_fen: annual, labour_cost_monthly_fen: labour,
    staffing,
    project_manager: { name: value("project_manager.name"), certificate_no: value("project_manager.certificate_no"), phone: value("project_manager.phone") },
    contact: { name: value("contact.name"), phone: value("contact.phone") },
    key_people: people,
  };
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function idNumberOk(text) {
  if (!/^[0-9]{17}[0-9X]$/.test(text)) return false;
  const total = ID_WEIGHTS.reduce((t, w, i) => t + Number(text[i]) * w, 0);
  return "10X98765432"[total % 11] === text[17];
}

// The same rules as tender/bidding/price_sheet.py validate_price_sheet, from the rules it publishes.
export function validateSheet(rules, sheet) {
  const errors = {};
  const fail = (path, text) => { if (!(path in errors)) errors[path] = text; };
  const whole = (v, low, high) => Number.isInteger(v) && v >= low && v <= high;
  sheet.fees.forEach((f, i) => {
    if (!whole(f.fee_fen_per_m2_month, 1, rules.max_fee_fen)) fail(`fees[${i}].fee_fen_per_m2_month`, msg.fee);
  });
  if (rules.fee_model === "commission") {
    if ((sheet.commission_rate_bp === null) === (sheet.commission_fixed_fen === null)) fail("commission", msg.commission);
    else if (sheet.commission_rate_bp !== null && !whole(sheet.commission_rate_bp, 1, rules.max_commission_bp)) fail("commission_rate_bp", msg.rate);
    else if (sheet.commission_fixed_fen !== null && !whole(sheet.commission_fixed_fen, 1, rules.max_amount_fen)) fail("commission_fixed_fen", msg.amount);
  }
  if (!sheet.staffing.length) fail("staffing", msg.posts);
  if (sheet.staffing.length > rules.max_posts) fail("staffing", msg.posts);
  const text = (path, v, optional = false) => {
    if (optional && !v) return;
    if (!v || v.length > rules.text_max) fail(path, msg.required);
  };
  sheet.staffing.forEach((s, i) => {
    text(`staffing[${i}].post`, s.post);
    if (!whole(s.headcount, 1, rules.max_headcount)) fail(`staffing[${i}].headcount`, msg.headcount);
    if (!whole(s.monthly_cost_fen, 0, rules.max_amount_fen)) fail(`staffing[${i}].monthly_cost_fen`, msg.amount);
  });
  const phone = new RegExp(rules.phone);
  const person = (prefix, p, members, optional = []) => {
    for (const m of members) {
      text(`${prefix}.${m}`, p[m], optional.includes(m));
      if (m === "phone" && p[m] && !phone.test(p[m])) fail(`${prefix}.phone`, msg.phone);
      if (m === "id_number" && p[m] && !idNumberOk(p[m])) fail(`${prefix}.id_number`, msg.idNumber);
    }
  };
  person("project_manager", sheet.project_manager, ["name", "certificate_no", "phone"]);
  person("contact", sheet.contact, ["name", "phone"]);
  if (sheet.key_people.length > rules.max_key_people) fail("key_people", msg.required);
  sheet.key_people.forEach((p, i) => person(`key_people[${i}]`, p, ["name", "post", "certificate_no", "id_number", "phone"], ["certificate_no"]));
  return errors;
}

function sortedJSON(v) {
  if (Array.isArray(v)) return `[${v.map(sortedJSON).join(",")}]`;
  if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sortedJSON(v[k])}`).join(",")}}`;
  return JSON.stringify(v);
}

const yuan = (fen) => (Number.isFinite(fen) ? (fen / 100).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : "—");

function totals() {
  if (!params) return;
  const sheet = readSheet();
  document.getElementById("annual-total").textContent = yuan(sheet.annual_total_fen);
  document.getElementById("labour-total").textContent = yuan(sheet.labour_cost_monthly_fen);
}

function showErrors(errors) {
  const box = document.getElementById("bid-errors"), list = box.querySelector("ul");
  list.replaceChildren();
  for (const el of root.querySelectorAll(".field-error")) el.classList.remove("field-error");
  for (const el of root.querySelectorAll(".error-message[data-generated]")) el.remove();
  const entries = Object.entries(errors);
  box.hidden = entries.length === 0;
  for (const [path, text] of entries) {
    const input = root.querySelector(`[data-path="${path}"]`) || document.getElementById(`path-${path.replace(/[^a-z_]/g, "-")}`);
    const li = document.createElement("li"), a = document.createElement("a");
    a.textContent = text;
    if (input) {
      a.href = `#${input.id}`;
      const wrap = input.closest(".field") || input.parentElement;
      wrap.classList.add("field-error");
      const p = document.createElement("p");
      p.className = "error-message"; p.dataset.generated = "1"; p.textContent = text;
      input.before(p);
    }
    li.append(a); list.append(li);
  }
  if (entries.length) box.focus();
}

// --- documents -------------------------------------------------------------------------------------

function documentsChosen() {
  const input = document.getElementById("documents"), list = document.getElementById("document-part-list");
  list.replaceChildren();
  const template = document.getElementById("document-part-template");
  [...input.files].forEach((file, i) => {
    const row = template.content.firstElementChild.cloneNode(true);
    const select = row.querySelector("select"), label = row.querySelector("label");
    select.id = `document-part-${i}`; label.htmlFor = select.id; label.textContent = file.name;
    list.append(row);
  });
  document.getElementById("document-parts").hidden = input.files.length === 0;
}

function documents() {
  const files = [...document.getElementById("documents").files];
  return files.map((file, i) => ({ file, part: document.getElementById(`document-part-${i}`).value }));
}

// --- the resumable upload --------------------------------------------------------------------------

async function problem(response) {
  const data = await response.json().catch(() => ({}));
  const error = new Error(`${msg.refused} ${data.detail || data.title || response.status}`);
  error.type = data.type || ""; error.status = response.status;
  return error;
}

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

export async function uploadEnvelope(blob, target, onProgress = () => {}) {
  const headers = { Accept: "application/json", "X-CSRFToken": root.dataset.csrf, "X-Device-Id": deviceId(), "Tus-Resumable": "1.0.0" };
  const created = await fetch(root.dataset.uploadsUrl, {
    method: "POST", credentials: "same-origin",
    headers: { ...headers, "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    body: JSON.stringify({ purpose: target.purpose, target: target.target, length: blob.size }),
  });
  if (!created.ok) throw await problem(created);
  const upload = await created.json();
  const url = `${root.dataset.uploadsUrl}/${upload.id}`;
  const heldOffset = async () => {
    const r = await fetch(url, { method: "HEAD", credentials: "same-origin", headers });
    if (!r.ok) throw await problem(r);
    return Number(r.headers.get("Upload-Offset"));
  };
  let offset = 0, failures = 0;
  for (;;) {
    let response;
    try {
      response = await fetch(url, {
        method: "PATCH", credentials: "same-origin",
        headers: { ...headers, "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset) },
        body: blob.slice(offset, Math.min(offset + PART_BYTES, blob.size)),
      });
    } catch (e) {  // a broken connection: ask what arrived and go on from there
      failures += 1;
      if (failures > 8) throw e;
      say(msg.resuming, "info");
      await sleep(500 * failures);
      offset = await heldOffset().catch(() => offset);
      continue;
    }
    if (response.status === 204) {
      offset = Number(response.headers.get("Upload-Offset")); failures = 0;
      onProgress(offset, blob.size);
      continue;
    }
    if (response.status === 200) { onProgress(blob.size, blob.size); return (await response.json()).result; }
    const error = await problem(response);
    if (error.type.endsWith("offset_mismatch")) { offset = await heldOffset(); continue; }
    if (response.status >= 500 && failures < 8) { failures += 1; await sleep(500 * failures); offset = await heldOffset(); continue; }
    throw error;
  }
}

// --- sealing and sending ---------------------------------------------------------------------------

async function sealAndSend(event) {
  event.preventDefault();
  const problemText = primitives.secureContextProblem && primitives.secureContextProblem();
  if (problemText) return say(msg.insecure, "error");
  const sheet = readSheet();
  const errors = validateSheet(params.price_sheet, sheet);
  const docs = documents();
  if (docs.some((d) => !d.part)) errors.documents = msg.choosePart;
  showErrors(errors);
  if (Object.keys(errors).length) return say(msg.fix, "error");
  const button = event.submitter || document.getElementById("seal-send");
  button.disabled = true;
  const bar = document.getElementById("bid-progress"), text = document.getElementById("bid-progress-text");
  const progress = (stage, done, total) => {
    const pct = total ? Math.floor((100 * done) / total) : 100;
    bar.value = pct; text.textContent = `${stage} ${pct}%`;
  };
  try {
    say(msg.sealing, "info");
    const list = await envelope.parseCustodianList(JSON.stringify(params.custodians));
    const { blob } = await envelope.sealEnvelope({
      tenderId: params.tender_id, bidId: params.bid_id, bidVersion: params.bid_version, deadline: params.deadline,
      custodians: list.custodians, threshold: list.threshold, priceSheet: primitives.ascii(sortedJSON(sheet)),
      documents: docs, onProgress: (d, t) => progress(msg.sealingStage, d, t),
    });
    if (blob.size > params.upload.max_bytes) throw new Error(msg.tooLarge);
    say(msg.sending, "info");
    const answer = await uploadEnvelope(blob, params.upload, (d, t) => progress(msg.sendingStage, d, t));
    const payload = await custody.verifyReceipt(answer.receipt, platformKeys, await envelope.blobSha256(blob));
    const link = document.getElementById("envelope-download");
    link.href = URL.createObjectURL(blob); link.download = `${params.bid_id}-v${params.bid_version}.tseal`; link.hidden = false;
    const receiptLink = document.getElementById("receipt-download");
    receiptLink.href = URL.createObjectURL(new Blob([JSON.stringify(answer.receipt, null, 2)], { type: "application/json" }));
    receiptLink.download = `${params.bid_id}-v${params.bid_version}-receipt.json`; receiptLink.hidden = false;
    say(`${msg.sent} ${payload.envelope_sha256}`, "success");
    root.dataset.sent = payload.envelope_sha256;
  } catch (e) {
    say(`${msg.failed} ${e.message}`, "error");
    button.disabled = false;
  }
}

// --- receipts --------------------------------------------------------------------------------------

async function verifyReceipts() {
  const entries = json("bid-receipts") || [];
  const out = document.getElementById("receipts-result");
  try {
    for (const r of entries) {
      const payload = await custody.verifyEntry(r.signed, platformKeys);
      if (payload.envelope_sha256 !== r.envelope_sha256) throw new Error(msg.mismatch);
    }
    let text = `${msg.receiptsOk} (${entries.length})`;
    if (root.dataset.listUrl) {
      const list = await (await fetch(root.dataset.listUrl, { credentials: "same-origin" })).json();
      if (list.published) {
        await custody.verifyLog(list.log, platformKeys, { checkpoint: list.checkpoint, receipts: entries.map((r) => r.signed) });
        const current = entries.filter((r) => r.kind === "receipt").pop();
        const withdrawn = entries.some((r) => r.kind === "withdrawal" && r.version === current.version);
        if (!withdrawn) await custody.verifySealedList(list.list, platformKeys, { entries: list.log, receipt: current.signed });
        text += ` ${withdrawn ? msg.inLogWithdrawn : msg.inList}`;
      }
    }
    out.className = "notice notice-success"; out.textContent = text;
  } catch (e) {
    out.className = "notice notice-error"; out.textContent = `${msg.failed} ${e.message}`;
  }
}

// --- wiring ----------------------------------------------------------------------------------------

const form = document.getElementById("bid-form");
if (form && params) {
  form.addEventListener("submit", sealAndSend);
  form.addEventListener("input", totals);
  document.getElementById("documents").addEventListener("change", documentsChosen);
  document.getElementById("add-post").addEventListener("click", () => { addRow("staffing-rows", "post-template", "staffing"); });
  document.getElementById("add-person").addEventListener("click", () => { addRow("people-rows", "person-template", "key_people"); });
  for (const radio of root.querySelectorAll('input[name="commission-kind"]')) radio.addEventListener("change", totals);
  addRow("staffing-rows", "post-template", "staffing");
  totals();
}
const verifyButton = document.getElementById("verify-receipts");
if (verifyButton) verifyButton.addEventListener("click", verifyReceipts);
root.dataset.ready = "1";
