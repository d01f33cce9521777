// Pure cluster state on the client: the last snapshot plus diffs, applied exactly as the engine's
// `apply_diff` (visualizer/engine/snapshot.py) does, with the version checks that decide a resync.
// Never touches the page; tests/visualizer/test_js_modules.py replays engine and wire diffs through it under Node.

import { applyPatch } from "./patch.js";
import { decodeList, EVENT_KEYS, TRACE_KEYS } from "./events.js";

export const KEYED = ["nodes", "pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs",
  "services", "hpas", "secrets", "configmaps", "pvs", "pvcs", "storageclasses", "etcd"];
export const SNAPSHOT_EVENTS = 50;

function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

// Returns a new snapshot: `snapshot` (taken at the diff's `from`) with `diff` applied — an engine diff or the
// wire form (docs/protocol.md "diff": item patches and copies, events as template id + parameters, no `to`, which
// the frame carries as `version`). Unchanged sections are shared with the input (nothing here mutates them),
// changed ones are copied. Throws when a patch does not fit (then the page needs a snapshot).
export function applyDiff(snapshot, diff, version = diff.to) {
  const out = { ...snapshot };
  out.version = "to" in diff ? diff.to : version;
  out.now = diff.now;
  if ("encryptionAtRest" in diff) out.encryptionAtRest = diff.encryptionAtRest;
  if ("images" in diff) out.images = [...diff.images];
  for (const [section, change] of Object.entries(diff.sections || {})) {
    const target = { ...(out[section] || {}) };
    for (const id of change.remove || []) delete target[id];
    for (const [id, item] of Object.entries(change.set || {})) target[id] = clone(item);
    const patches = change.patch || {};
    for (const [id, ops] of Object.entries(patches)) {
      if (!(id in target)) throw new TypeError(`no ${section}/${id} to patch`);
      target[id] = applyPatch(target[id], ops);
    }
    // Items that get the same patch as the one named (sent once).
    for (const [first, others] of Object.entries(change.same || {})) {
      if (!Array.isArray(patches[first])) throw new TypeError(`no patch of ${section}/${first}`);
      for (const id of others) {
        if (!(id in target)) throw new TypeError(`no ${section}/${id} to patch`);
        target[id] = applyPatch(target[id], patches[first]);
      }
    }
    let previous = null;
    for (const [id, base, ops] of change.copy || []) {
      const from = base === null ? previous : base;
      if (from === null || !(from in target)) throw new TypeError(`no ${section}/${from} to copy`);
      target[id] = applyPatch(target[from], ops);
      previous = id;
    }
    out[section] = target;
  }
  out.events = [...(snapshot.events || []), ...decodeList(diff.events || [], EVENT_KEYS)].slice(-SNAPSHOT_EVENTS);
  // The trace travels only when a command changed it.
  if ("trace" in diff) out.trace = decodeList(diff.trace, TRACE_KEYS, out.events);
  return out;
}

// Holds what one page knows about one cluster. `receive(frame)` returns what happened:
// {kind: "snapshot"|"diff"|"clock"|"ignored", resync: bool, previous, state}.
export function createClusterState() {
  let state = null;
  let version = null;
  let role = "view";
  let clock = { now: 0, speed: 1, paused: false };
  let clockAt = 0; // performance.now() of the last clock we were told
  let waitingForSnapshot = true;

  function setClock(c, at) {
    if (!c) return;
    // `hold`: real seconds during which the server keeps simulated time still (a change shown while observing).
    clock = { now: Number(c.now) || 0, speed: Number(c.speed) || 1, paused: Boolean(c.paused), hold: Number(c.hold) || 0, observing: Boolean(c.observing) };
    clockAt = at;
  }

  return {
    get state() { return state; },
    get version() { return version; },
    get role() { return role; },
    get clock() { return clock; },
    // The simulated time now, extrapolated as now + speed × (elapsed − hold) while the clock runs.
    nowAt(at) {
      if (clock.paused) return clock.now;
      return clock.now + (clock.speed * Math.max(0, at - clockAt - clock.hold * 1000)) / 1000;
    },
    // Called on reconnect: diffs are useless until the next snapshot arrives.
    invalidate() { waitingForSnapshot = true; },
    receive(frame, at = 0) {
      if (frame.type === "snapshot") {
        const previous = state;
        state = frame.state;
        version = frame.version;
        role = frame.role || role;
        setClock(frame.clock, at);
        waitingForSnapshot = false;
        return { kind: "snapshot", resync: false, previous, state };
      }
      if (frame.type === "diff") {
        if (waitingForSnapshot || state === null) return { kind: "ignored", resync: false, previous: state, state };
        if (frame.to < version || (frame.to === version && frame.from !== version)) return { kind: "ignored", resync: false, previous: state, state };
        if (frame.from !== version || !frame.diff || ("from" in frame.diff && frame.diff.from !== frame.from)) {
          // A gap: drop diffs until a fresh snapshot arrives.
          waitingForSnapshot = true;
          return { kind: "ignored", resync: true, previous: state, state };
        }
        const previous = state;
        try {
          state = applyDiff(state, frame.diff, frame.to);
        } catch {
          // A patch that does not fit what we hold: ask for the whole state rather than draw a wrong one.
          waitingForSnapshot = true;
          return { kind: "ignored", resync: true, previous, state };
        }
        version = frame.to;
        // A diff repeats the clock only when more than its `now` changed (then hold is 0): docs/protocol.md.
        setClock(frame.clock || { ...clock, now: frame.diff.now, hold: 0 }, at);
        return { kind: "diff", resync: false, previous, state };
      }
      if (frame.type === "clock") {
        setClock(frame.clock, at);
        return { kind: "clock", resync: false, previous: state, state };
      }
      return { kind: "ignored", resync: false, previous: state, state };
    },
  };
}
