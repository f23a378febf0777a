// The scoring page: keyboard scoring on the grading anchors or in steps, autosave with a queue kept in
// localStorage (it survives a reload and a lost connection), and the blind documents in pdf.js.
const config = JSON.parse(document.getElementById("score-config").textContent);
const texts = JSON.parse(document.getElementById("score-texts").textContent);
const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => String(values[k]));
const storeKey = `evaluation-sheet:${config.panel}:${config.part}:${config.user}`;
const step = Number(config.step);
const state = new Map(); // "A|item" -> {points: string|null, reason: string}
let revision = config.sheet.revision;
let current = config.bids.length ? config.bids[0].code : null;
let inflight = false;
let changedSinceSend = false;
let timer = null;

for (const s of config.sheet.scores) state.set(`${s.bid}|${s.item}`, {points: s.points, reason: s.reason});

const status = document.getElementById("save-state");
function show(kind, text) { status.dataset.state = kind; status.textContent = text; }
function clock(iso) { return new Date(iso).toLocaleTimeString(); }

function entries() {
  return [...state.entries()].map(([key, v]) => {
    const [bid, item] = key.split("|");
    return {bid, item, points: v.points, reason: v.reason || ""};
  });
}
function remember() {
  localStorage.setItem(storeKey, JSON.stringify({base: revision, scores: entries()}));
}
function forget() { localStorage.removeItem(storeKey); }

function csrf() {
  const field = document.querySelector('input[name$="csrf_token"]');
  return field ? field.value : "";
}

async function flush() {
  timer = null;
  if (inflight || !localStorage.getItem(storeKey)) return;
  inflight = true;
  changedSinceSend = false;
  show("saving", texts.saving);
  try {
    const response = await fetch(config.saveUrl, {
      method: "PUT", credentials: "same-origin",
      headers: {"Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf()},
      body: JSON.stringify({revision, scores: entries()}),
    });
    if (response.ok) {
      const saved = await response.json();
      revision = saved.revision;
      if (changedSinceSend) { remember(); schedule(); } else { forget(); }
      show("saved", fmt(texts.saved, {t: clock(saved.saved_at)}));
    } else if (response.status === 409) {
      const problem = await response.json().catch(() => ({}));
      show(problem.type && problem.type.endsWith("stale_revision") ? "stale" : "error",
           problem.type && problem.type.endsWith("stale_revision") ? texts.stale : fmt(texts.error, {m: problem.detail || response.status}));
    } else {
      const problem = await response.json().catch(() => ({}));
      show("error", fmt(texts.error, {m: problem.detail || response.status}));
    }
  } catch (error) {
    show("offline", fmt(texts.offline, {n: state.size}));
    setTimeout(schedule, 3000);
  } finally {
    inflight = false;
  }
}
function schedule() { if (!timer) timer = setTimeout(flush, 300); }
window.addEventListener("online", schedule);

function changed() {
  changedSinceSend = true;
  remember();
  if (!inflight) show("pending", texts.saving);
  schedule();
  updateMissing();
}

// Locking sends what is still waiting first: the server locks the scores it holds, not the ones on screen.
function pending() { return inflight || timer !== null || localStorage.getItem(storeKey) !== null; }
const lockForm = document.querySelector("form.lock");
if (lockForm) {
  lockForm.addEventListener("submit", async (event) => {
    if (!pending()) return;
    event.preventDefault();
    const button = lockForm.querySelector("button[type=submit]");
    button.disabled = true;
    for (let tries = 0; pending() && tries < 50; tries += 1) {
      if (!inflight) { clearTimeout(timer); await flush(); } else { await new Promise((r) => setTimeout(r, 100)); }
      if (status.dataset.state === "stale" || status.dataset.state === "error" || status.dataset.state === "offline") break;
    }
    button.disabled = false;
    if (!pending()) lockForm.submit();
  });
}

// What the device kept from an earlier visit: sent again if it starts from the saved revision.
const kept = JSON.parse(localStorage.getItem(storeKey) || "null");
if (kept && config.editable && kept.base === revision) {
  state.clear();
  for (const s of kept.scores) state.set(`${s.bid}|${s.item}`, {points: s.points, reason: s.reason});
  show("saving", texts.restored);
  schedule();
} else if (kept) {
  forget();
}
if (config.sheet.saved_at && !kept) show("saved", fmt(texts.saved, {t: clock(config.sheet.saved_at)}));

const anchorNames = ["excellent", "good", "fair", "poor", "absent"];
function atEnd(item, points) { return points !== null && (Number(points) === 0 || Number(points) === Number(item.max)); }
function needsReason(item, v) { return v && atEnd(item, v.points) && (v.reason || "").trim().length < config.reasonMin; }
function shown(points) { return points === null || points === undefined ? texts.notScored : points; }
function clean(value) { return String(Number(value.toFixed(2))); }

function updateMissing() {
  const missing = document.getElementById("missing");
  if (!missing) return;
  let n = 0;
  for (const bid of config.bids) for (const item of config.items) {
    const v = state.get(`${bid.code}|${item.key}`);
    if (!v || v.points === null || needsReason(item, v)) n += 1;
  }
  missing.dataset.missing = n;
  missing.textContent = fmt(texts.missing, {n});
}

function renderItems() {
  const list = document.getElementById("item-list");
  list.innerHTML = "";
  for (const item of config.items) {
    const key = `${current}|${item.key}`;
    const li = document.createElement("li");
    li.className = "item";
    const label = document.createElement("div");
    label.className = "item-label";
    label.id = `label-${item.key}`;
    label.innerHTML = `${item.label} <small>${fmt(texts.of, {max: item.max})}</small>`;
    const score = document.createElement("div");
    score.className = "score";
    score.tabIndex = config.editable ? 0 : -1;
    score.setAttribute("role", "spinbutton");
    score.setAttribute("aria-labelledby", label.id);
    score.setAttribute("aria-valuemin", "0");
    score.setAttribute("aria-valuemax", item.max);
    score.dataset.item = item.key;
    const hint = document.createElement("div");
    hint.className = "anchor-hint";
    hint.textContent = item.anchors.map(([name, p], i) => `${i + 1} ${texts[name] || name} ${p}`).join(" · ");
    const reason = document.createElement("textarea");
    reason.className = "reason";
    reason.rows = 1;
    reason.placeholder = texts.reason;
    reason.setAttribute("aria-label", `${item.label}: ${texts.reason}`);
    reason.dataset.item = item.key;
    reason.disabled = !config.editable;
    const paint = () => {
      const v = state.get(key);
      const points = v ? v.points : null;
      score.textContent = shown(points);
      score.dataset.empty = points === null ? "true" : "false";
      if (points !== null) score.setAttribute("aria-valuenow", points); else score.removeAttribute("aria-valuenow");
      reason.value = v ? v.reason || "" : "";
      const missingReason = needsReason(item, v);
      reason.setAttribute("aria-invalid", missingReason ? "true" : "false");
      reason.title = missingReason ? texts.reasonNeeded : "";
    };
    const set = (points) => {
      const v = state.get(key) || {points: null, reason: ""};
      v.points = points;
      state.set(key, v);
      paint();
      changed();
    };
    score.addEventListener("keydown", (event) => {
      if (!config.editable) return;
      const v = state.get(key);
      const now = v && v.points !== null ? Number(v.points) : null;
      const max = Number(item.max);
      if (/^[1-5]$/.test(event.key) && !event.altKey && !event.ctrlKey && !event.metaKey) {
        set(item.anchors[Number(event.key) - 1][1]);
      } else if (event.key === "ArrowUp" || event.key === "ArrowRight") {
        set(clean(Math.min(max, now === null ? 0 : Math.floor(now / step + 1e-9) * step + step)));
      } else if (event.key === "ArrowDown" || event.key === "ArrowLeft") {
        set(clean(Math.max(0, now === null ? max : Math.ceil(now / step - 1e-9) * step - step)));
      } else if (event.key === "Home") {
        set(clean(max));
      } else if (event.key === "End") {
        set("0");
      } else if (event.key === "Delete" || event.key === "Backspace") {
        set(null);
      } else {
        return;
      }
      event.preventDefault();
    });
    reason.addEventListener("input", () => {
      const v = state.get(key) || {points: null, reason: ""};
      v.reason = reason.value;
      state.set(key, v);
      reason.setAttribute("aria-invalid", needsReason(item, v) ? "true" : "false");
      changed();
    });
    paint();
    li.append(label, score, hint, reason);
    list.append(li);
  }
}

function selectBid(code) {
  current = code;
  for (const tab of document.querySelectorAll(".bid-tab")) tab.setAttribute("aria-pressed", tab.dataset.bid === code ? "true" : "false");
  renderItems();
  showDocuments();
}
for (const tab of document.querySelectorAll(".bid-tab")) tab.addEventListener("click", () => selectBid(tab.dataset.bid));
document.addEventListener("keydown", (event) => {
  if (event.target.tagName === "TEXTAREA" || event.target.tagName === "INPUT") return;
  if (event.key !== "[" && event.key !== "]") return;
  const index = config.bids.findIndex((b) => b.code === current);
  const next = config.bids[(index + (event.key === "]" ? 1 : config.bids.length - 1)) % config.bids.length];
  selectBid(next.code);
  const first = document.querySelector(".score");
  if (first) first.focus();
  event.preventDefault();
});

// --- documents (technical part only) ---
let pdfjs = null;
async function loadPdfjs() {
  if (!pdfjs) {
    pdfjs = await import(config.workerUrl.replace("pdf.worker.min.mjs", "pdf.min.mjs"));
    pdfjs.GlobalWorkerOptions.workerSrc = config.workerUrl;
  }
  return pdfjs;
}
async function openDocument(code, n) {
  const pages = document.getElementById("pages");
  pages.innerHTML = "";
  const lib = await loadPdfjs();
  const url = config.documentUrl.replace("CODE", encodeURIComponent(code)).replace("/N.pdf", `/${n}.pdf`);
  const doc = await lib.getDocument({url, cMapUrl: config.cmapUrl, cMapPacked: true, withCredentials: true}).promise;
  const width = pages.clientWidth - 24;
  const observer = new IntersectionObserver((seen) => {
    for (const entry of seen) {
      if (!entry.isIntersecting || entry.target.dataset.drawn) continue;
      entry.target.dataset.drawn = "1";
      doc.getPage(Number(entry.target.dataset.page)).then((page) => {
        const base = page.getViewport({scale: 1});
        const viewport = page.getViewport({scale: width / base.width});
        entry.target.width = viewport.width;
        entry.target.height = viewport.height;
        page.render({canvasContext: entry.target.getContext("2d"), viewport});
      });
    }
  }, {root: pages, rootMargin: "400px"});
  for (let i = 1; i <= doc.numPages; i += 1) {
    const canvas = document.createElement("canvas");
    canvas.dataset.page = i;
    canvas.width = width;
    canvas.height = Math.round(width * 1.414);
    canvas.setAttribute("aria-label", fmt(texts.page, {n: i}));
    pages.append(canvas);
    observer.observe(canvas);
  }
}
function showDocuments() {
  const tabs = document.getElementById("doc-tabs");
  if (!tabs) return;
  tabs.innerHTML = "";
  const bid = config.bids.find((b) => b.code === current);
  if (!bid || !bid.documents) {
    document.getElementById("pages").textContent = texts.noDocs;
    return;
  }
  for (let n = 1; n <= bid.documents; n += 1) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "bid-tab";
    button.textContent = fmt(texts.document, {n});
    button.addEventListener("click", () => {
      for (const b of tabs.children) b.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-pressed", "true");
      openDocument(current, n);
    });
    tabs.append(button);
  }
  tabs.firstChild.setAttribute("aria-pressed", "true");
  openDocument(current, 1).catch(() => {});
}

if (current) selectBid(current);
updateMissing();
