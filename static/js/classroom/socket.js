// A websocket that reconnects with backoff and keeps frames sent while offline, in order, until it is back.
// On every (re)connect the server sends `hello` with the full state, so nothing is replayed but the queue.

import { frame } from "./protocol.js";
import { t } from "../i18n.js";

export function connect(path, { onMessage, onStatus }) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const url = `${scheme}//${location.host}${path}`;
  const queue = [];
  let socket = null;
  let delay = 500;
  let closedForGood = false;

  function open() {
    onStatus("connecting");
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      delay = 500;
      onStatus("open");
      while (queue.length && socket.readyState === WebSocket.OPEN) socket.send(queue.shift());
    });
    socket.addEventListener("message", (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch { return; }
      onMessage(data);
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 4403) { closedForGood = true; onStatus("denied"); return; }
      onStatus("closed");
      if (!closedForGood) setTimeout(open, delay);
      delay = Math.min(delay * 2, 8000);
    });
  }
  open();

  return {
    send(type, fields, { queue: keep = true } = {}) {
      const text = frame(type, fields);
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(text);
      else if (keep) queue.push(text);
    },
  };
}

const STATUS_TEXT = {
  connecting: t("연결 중…"),
  open: t("실시간 연결됨"),
  closed: t("연결이 끊겼습니다. 다시 연결하는 중…"),
  denied: t("이 수업에 접근할 수 없습니다"),
};

export function showStatus(element, status) {
  if (!element) return;
  element.dataset.state = status;
  element.textContent = STATUS_TEXT[status] || status;
}
