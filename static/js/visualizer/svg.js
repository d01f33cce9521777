// Tiny SVG helpers shared by the drawing modules. Text goes in through textContent only.

export const NS = "http://www.w3.org/2000/svg";

export function el(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    node.setAttribute(k, String(v));
  }
  if (parent) parent.append(node);
  return node;
}

export function text(parent, x, y, content, attrs = {}) {
  const t = el("text", { x, y, ...attrs }, parent);
  t.textContent = content;
  return t;
}

// Shortens text to fit `width` units at a font size, with an ellipsis; monospace estimate (0.6 em / char),
// Hangul counted double.
export function fit(content, width, size, mono = true) {
  const str = String(content ?? "");
  const per = size * (mono ? 0.61 : 0.56);
  let used = 0;
  for (let i = 0; i < str.length; i += 1) {
    const wide = str.charCodeAt(i) > 0x2e80 ? 1.65 : 1;
    used += per * wide;
    if (used > width) return `${str.slice(0, Math.max(1, i - 1))}…`;
  }
  return str;
}

export function roundRect(parent, r, attrs = {}) {
  return el("rect", { x: r.x, y: r.y, width: Math.max(0, r.w), height: Math.max(0, r.h), rx: attrs.rx ?? 8, ...attrs }, parent);
}

// Like fit, but keeps the last `tail` characters: pod names differ at the end (web-7d4b9c8f5-x2k4p).
export function fitMiddle(content, width, size, tail = 5) {
  const str = String(content ?? "");
  if (fit(str, width, size) === str) return str;
  const end = str.slice(-tail);
  const room = width - (tail + 1) * size * 0.61;
  const head = fit(str.slice(0, -tail), Math.max(size, room), size);
  return `${head.endsWith("…") ? head : `${head}…`}${end}`;
}
