// The opening ceremony page. A custodian's key file is opened in this browser only: the page fetches
// the envelopes' headers (no secret in them), unwraps this custodian's share of each bid with the
// sealing module's own code, and sends only the shares. Every visitor's page polls the k-of-n status.

const root = document.getElementById("opening-page");
const msg = document.getElementById("opening-messages").dataset;
const result = document.getElementById("unwrap-result");

function say(text, kind = "success") {
  if (!result) return;
  result.className = `notice notice-${kind}`;
  result.textContent = text;
}

async function postJSON(url, body) {
  const token = document.querySelector('meta[name="csrf-token"]');
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token ? token.content : "" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.detail || data.title || String(response.status));
  return data;
}

function showProgress(status) {
  const line = document.getElementById("opening-progress");
  line.textContent = msg.progress.replace("{submitted}", status.submitted).replace("{threshold}", status.threshold)
    .replace("{total}", status.custodians_total);
  root.dataset.submitted = String(status.submitted);
  if (status.state === "in_progress") {
    root.dataset.state = "in_progress";
    document.getElementById("opening-state").textContent = msg.inProgress;
    line.textContent = `${msg.inProgress} (${status.submitted}/${status.threshold})`;
  }
  if (status.state === "opened" && root.dataset.state !== "opened") {
    root.dataset.state = "opened";
    line.textContent = msg.opened;
    window.location.reload();
  }
}

async function poll() {
  try {
    const response = await fetch(root.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok) showProgress(await response.json());
  } catch (e) { /* the next poll tries again */ }
}

async function unwrapAll(event) {
  event.preventDefault();
  const [E, C, P] = await Promise.all([import(root.dataset.envelopeModule), import(root.dataset.custodyModule),
    import(root.dataset.primitivesModule)]);
  const problem = P.secureContextProblem();
  if (problem) return say(msg.insecure, "error");
  try {
    const file = document.getElementById("key-file").files[0];
    if (!file) throw new Error(msg.noFile);
    say(msg.unwrapping, "info");
    const data = await C.parseKeyFile(await file.text());
    const privateKey = await C.unlockKeyFile(data, document.getElementById("key-passphrase").value);
    const listing = await (await fetch(root.dataset.envelopesUrl, { credentials: "same-origin" })).json();
    const shares = {}, failures = {};
    for (const env of listing.envelopes) {
      try {
        if (!env.header) throw new E.EnvelopeError("unreadable", "The envelope could not be read.");
        const header = E.parseHeader(P.unb64(env.header));
        if (header.bidId !== env.bid || header.bidVersion !== env.bid_version || header.tenderId !== listing.tender) {
          throw new E.EnvelopeError("wrong_tender", "The envelope belongs to another bid.");
        }
        shares[env.version_id] = await E.unwrapShare(header, privateKey);
      } catch (e) {
        failures[env.version_id] = e.code || "unwrap_failed";
      }
    }
    const answer = await postJSON(root.dataset.sharesUrl, { shares, failures, via: "browser" });
    say(msg.submitted);
    document.getElementById("unwrap-form").hidden = true;
    showProgress(answer.status);
  } catch (e) {
    say(`${msg.failed} ${e.message}`, "error");
  }
}

async function uploadSharesFile(event) {
  event.preventDefault();
  try {
    const file = document.getElementById("shares-file").files[0];
    if (!file) throw new Error(msg.noFile);
    const data = JSON.parse(await file.text());
    const answer = await postJSON(root.dataset.sharesUrl, { shares: data.shares || {}, failures: data.failures || {}, via: "cli" });
    say(msg.submitted);
    showProgress(answer.status);
  } catch (e) {
    say(`${msg.failed} ${e.message}`, "error");
  }
}

const form = document.getElementById("unwrap-form");
if (form) form.addEventListener("submit", unwrapAll);
const filed = document.getElementById("shares-file-form");
if (filed) filed.addEventListener("submit", uploadSharesFile);
root.dataset.ready = "1";
if (root.dataset.state !== "opened") setInterval(poll, 3000);
