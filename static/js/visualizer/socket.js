// The cluster websocket: reconnects with exponential back-off and jitter, pings to notice a dead link,
// and pairs requests (command, complete) with their answers by id. Thin: no cluster logic here.
//
// On every (re)connect the server sends a full `snapshot` first, which is the resync; a client that
// finds a gap in the diffs asks for one with `resync`. Commands are never queued while offline: replaying
// a `kubectl delete` typed a minute ago would surprise the person who typed it.

import { frame, MAX_FRAME, stdinTooLarge } from "./protocol.js";
import { t } from "../i18n.js";

const PING_EVERY_MS = 20000;
const PONG_TIMEOUT_MS = 10000;
const REQUEST_TIMEOUT_MS = 20000;
// The close code of a viewer too slow to keep up (visualizer/viewer_buffer.py CLOSE_CODE, docs/protocol.md).
export const SLOW_CLOSE_CODE = 4008;

export function backoffDelay(attempt, { base = 500, max = 15000, random = Math.random } = {}) {
  // "Full jitter" between half and all of the capped exponential delay, so a whole class that lost the
  // server at once does not come back in one burst.
  const capped = Math.min(max, base * 2 ** Math.min(attempt, 10));
  return Math.round(capped / 2 + random() * (capped / 2));
}

export function connect(path, { onFrame, onStatus = () => {} }) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const url = path.startsWith("ws") ? path : `${scheme}//${location.host}${path}`;
  let socket = null;
  let attempt = 0;
  let stopped = false;
  let pingTimer = null;
  let pongTimer = null;
  let retryTimer = null;
  let nextId = 1;
  let closedFor = null; // the status a server close named (4008 "slow"), shown until the socket opens again
  const pending = new Map();

  function clearTimers() {
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    pingTimer = pongTimer = null;
  }

  function failPending(message) {
    for (const [, entry] of pending) {
      clearTimeout(entry.timer);
      entry.resolve({ type: "error", code: "offline", message, ref: entry.id });
    }
    pending.clear();
  }

  function open() {
    if (stopped) return;
    onStatus(closedFor || (attempt ? "reconnecting" : "connecting"));
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      attempt = 0;
      closedFor = null;
      onStatus("open");
      clearTimers();
      pingTimer = setInterval(() => {
        if (socket.readyState !== WebSocket.OPEN) return;
        socket.send(frame("ping"));
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => socket.close(4000, "no pong"), PONG_TIMEOUT_MS);
      }, PING_EVERY_MS);
    });
    socket.addEventListener("message", (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch { return; }
      if (!data || typeof data !== "object") return;
      if (data.type === "pong") { clearTimeout(pongTimer); return; }
      const ref = data.type === "error" ? data.ref : (data.type === "result" || data.type === "completions") ? data.id : undefined;
      if (ref !== undefined && ref !== null && pending.has(ref)) {
        const entry = pending.get(ref);
        pending.delete(ref);
        clearTimeout(entry.timer);
        entry.resolve(data);
        // The requester shows its own answer (console, YAML editor); an error is not printed twice.
        return;
      }
      onFrame(data);
    });
    socket.addEventListener("close", (event) => {
      clearTimers();
      failPending(t("연결이 끊겼습니다 · Disconnected"));
      if (event.code === 4403 || event.code === 4404) {
        stopped = true;
        onStatus(event.code === 4403 ? "denied" : "missing");
        return;
      }
      if (stopped) return;
      // 4008: the server closed a viewer that fell behind (visualizer/viewer_buffer.py); the page says why
      // (docs/protocol.md) until the new socket opens, instead of the generic "reconnecting".
      closedFor = event.code === SLOW_CLOSE_CODE ? "slow" : null;
      onStatus(closedFor || "reconnecting");
      retryTimer = setTimeout(open, backoffDelay(attempt));
      attempt += 1;
    });
  }
  open();

  function isOpen() {
    return socket && socket.readyState === WebSocket.OPEN;
  }

  function send(type, fields = {}) {
    if (!isOpen()) return false;
    const text = frame(type, fields);
    if (text.length > MAX_FRAME) return false;
    socket.send(text);
    return true;
  }

  // Send a frame that carries an `id` and resolve with the server's answer (`result`, `completions`,
  // or an `error` naming that id); never rejects, so callers print whatever comes back.
  function request(type, fields = {}) {
    const id = nextId++;
    return new Promise((resolve) => {
      // YAML over the engine's limit is refused here with the engine's words, as a failed command's result.
      const tooLarge = type === "command" ? stdinTooLarge(fields.stdin) : null;
      if (tooLarge) {
        resolve({ type: "result", id, ok: false, output: tooLarge, events: [], error: { message: tooLarge, line: null, column: null } });
        return;
      }
      const text = frame(type, { id, ...fields });
      if (text.length > MAX_FRAME) {
        resolve({ type: "error", code: "too_large", message: t("메시지가 너무 큽니다 (최대 {n} KiB) · Too large", { n: MAX_FRAME / 1024 }), ref: id });
        return;
      }
      if (!isOpen()) {
        resolve({ type: "error", code: "offline", message: t("서버에 연결되어 있지 않습니다 · Not connected"), ref: id });
        return;
      }
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve({ type: "error", code: "timeout", message: t("서버가 응답하지 않습니다 · No answer"), ref: id });
      }, REQUEST_TIMEOUT_MS);
      pending.set(id, { id, resolve, timer });
      socket.send(text);
    });
  }

  return {
    send,
    request,
    isOpen,
    close() {
      stopped = true;
      clearTimers();
      clearTimeout(retryTimer);
      socket?.close(1000);
    },
  };
}

export const STATUS_TEXT = {
  connecting: ["연결 중…", "Connecting"],
  open: ["실시간 연결됨", "Live"],
  reconnecting: ["연결이 끊겨 다시 연결하는 중…", "Reconnecting"],
  denied: ["이 클러스터를 볼 권한이 없습니다", "Not allowed"],
  missing: ["클러스터를 찾을 수 없습니다", "No such cluster"],
  // The server's own close reason for 4008 (viewer_buffer.CLOSE_REASON), word for word.
  slow: ["연결이 느려 화면을 따라가지 못했습니다. 다시 연결합니다.", "The connection was too slow to keep up. Reconnecting."],
};
