// Thin: the HTML side panels — the narrated event log (an ARIA live region) and the etcd key list.

const STEP_MARK = ["", "①", "②", "③", "④", "⑤", "⑥"];
const MAX_EVENTS = 60;

function fmtTime(t) {
  const s = Math.max(0, Number(t) || 0);
  const m = Math.floor(s / 60);
  return m ? `${m}분 ${(s % 60).toFixed(0).padStart(2, "0")}초` : `${s.toFixed(1)}초`;
}

export function renderEvents(list, events, { initial = false } = {}) {
  if (!events.length) return;
  if (initial) list.setAttribute("aria-busy", "true");
  for (const ev of events) {
    const li = document.createElement("li");
    li.dataset.step = ev.step ?? "";
    li.dataset.type = ev.type || "Normal";
    const time = document.createElement("span");
    time.className = "ev-time";
    time.textContent = fmtTime(ev.time);
    const step = document.createElement("span");
    step.className = "ev-step";
    step.textContent = ev.step ? STEP_MARK[ev.step] : "·";
    if (ev.step) step.title = `동작 원리 ${ev.step}단계`;
    const body = document.createElement("span");
    body.className = "ev-text";
    body.textContent = `${ev.type === "Warning" ? "⚠ " : ""}${ev.ko || ev.message || ""}`;
    const en = document.createElement("span");
    en.className = "en ev-en";
    en.textContent = ev.en || "";
    const who = document.createElement("span");
    who.className = "ev-who";
    who.textContent = ev.component || "";
    li.append(time, step, who, body, en);
    list.append(li);
  }
  while (list.children.length > MAX_EVENTS) list.firstElementChild.remove();
  const box = list.parentElement;
  if (box) box.scrollTop = box.scrollHeight;
  list.scrollTop = list.scrollHeight;
  if (initial) list.removeAttribute("aria-busy");
}

// A short, readable key: /registry/deployments/default/web → deployments/default/web.
export function shortKey(key) {
  return String(key).replace(/^\/registry\//, "");
}

export function renderEtcd(tbody, model, previous) {
  const before = new Map((previous?.etcd || []).map((e) => [e.key, e.rv]));
  const rows = model.etcd
    .filter((e) => !/^\/registry\/(namespaces|storageclasses|services\/specs\/default\/kubernetes|services\/endpoints\/default\/kubernetes)/.test(e.key) || before.get(e.key) !== e.rv)
    .sort((a, b) => b.rv - a.rv);
  const frag = document.createDocumentFragment();
  for (const e of rows.slice(0, 80)) {
    const tr = document.createElement("tr");
    const changed = previous && before.get(e.key) !== e.rv;
    if (changed) tr.className = "is-fresh";
    const k = document.createElement("td");
    k.className = "mono";
    k.textContent = `${changed ? "● " : ""}${shortKey(e.key)}`;
    if (/^\/registry\/secrets\//.test(e.key)) {
      const v = document.createElement("span");
      v.className = "etcd-value";
      v.textContent = e.encrypted ? " 🔒 k8s:enc:aescbc:v1:…" : ` ${String(e.value || "").slice(0, 60)}`;
      k.append(v);
    }
    const rv = document.createElement("td");
    rv.className = "mono num";
    rv.textContent = String(e.rv);
    tr.append(k, rv);
    frag.append(tr);
  }
  tbody.replaceChildren(frag);
}
