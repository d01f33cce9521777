// ← / → move between sections, unless the reader is typing or holding a modifier.

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

export function navigationTarget(event, config) {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return null;
  if (event.isComposing || TYPING.has(event.targetTag) || event.isContentEditable) return null;
  if (event.key === "ArrowRight") return config.nextUrl || null;
  if (event.key === "ArrowLeft") return config.previousUrl || null;
  return null;
}
