// Wiring of the sealing pages. Keys, passphrases and plaintext never leave this page; the server
// sees public keys, key-check answers and sealed envelopes only.

import { ascii, b64, hex, secureContextProblem } from "./primitives.js";
import { checkThreshold, inspectBlob, parseCustodianList, sealEnvelope, blobSha256 } from "./envelope.js";
import { answerKeyCheck, createKeyFile, parseKeyFile, unlockKeyFile, verifyReceipt } from "./custody.js";

const root = document.getElementById("sealing-page");
const msg = document.getElementById("sealing-messages").dataset;
const result = document.getElementById("result");

function say(text, kind = "success") {
  result.className = `notice notice-${kind}`;
  result.textContent = text;
}
const fail = (e) => say(`${msg.failed} ${e.message}`, "error");

async function postJSON(url, body = {}) {
  const token = document.querySelector('meta[name="csrf-token"]');
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token ? token.content : "" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${msg.serverError} ${data.detail || data.title || response.status}`);
  return data;
}

function download(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  return a.href;
}

const readText = (input) => {
  const file = input.files[0];
  if (!file) throw new Error(msg.noFile);
  return file.text();
};

function disableForms() {
  for (const el of root.querySelectorAll("input, button, select, textarea")) el.disabled = true;
}

async function register(publicKey, privateKey, label, origin) {
  const check = await postJSON(root.dataset.challengeUrl, { public_key: publicKey });
  const answer = await answerKeyCheck(check, privateKey);
  return postJSON(root.dataset.registerUrl, { public_key: publicKey, label, origin, context: check.context, answer });
}

const pages = {
  "custodian-key"() {
    document.getElementById("create-key-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const p1 = document.getElementById("passphrase").value, p2 = document.getElementById("passphrase2").value;
      if (p1 !== p2) return say(msg.mismatch, "error");
      try {
        say(msg.deriving, "info");
        const label = document.getElementById("key-label").value;
        const { file, privateKey } = await createKeyFile(p1, label);
        download(new Blob([JSON.stringify(file, null, 2)], { type: "application/json" }), `custodian-key-${file.key_id.slice(0, 8)}.json`);
        const key = await register(file.public_key, privateKey, label, "browser");
        say(`${msg.registered} (${key.key_id})`);
        root.dataset.registeredKeyId = key.key_id;
      } catch (e) { fail(e); }
    });
    document.getElementById("import-key-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const data = await parseKeyFile(await readText(document.getElementById("import-file")));
        say(msg.deriving, "info");
        const privateKey = await unlockKeyFile(data, document.getElementById("import-passphrase").value);
        const key = await register(data.public_key, privateKey, data.label || "", "cli");
        say(`${msg.registered} (${key.key_id})`);
        root.dataset.registeredKeyId = key.key_id;
      } catch (e) { fail(e); }
    });
  },

  "check-key"() {
    const form = document.getElementById("check-key-form");
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const data = await parseKeyFile(await readText(document.getElementById("check-file")));
        say(msg.deriving, "info");
        const privateKey = await unlockKeyFile(data, document.getElementById("check-passphrase").value);
        const check = await postJSON(root.dataset.checkUrl);
        const answer = await answerKeyCheck(check, privateKey);
        await postJSON(root.dataset.answerUrl, { context: check.context, answer });
        say(msg.checked);
      } catch (e) { fail(e); }
    });
    document.getElementById("download-check").addEventListener("click", async () => {
      try {
        const check = await postJSON(root.dataset.checkUrl);
        root.dataset.pendingContext = check.context;
        download(new Blob([JSON.stringify(check, null, 2)], { type: "application/json" }), "key-check.json");
      } catch (e) { fail(e); }
    });
    document.getElementById("cli-answer-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        if (!root.dataset.pendingContext) throw new Error(msg.noFile);
        const answer = document.getElementById("cli-answer").value.trim();
        await postJSON(root.dataset.answerUrl, { context: root.dataset.pendingContext, answer });
        say(msg.checked);
      } catch (e) { fail(e); }
    });
  },

  seal() {
    const bar = document.getElementById("seal-progress"), text = document.getElementById("seal-progress-text");
    const input = document.getElementById("documents"), list = document.getElementById("document-part-list");
    const template = document.getElementById("document-part-template");
    // One labelled choice of part per chosen file; names go in as text, never as markup.
    input.addEventListener("change", () => {
      list.replaceChildren(...Array.from(input.files, (file, i) => {
        const row = template.content.firstElementChild.cloneNode(true);
        const label = row.querySelector("label"), select = row.querySelector("select");
        label.textContent = file.name;
        label.style.overflowWrap = "anywhere";  // a long name without spaces must not widen a phone's page
        label.htmlFor = select.id = `document-part-${i}`;
        return row;
      }));
      document.getElementById("document-parts").hidden = input.files.length === 0;
    });
    document.getElementById("seal-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const selects = Array.from(list.querySelectorAll("select"));
        const unchosen = selects.find((s) => !s.value);
        if (unchosen) {
          unchosen.focus();
          return say(msg.choosePart, "error");
        }
        const documents = Array.from(input.files, (file, i) => ({ file, part: selects[i].value }));
        const tender = await parseCustodianList(await readText(document.getElementById("custodians-file")));
        try {
          checkThreshold(tender.threshold, tender.custodians.length);
        } catch (e) {
          if (e.code !== "invalid_threshold") throw e;
          return say(msg.badThreshold, "error");
        }
        const price = {
          fee_yuan_per_m2_month: document.getElementById("fee").value.trim(),
          fee_model: document.getElementById("fee-model").value,
          notes: document.getElementById("price-notes").value,
        };
        say(msg.sealing, "info");
        const started = performance.now();
        const { blob, header } = await sealEnvelope({
          tenderId: tender.tenderId, bidId: document.getElementById("bid-id").value.trim(),
          bidVersion: Number(document.getElementById("bid-version").value),
          deadline: tender.deadline, threshold: tender.threshold, custodians: tender.custodians,
          priceSheet: ascii(JSON.stringify(price)), documents,
          onProgress: (done, total) => {
            const pct = total ? Math.floor((100 * done) / total) : 100;
            bar.value = pct; text.textContent = `${pct}%`;
          },
        });
        root.dataset.sealSeconds = ((performance.now() - started) / 1000).toFixed(3);
        const digest = await blobSha256(blob);
        const link = document.getElementById("envelope-download");
        link.href = URL.createObjectURL(blob);
        link.download = `${header.tenderId}-${header.bidId}-v${header.bidVersion}.tseal`;
        link.hidden = false;
        root.dataset.envelopeSha256 = digest;
        say(`${msg.sealed} SHA-256: ${digest}`);
      } catch (e) { fail(e); }
    });
  },

  inspect() {
    document.getElementById("inspect-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const file = document.getElementById("envelope-file").files[0];
        if (!file) throw new Error(msg.noFile);
        const info = await inspectBlob(file);
        document.getElementById("inspect-output").textContent = JSON.stringify(info, null, 2);
        say(`${info.tender_id} · ${info.bid_id} · v${info.bid_version}`);
      } catch (e) { fail(e); }
    });
  },

  receipt() {
    document.getElementById("receipt-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const receipt = JSON.parse(await readText(document.getElementById("receipt-file")));
        const keyDoc = await (await fetch(root.dataset.keyUrl)).json();
        const envelope = document.getElementById("receipt-envelope").files[0];
        const payload = await verifyReceipt(receipt, keyDoc, envelope ? await blobSha256(envelope) : null);
        document.getElementById("receipt-output").textContent = JSON.stringify(payload, null, 2);
        say(envelope ? `${msg.verified} ${msg.envelopeMatches}` : msg.verified);
      } catch (e) { fail(e); }
    });
  },
};

const problem = secureContextProblem();
if (problem) {
  const box = document.getElementById("insecure-context");
  box.textContent = msg.insecure;
  box.hidden = false;
  disableForms();
} else {
  pages[root.dataset.page]();
  root.dataset.ready = "1";
}
export { b64, hex };
