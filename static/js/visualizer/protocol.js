// The visualizer websocket protocol as the browser sees it; mirrors visualizer/protocol.py and the
// "## Visualizer" part of docs/protocol.md (tests/visualizer/test_protocol_sync.py checks all three).

export const VERSION = 1;
export const CLIENT_TYPES = ["command", "control", "complete", "resync", "scenario.start", "scenario.stop", "ping"];
export const CONTROL_ONLY = ["command", "control", "scenario.start", "scenario.stop"];
export const SERVER_TYPES = ["snapshot", "diff", "clock", "result", "completions", "scenario", "error", "pong"];
export const SPEEDS = [0.5, 1, 2, 4, 8];
export const CONTROL_ACTIONS = ["pause", "play", "step", "speed", "reset"];
export const MAX_FRAME = 72 * 1024;

export function frame(type, fields = {}) {
  if (!CLIENT_TYPES.includes(type)) throw new Error(`not a client message type: ${type}`);
  return JSON.stringify({ v: VERSION, type, ...fields });
}
