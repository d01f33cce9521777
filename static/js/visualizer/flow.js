// The 6-step request flow (개념 3 동작 원리), played one step at a time from the events' `step` field:
// a queue of (step, node) pairs, each lit for a moment on the picture and in the numbered list.

import { english } from "../i18n.js";

// Pure: the steps worth lighting for a batch of new events (consecutive repeats collapsed, at most `max`).
export function stepsFromEvents(events, max = 12) {
  const out = [];
  for (const ev of events) {
    if (!ev || !Number.isInteger(ev.step) || ev.step < 1 || ev.step > 6) continue;
    const comp = String(ev.component || "");
    const node = comp.startsWith("kubelet/") ? comp.slice(8) : null;
    const last = out[out.length - 1];
    if (last && last.step === ev.step && last.node === node) continue;
    out.push({ step: ev.step, node, text: (english ? ev.en : ev.ko) || ev.message || "" });
  }
  if (out.length <= max) return out;
  // Keep the start and the end of a long burst: that is where the story is.
  return [...out.slice(0, Math.ceil(max / 2)), ...out.slice(out.length - Math.floor(max / 2))];
}

export function createFlowPlayer({ list, renderer, reducedMotion }) {
  const queue = [];
  let timer = null;
  let clearTimer = null;

  function show(item) {
    renderer.light(item ? item.step : null, item ? item.node : null);
    for (const li of list?.querySelectorAll("li") || []) {
      const on = item && Number(li.dataset.step) === item.step;
      li.classList.toggle("is-lit", Boolean(on));
      if (on) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    }
  }

  function next() {
    timer = null;
    const item = queue.shift();
    if (!item) {
      clearTimeout(clearTimer);
      clearTimer = setTimeout(() => show(null), 2500);
      return;
    }
    clearTimeout(clearTimer);
    show(item);
    // Long queues play faster so the picture never lags far behind the cluster.
    const hold = reducedMotion() ? 900 : Math.max(260, 900 - queue.length * 80);
    timer = setTimeout(next, hold);
  }

  return {
    push(events) {
      const steps = stepsFromEvents(events);
      if (!steps.length) return;
      queue.push(...steps);
      if (queue.length > 16) queue.splice(4, queue.length - 16);
      if (!timer) next();
    },
  };
}
