// Keyboard shortcuts of the dashboard and the projector. Keys are ignored while the user types (inputs,
// selects, text areas, editable content, the demo's console), while a dialog is open (it owns Esc), with
// Ctrl/Alt/Meta held, and on tab lists (their arrow keys move between tabs). Letters are read from the
// physical key (`event.code`), so R still means R when the keyboard is in Korean (두벌식 gives "ㄱ").

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

// Pure: the shortcut name an event stands for ("arrowleft", "escape", "?", "r", "1", …), or null.
export function shortcutKey(event) {
  if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return null;
  const target = event.target || {};
  if (TYPING.has(target.tagName) || target.isContentEditable) return null;
  if (target.closest?.("[contenteditable], dialog[open]")) return null;
  if (event.key === "?" || (event.shiftKey && event.code === "Slash")) return "?";
  if (event.shiftKey) return null;
  if (target.getAttribute?.("role") === "tab" && event.key.startsWith("Arrow")) return null;
  if (/^Key[A-Z]$/.test(event.code || "")) return event.code.slice(3).toLowerCase();
  if (/^Digit[0-9]$/.test(event.code || "")) return event.code.slice(5);
  return (event.key || "").toLowerCase() || null;
}

// Calls `actions[name]()` for each shortcut pressed; returns a function that unbinds them.
export function bindShortcuts(actions) {
  function onKey(event) {
    if (document.querySelector("dialog[open]") && event.key !== "?") return;
    const name = shortcutKey(event);
    const action = name && actions[name];
    if (!action) return;
    event.preventDefault();
    action(event);
  }
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}
