// Renders events and trace entries sent as [template, [params…], {overrides}?] back into the records the engine
// keeps, exactly as visualizer/engine/event_wire.py `decode` does: `ko`/`en` from the engine's narration
// templates, `message`/`object`/`component`… from the template's shape, `seq`/`time` from the previous record.
// The tables are generated from the engine (narration-table.js). Pure.

import { EVENT_KEYS, TEMPLATES, TRACE_KEYS } from "./narration-table.js";

export { EVENT_KEYS, TRACE_KEYS };

function render(pieces, params) {
  let out = "";
  for (const piece of pieces) {
    if (typeof piece === "string") { out += piece; continue; }
    const value = params[piece[0]];
    if (value === undefined || value === null) return undefined;
    out += value;
  }
  return out;
}

function expected(spec, name, params, prev) {
  if (name === "seq") return prev.seq !== undefined && prev.seq !== null ? prev.seq + 1 : undefined;
  if (name === "time") return prev.time;
  if (name === "step") return spec.step;
  const value = spec.texts[name];
  return Array.isArray(value) ? render(value, params) : value;
}

// The parameters of a wire item by field name (enum indexes and `true` resolved against `before`, the previous
// item's); a whole record has none.
export function paramsOf(item, before = {}) {
  if (!Array.isArray(item)) return {};
  const spec = TEMPLATES[item[0]];
  if (!spec) throw new TypeError(`unknown narration template ${item[0]}`);
  const enums = spec.enums || {};
  const params = {};
  spec.fields.forEach((field, i) => {
    const value = item[1][i];
    if (value === undefined || value === null) return;
    if (value === true) {
      if (!(field in before)) throw new TypeError(`no previous ${field}`);
      params[field] = before[field];
    } else {
      params[field] = field in enums && typeof value === "number" ? enums[field][value] : value;
    }
  });
  return params;
}

// Returns the record one wire item stands for (`keys`: EVENT_KEYS or TRACE_KEYS); throws on an unknown template.
export function decodeRecord(item, keys, prev, before = {}) {
  if (!Array.isArray(item)) return { ...item };
  const [key, , overrides = {}] = item;
  const spec = TEMPLATES[key];
  const params = paramsOf(item, before);
  const out = {};
  for (const name of keys) {
    const value = name in overrides ? overrides[name] : expected(spec, name, params, prev);
    if (value === undefined) throw new TypeError(`${key}: no value for ${name}`);
    out[name] = value;
  }
  return out;
}

// Returns the records of a wire list; `events` are the events held after the same diff (an integer item in a
// trace is the event with that seq).
export function decodeList(items, keys, events = []) {
  const bySeq = new Map(events.map((ev) => [ev.seq, ev]));
  const out = [];
  let prev = {};
  let before = {};
  for (const item of items || []) {
    if (typeof item === "number") {
      const ev = bySeq.get(item);
      if (!ev) throw new TypeError(`no event ${item}`);
      prev = Object.fromEntries(keys.map((k) => [k, ev[k]]));
      before = {};
    } else {
      prev = decodeRecord(item, keys, prev, before);
      before = paramsOf(item, before);
    }
    out.push(prev);
  }
  return out;
}

// The Korean and English narration of one template with its fields, as narration.narrate renders it.
export function narrate(key, fields) {
  const spec = TEMPLATES[key];
  return [spec.step, render(spec.texts.ko, fields), render(spec.texts.en, fields)];
}
