// Thin: the HTML side panels — the narrated event log (an ARIA live region) and the etcd key list.

import { english, t } from "../i18n.js";

const STEP_MARK = ["", "①", "②", "③", "④", "⑤", "⑥"];
const MAX_EVENTS = 60;

function fmtTime(seconds) {
  const s = Math.max(0, Number(seconds) || 0);
  const m = Math.floor(s / 60);
  return m ? t("{m}분 {s}초", { m, s: (s % 60).toFixed(0).padStart(2, "0") }) : t("{s}초", { s: s.toFixed(1) });
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
    if (ev.step) step.title = t("동작 원리 {n}단계", { n: ev.step });
    const body = document.createElement("span");
    body.className = "ev-text";
    // The engine narrates each event in both languages; an English page shows the English only.
    const said = english ? ev.en || ev.message || ev.ko || "" : ev.ko || ev.message || "";
    body.textContent = `${ev.type === "Warning" ? "⚠ " : ""}${said}`;
    const en = document.createElement("span");
    en.className = "en ev-en";
    en.textContent = english ? "" : ev.en || "";
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
    .filter((e) => !/^\/registry\/(namespaces|storageclasses|services\/specs\/default\/kubernetes|services\/endpoints\/default\/kubernetes|[a-z]+\/kube-system\/)/.test(e.key) || before.get(e.key) !== e.rv)
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
