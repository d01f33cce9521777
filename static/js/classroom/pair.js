// The pair panel: partners co-edit one shared answer to the prompts of their class's lesson (rendered by
// templates/classroom/student.html from course.classroom.discussion: at most one picker, "choose K of the
// lesson's M things", in #pair-features, and a textarea per other prompt, `data-field` naming its root in
// the document) as a Yjs document, merged on the server by pycrdt (course/classroom/pair_doc.py). Two partners
// typing in the same field at once both keep every character; nothing typed is lost on a reload, a closed
// tab or a dropped connection.
//
// - Every local change is a Yjs update, kept in localStorage until the server acknowledges it (`pair.ack`,
//   sent once it is stored), then removed. Unacknowledged updates are sent again after every (re)connect;
//   CRDT updates are idempotent, so a repeat changes nothing.
// - After every `hello` the page exchanges state vectors (`pair.sync`): the server sends what this page
//   lacks, the page sends what the server lacks (edits made offline, or in a tab that was closed).
// - A Korean IME composes a syllable in the textarea (ㅋ → 쿠 → 쿨). Setting the textarea's value then would
//   break the composition, and sending the half-built syllable would put jamo on the projector. So while a
//   textarea is composing, the local text is sent only when the composition ends, and remote updates wait;
//   they are applied (merged) right after.
// - "저장됨" is shown only when nothing of this page is waiting for the server's acknowledgement.

import * as Y from "../../vendor/yjs/yjs.js";
import { t } from "../i18n.js";

const REMOTE = "remote"; // origin of updates that came from the server (never re-sent)
const STORED = "stored"; // origin of updates read back from localStorage (already kept there)
const SEND_DELAY_MS = 150; // batches a burst of keystrokes into one frame
const COMPACT_AT = 40; // pending entries merged into one beyond this
const ACK_TIMEOUT_MS = 10000;

const box = document.getElementById("pair-box");
const none = document.getElementById("pair-none");
const featureBox = document.getElementById("pair-features"); // null: the lesson's discussion has no picker
const PICK = Number(featureBox?.dataset.pick || 0);
const areas = [...box.querySelectorAll("textarea[data-field]")];
const syncLine = document.getElementById("pair-sync");
const noticeLine = document.getElementById("pair-notice");
const statusLine = document.getElementById("socket-status");

let socket = null;
let me = null; // {class, id}
let pairId = null;
let doc = null;
let synced = false;
let socketOpen = false;
let composing = null; // the textarea with an IME composition in progress
let deferred = []; // remote updates waiting for the composition to end
let inflight = null; // {id, keys}: the pair.update frame awaiting its ack
let seq = Math.floor(Math.random() * 1e6);
let sendTimer = null;
let staleStreak = 0; // pair_stale answers in a row (resync, then give up on those updates)
let memoryPending = null; // used when localStorage is unavailable (private mode, quota)
let holdUntil = 0; // Date.now() before which nothing is sent: the server said `too_fast` with retry_after
let fastNotice = null; // the too_fast message shown under the answer, cleared once the edits are saved

// base64 <-> bytes ------------------------------------------------------------------------------------
function toB64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromB64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

// Pending updates, in localStorage until acknowledged ---------------------------------------------------
function storageKey() {
  return `orchestra-lab:pair:${me.class}:${me.id}:${pairId}`;
}

function readPending() {
  if (memoryPending) return memoryPending;
  try { return JSON.parse(localStorage.getItem(storageKey()) || "[]"); } catch { return []; }
}

function writePending(entries) {
  if (memoryPending) { memoryPending = entries; return; }
  try {
    if (entries.length) localStorage.setItem(storageKey(), JSON.stringify(entries));
    else localStorage.removeItem(storageKey());
  } catch {
    memoryPending = entries; // still kept for this page's life
  }
}

function addPending(update) {
  let entries = readPending();
  entries.push({ k: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, u: toB64(update) });
  if (entries.length > COMPACT_AT) {
    // Another tab may be sending some of these: its ack then removes nothing and the merged entry is sent
    // again, which changes nothing on the server.
    const merged = Y.mergeUpdates(entries.map((e) => fromB64(e.u)));
    entries = [{ k: `m-${Date.now().toString(36)}`, u: toB64(merged) }];
  }
  writePending(entries);
}

function dropPending(keys) {
  const gone = new Set(keys);
  writePending(readPending().filter((e) => !gone.has(e.k)));
}

// Status ----------------------------------------------------------------------------------------------
function showSaveState() {
  if (!doc) return;
  let state = "saved";
  if (!synced) state = "loading";
  else if (inflight || readPending().length) state = socketOpen ? "saving" : "offline";
  syncLine.dataset.state = state;
  syncLine.textContent = {
    loading: t("불러오는 중…"),
    saving: t("저장 중…"),
    offline: t("연결되면 저장됩니다"),
    saved: t("저장됨"),
  }[state];
}

function showNotice(text) {
  noticeLine.hidden = !text;
  noticeLine.textContent = text || "";
}

// Sending ---------------------------------------------------------------------------------------------
function scheduleSend() {
  showSaveState();
  clearTimeout(sendTimer);
  sendTimer = setTimeout(sendPending, SEND_DELAY_MS);
}

function sendPending() {
  if (!doc || !synced || inflight || !socketOpen) { showSaveState(); return; }
  // Over the budget: edits made meanwhile wait for the resend timer (pairError), so they go merged in one frame.
  if (Date.now() < holdUntil) { showSaveState(); return; }
  const entries = readPending();
  if (!entries.length) { showSaveState(); return; }
  const update = entries.length === 1 ? fromB64(entries[0].u) : Y.mergeUpdates(entries.map((e) => fromB64(e.u)));
  seq += 1;
  inflight = { id: seq, keys: entries.map((e) => e.k) };
  socket.send("pair.update", { pair: pairId, update: toB64(update), id: seq }, { queue: false });
  // No ack (a server error, a frame lost with a half-dead connection): send again; a repeat changes nothing.
  const id = seq;
  setTimeout(() => { if (inflight?.id === id) { inflight = null; sendPending(); } }, ACK_TIMEOUT_MS);
  showSaveState();
}

function requestSync() {
  if (!doc || !socketOpen) return;
  socket.send("pair.sync", { pair: pairId, state_vector: toB64(Y.encodeStateVector(doc)) }, { queue: false });
}

// The document ------------------------------------------------------------------------------------------
function picks() {
  const chosen = [];
  for (const key of doc.getArray("features").toArray()) {
    if (typeof key === "string" && !chosen.includes(key)) chosen.push(key);
  }
  return chosen.slice(0, PICK);
}

function openDoc(id) {
  if (doc) doc.destroy();
  pairId = id;
  doc = new Y.Doc();
  synced = false;
  inflight = null;
  deferred = [];
  memoryPending = null;
  doc.on("update", (update, origin) => {
    if (origin === REMOTE || origin === STORED) return;
    addPending(update);
    scheduleSend();
  });
  // Edits this browser made earlier and the server never acknowledged (reload, closed tab, offline).
  for (const entry of readPending()) {
    try { Y.applyUpdate(doc, fromB64(entry.u), STORED); } catch { /* a damaged entry: the server has the rest */ }
  }
  areas.forEach((area) => { area.readOnly = true; });
  showSaveState();
}

function render() {
  if (featureBox) {
    const chosen = picks();
    featureBox.querySelectorAll("input").forEach((input) => {
      input.checked = chosen.includes(input.value);
      input.disabled = !synced || (!input.checked && chosen.length >= PICK);
    });
    document.getElementById("features-count").textContent = `${chosen.length}/${PICK}`;
  }
  for (const area of areas) {
    if (area === composing) continue;
    const value = doc.getText(area.dataset.field).toString();
    if (area.value !== value) area.value = value;
  }
}

// Apply server updates, keeping the caret where it was relative to the text around it: stuck to the
// character on its left (assoc -1), so a partner typing at the same spot doesn't carry this caret along
// and each partner's sentence stays in one piece.
function applyRemote(update) {
  if (composing) { deferred.push(update); return; }
  const focused = areas.includes(document.activeElement) ? document.activeElement : null;
  let marks = null;
  if (focused) {
    const text = doc.getText(focused.dataset.field);
    marks = [focused.selectionStart, focused.selectionEnd].map((i) => Y.createRelativePositionFromTypeIndex(text, i, -1));
  }
  Y.applyUpdate(doc, update, REMOTE);
  render();
  if (focused && marks) {
    const [start, end] = marks.map((m) => Y.createAbsolutePositionFromRelativePosition(m, doc)?.index ?? 0);
    focused.setSelectionRange(start, end);
  }
}

function drainDeferred() {
  const waiting = deferred;
  deferred = [];
  waiting.forEach(applyRemote);
  render();
}

// Turn what the textarea now shows into Yjs operations: one replaced range, placed with the caret's help
// (typing "a" into "aa" could be at any of three places; the caret says which).
function commitLocal(area) {
  if (!doc || !synced) return;
  const text = doc.getText(area.dataset.field);
  const before = text.toString();
  const after = area.value;
  if (before === after) return;
  const caret = area.selectionEnd ?? after.length;
  let start = 0;
  const maxStart = Math.min(before.length, after.length, caret);
  while (start < maxStart && before[start] === after[start]) start++;
  let tail = 0;
  const maxTail = Math.min(before.length - start, after.length - Math.max(start, caret));
  while (tail < maxTail && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const removed = before.length - start - tail;
  const inserted = after.slice(start, after.length - tail);
  doc.transact(() => {
    if (removed > 0) text.delete(start, removed);
    if (inserted) text.insert(start, inserted);
  });
}

areas.forEach((area) => {
  area.addEventListener("compositionstart", () => { composing = area; });
  area.addEventListener("compositionend", () => {
    composing = null;
    commitLocal(area);
    drainDeferred();
  });
  area.addEventListener("input", (event) => {
    if (event.isComposing || composing === area) return; // sent when the syllable is complete
    commitLocal(area);
  });
  area.addEventListener("blur", () => {
    if (composing !== area) return;
    composing = null;
    commitLocal(area);
    drainDeferred();
  });
});

function onFeature(event) {
  const input = event.target;
  if (!doc || !synced) { render(); return; }
  const list = doc.getArray("features");
  if (input.checked) {
    if (picks().length >= PICK) { input.checked = false; return; }
    list.push([input.value]);
  } else {
    doc.transact(() => {
      const keys = list.toArray();
      for (let i = keys.length - 1; i >= 0; i--) if (keys[i] === input.value) list.delete(i, 1);
    });
  }
  showNotice("");
  render();
}

featureBox?.querySelectorAll("input").forEach((input) => input.addEventListener("change", onFeature));

// Membership and the pair's plain answer (shown read-only until the document is synced).
function renderPair(pair) {
  none.hidden = !!pair;
  box.hidden = !pair;
  if (!pair) { if (doc) { doc.destroy(); doc = null; pairId = null; } return; }
  document.getElementById("pair-members").textContent = `${t("{n}조", { n: pair.number })} · ${pair.members.join(", ")}${pair.code ? ` · ${t("페어 코드 {code}", { code: pair.code })}` : ""}`;
  if (pair.id !== pairId) {
    openDoc(pair.id);
    for (const area of areas) area.value = pair.answers?.[area.dataset.prompt] || "";
    requestSync();
  }
}

// Entry points called by student.js ------------------------------------------------------------------
export function initPair(theSocket) {
  socket = theSocket;
  // The socket's state is shown on the page by socket.js; follow it rather than wrapping the socket. The
  // browser's own offline flag counts too: a socket can look open for a while after the network went away.
  const follow = () => {
    const open = statusLine?.dataset.state === "open" && navigator.onLine !== false;
    if (open === socketOpen) { showSaveState(); return; }
    socketOpen = open;
    if (!socketOpen) { inflight = null; clearTimeout(sendTimer); }
    else if (doc) requestSync(); // back: exchange state vectors, then send what is pending
    showSaveState();
  };
  if (statusLine) new MutationObserver(follow).observe(statusLine, { attributes: true, attributeFilter: ["data-state"] });
  window.addEventListener("offline", follow);
  window.addEventListener("online", follow);
}

export function pairHello(msg) {
  me = { class: msg.class, id: msg.me.id };
  socketOpen = navigator.onLine !== false;
  inflight = null; // a frame in flight when the socket dropped is sent again after the sync
  const previous = pairId;
  renderPair(msg.pair);
  if (msg.pair && msg.pair.id === previous) requestSync(); // a reconnect: exchange state vectors again
}

// Handle a pair frame; return true when `msg` was one (errors: when it concerns the pair).
export function pairMessage(msg) {
  switch (msg.type) {
    case "pair":
      renderPair(msg.pair);
      return true;
    case "pair.sync":
      if (!doc || msg.pair !== pairId) return true;
      applyRemote(fromB64(msg.update));
      if (!synced) {
        synced = true;
        areas.forEach((area) => { area.readOnly = false; });
        render();
      }
      {
        // What the server lacks: edits made here while offline (deletions included, CRDT-wise).
        const missing = Y.encodeStateAsUpdate(doc, fromB64(msg.state_vector));
        if (missing.length > 2) addPending(missing);
      }
      inflight = null;
      sendPending();
      return true;
    case "pair.update":
      if (!doc || msg.pair !== pairId) return true;
      applyRemote(fromB64(msg.update));
      if (msg.notice) showNotice(msg.notice);
      return true;
    case "pair.ack":
      if (inflight && msg.id === inflight.id && msg.pair === pairId) {
        staleStreak = 0;
        dropPending(inflight.keys);
        inflight = null;
        if (fastNotice !== null && noticeLine.textContent === fastNotice) showNotice("");
        fastNotice = null;
        sendPending();
      }
      showSaveState();
      return true;
    case "error":
      return pairError(msg);
    default:
      return false;
  }
}

function pairError(msg) {
  const ours = inflight && msg.ref === inflight.id;
  if (!ours && !["pair_changed", "pair_bad_sync", "no_pair"].includes(msg.code)) return false;
  const keys = inflight?.keys || [];
  inflight = null;
  if (msg.code === "busy") { setTimeout(sendPending, 1000); showSaveState(); return true; }
  // Over the student's budget of saves: the edits stay pending and go again, merged, when it refills
  // (docs/protocol.md); the server's Korean message stays under the answer until they are saved.
  if (msg.code === "too_fast") {
    const wait = 1000 * (msg.retry_after || 1);
    holdUntil = Date.now() + wait - 20; // timers may fire a few ms early by Date.now()
    setTimeout(sendPending, wait);
    fastNotice = msg.message || "";
    showNotice(fastNotice);
    showSaveState();
    return true;
  }
  if (msg.code === "pair_stale" && staleStreak < 2) {
    // The server lacks changes these updates build on (this page has them): exchange state vectors; the
    // reply adds what the server lacks to the pending updates and sends everything again.
    staleStreak += 1;
    requestSync();
    showSaveState();
    return true;
  }
  staleStreak = 0;
  // Refused: those updates will never be accepted. Drop them and start again from the server's copy.
  dropPending(keys);
  showNotice(msg.message);
  if (msg.code === "pair_changed" || msg.code === "no_pair") { writePending([]); return true; }
  const id = pairId;
  writePending([]);
  pairId = null;
  if (id !== null) {
    openDoc(id);
    requestSync();
  }
  return true;
}
