// Drafts: what a student picked or typed but has not had stored yet, kept in localStorage so it survives the
// instructor moving sections (the section's forms are swapped out), a reload and a closed tab.
//
// One entry per class, student and question: `orchestra-draft:<class>:<student>:<slot>:<question>`, where the
// slot is "quiz" (self-paced), "live" (peer-instruction vote) or "predict" (predict → observe). The value is
// JSON `{"value": <response in the protocol's shape, partial allowed>, "at": <ms>}`. An entry is cleared once
// the server confirms the answer is stored (answer.result / predict.voted); entries older than MAX_AGE_MS
// are dropped when read, so another day's class never leaks in. Storage errors (private mode, quota, a
// disabled localStorage) never break the page: drafts then simply live as long as the page.
//
// Pure logic over a Storage-like object (getItem / setItem / removeItem / key / length), testable without
// a browser page.

export const PREFIX = "orchestra-draft";
export const SLOTS = ["quiz", "live", "predict"];
export const MAX_AGE_MS = 24 * 60 * 60 * 1000;

export function draftKey(classCode, studentId, slot, questionKey) {
  if (!SLOTS.includes(slot)) throw new Error(`unknown draft slot: ${slot}`);
  return `${PREFIX}:${classCode}:${studentId}:${slot}:${questionKey}`;
}

function memoryStorage() {
  const map = new Map();
  return {
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => { map.set(k, String(v)); },
    removeItem: (k) => { map.delete(k); },
    key: (i) => [...map.keys()][i] ?? null,
    get length() { return map.size; },
  };
}

// Return the page's localStorage, or an in-memory stand-in when it is unavailable.
export function defaultStorage() {
  try {
    const storage = window.localStorage;
    const probe = `${PREFIX}:probe`;
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    return memoryStorage();
  }
}

// Drafts of one student in one class: save / load / clear by slot and question key.
export function createDrafts(classCode, studentId, storage = defaultStorage(), now = () => Date.now()) {
  const keyOf = (slot, question) => draftKey(classCode, studentId, slot, question);
  return {
    save(slot, question, value) {
      try { storage.setItem(keyOf(slot, question), JSON.stringify({ value, at: now() })); } catch { /* quota: keep going */ }
    },
    load(slot, question) {
      let raw = null;
      try { raw = storage.getItem(keyOf(slot, question)); } catch { return undefined; }
      if (raw === null) return undefined;
      try {
        const entry = JSON.parse(raw);
        if (!entry || typeof entry !== "object" || !("value" in entry)) throw new Error("bad draft");
        if (typeof entry.at === "number" && now() - entry.at > MAX_AGE_MS) throw new Error("stale draft");
        return entry.value;
      } catch {
        try { storage.removeItem(keyOf(slot, question)); } catch { /* ignore */ }
        return undefined;
      }
    },
    has(slot, question) {
      return this.load(slot, question) !== undefined;
    },
    clear(slot, question) {
      try { storage.removeItem(keyOf(slot, question)); } catch { /* ignore */ }
    },
  };
}
