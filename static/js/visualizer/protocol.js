// The visualizer websocket protocol as the browser sees it; mirrors visualizer/protocol.py and the
// "## Visualizer" part of docs/protocol.md (tests/visualizer/test_protocol_sync.py checks all three).

export const VERSION = 1;
export const CLIENT_TYPES = ["command", "control", "complete", "resync", "scenario.start", "scenario.stop", "ping"];
export const CONTROL_ONLY = ["command", "control", "scenario.start", "scenario.stop"];
export const SERVER_TYPES = ["snapshot", "diff", "clock", "result", "completions", "scenario", "error", "pong"];
export const SPEEDS = [0.5, 1, 2, 4, 8];
export const CONTROL_ACTIONS = ["pause", "play", "step", "speed", "reset"];
export const MAX_FRAME = 144 * 1024;
// The engine's limit on YAML per command (visualizer/engine/yaml_input.py MAX_BYTES, docs/engine.md Limits).
export const MAX_STDIN = 64 * 1024;

// Returns the engine's own refusal of a too-large stdin (UTF-8 bytes, as the engine counts), or null; the page
// says it before sending, so the student reads the same words the engine would print.
export function stdinTooLarge(stdin) {
  if (typeof stdin !== "string") return null;
  const size = new TextEncoder().encode(stdin).length;
  if (size <= MAX_STDIN) return null;
  const n = (x) => x.toLocaleString("en-US");
  return `error: the input is ${n(size)} bytes; the simulator accepts at most ${n(MAX_STDIN)} bytes (64 KiB) of YAML per command`;
}

export function frame(type, fields = {}) {
  if (!CLIENT_TYPES.includes(type)) throw new Error(`not a client message type: ${type}`);
  return JSON.stringify({ v: VERSION, type, ...fields });
}
