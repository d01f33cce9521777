// The classroom websocket protocol as the browser sees it; mirrors course/classroom/protocol.py (a test
// checks both, and docs/protocol.md, list the same types).

export const VERSION = 1;
export const SERVER_TYPES = ["hello", "error", "pong", "section", "answer.result", "results", "live", "roster", "pair", "pair.sync", "pair.update", "pair.ack", "board", "spotlight", "chart", "discussion", "checklist", "predict", "predict.voted", "ended", "renamed", "removed"];
export const STUDENT_TYPES = ["answer", "pair.sync", "pair.update", "predict.vote", "ping"];
export const STAFF_TYPES = ["section.set", "live.open", "live.reveal", "live.revote", "live.close", "pairs.form", "discussion.start", "spotlight.set", "pair.hide", "predict.open", "predict.play", "predict.close", "roster.rename", "roster.remove", "ping"];

export function frame(type, fields = {}) {
  return JSON.stringify({ v: VERSION, type, ...fields });
}
