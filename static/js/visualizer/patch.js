// Applies an item patch exactly as visualizer/engine/patch.py `apply_patch` does (docs/protocol.md, "diff").
// An operation is [path, value] (set), [path] (remove a key) or [path, index, count, items|text] (splice of an
// array, or of an ASCII string); a path is a list of keys and indexes, or one key as a string. Pure.

function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

// Returns a new value: `value` with `ops` applied (the input is not modified). Throws when the patch does not
// fit the value (made for another version): the caller then asks for a snapshot.
export function applyPatch(value, ops) {
  let out = clone(value);
  for (const op of ops) {
    const path = typeof op[0] === "string" ? [op[0]] : op[0];
    if (!Array.isArray(path)) throw new TypeError("bad patch path");
    if (path.length === 0 && op.length === 2) { out = clone(op[1]); continue; }
    let target = out;
    for (const step of path.slice(0, -1)) {
      target = target[step];
      if (target === null || typeof target !== "object") throw new TypeError(`no ${step} in the item`);
    }
    const key = path[path.length - 1];
    if (op.length === 2) {
      target[key] = clone(op[1]);
    } else if (op.length === 1) {
      if (Array.isArray(target) || !(key in target)) throw new TypeError(`no ${key} to remove`);
      delete target[key];
    } else {
      const [, index, count, items] = op;
      const current = path.length === 0 ? out : target[key];
      if (typeof current === "string" && typeof items === "string") {
        const text = current.slice(0, index) + items + current.slice(index + count);
        if (path.length === 0) out = text; else target[key] = text;
      } else if (Array.isArray(current) && Array.isArray(items)) {
        current.splice(index, count, ...clone(items));
      } else {
        throw new TypeError(`splice of a non-array at ${key}`);
      }
    }
  }
  return out;
}
