// The student's sheet: what the instructor pushes (live question, predict → observe, a shared answer, the pair
// discussion timer) in one panel fixed to the viewport — a bottom sheet on phones, a card at the bottom right
// on laptops (classroom.css). Fixed, so showing or growing it never pushes the section down or scrolls the
// page, and it never takes the focus. It collapses to its bar (which keeps the summary and the timer); a new
// event (a question opened, a round, a reveal, a prediction, a spotlight) opens it again.

import { formatClock } from "./dom.js";
import { t } from "../i18n.js";

// How long after the discussion ended the bar keeps showing "토론 시간 종료".
export const ENDED_VISIBLE_S = 60;

// Return what the bar shows for the discussion timer at `nowMs` (server clock): {visible, text, over}.
export function discussionLabel(discussion, nowMs) {
  if (!discussion || !discussion.started_at) return { visible: false, text: "", over: false };
  const left = discussion.seconds - (nowMs - discussion.started_at) / 1000;
  if (left < -ENDED_VISIBLE_S) return { visible: false, text: "", over: true };
  return left > 0
    ? { visible: true, text: t("토론 {clock}", { clock: formatClock(left) }), over: false }
    : { visible: true, text: t("토론 시간 종료"), over: true };
}

export function createSheet(root, { offset = () => 0 } = {}) {
  const toggle = root.querySelector("#sheet-toggle");
  const summary = root.querySelector("#sheet-summary");
  const timer = root.querySelector("#sheet-timer");
  const panels = [...root.querySelectorAll("#sheet-body > section")];
  let discussion = null;
  let open = false;

  function setOpen(value) {
    open = value;
    root.dataset.open = String(open);
    toggle.setAttribute("aria-expanded", String(open));
  }

  function refresh() {
    const shown = panels.filter((p) => !p.hidden);
    const clock = discussionLabel(discussion, Date.now() + offset());
    timer.hidden = !clock.visible;
    timer.textContent = clock.text;
    timer.dataset.over = String(clock.over);
    root.hidden = !shown.length && !clock.visible;
    root.dataset.empty = String(!shown.length);
    root.dataset.count = String(shown.length);
    // The bar names what is inside: each panel's data-summary (set by the page, e.g. with the round), else
    // its heading without the English gloss. With one panel the bar is its heading (classroom.css).
    summary.textContent = shown.map((p) => p.dataset.summary || p.querySelector("h2")?.firstChild?.textContent?.trim() || "").filter(Boolean).join(" · ")
      || t("페어 토론");
    document.body.classList.toggle("has-sheet", !root.hidden);
    if (!shown.length && open) setOpen(false);
  }

  toggle.addEventListener("click", () => { setOpen(!open); refresh(); });
  setInterval(refresh, 1000);

  return {
    // Something new arrived: show it (without moving the page or the focus).
    reveal() { refresh(); if (panels.some((p) => !p.hidden)) setOpen(true); },
    collapse() { setOpen(false); },
    refresh,
    setDiscussion(value) { discussion = value; refresh(); },
    get isOpen() { return open; },
  };
}
