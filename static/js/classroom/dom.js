// Small DOM helpers. Every piece of text goes in through textContent, so student input is never parsed as HTML.

import { english, t } from "../i18n.js";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function formatClock(seconds) {
  const sign = seconds < 0 ? "-" : "";
  const s = Math.abs(Math.trunc(seconds));
  return `${sign}${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// A server clock: `serverNow` (ms) was the server's time when the frame was built.
export function serverOffset(serverNow) {
  return serverNow ? serverNow - Date.now() : 0;
}

// One histogram: a list of bars with their counts in text (the numbers are the accessible form).
export function bars(rows, { answerIndexes = null } = {}) {
  const total = Math.max(1, ...rows.map((r) => r.count));
  const list = h("ul", { class: "cls-bars" });
  rows.forEach((row, index) => {
    const good = row.correct === true || (Array.isArray(answerIndexes) ? answerIndexes.includes(index) : answerIndexes === index);
    list.append(h("li", { class: good ? "is-correct" : "" },
      h("span", { class: "cls-bar-label", text: barLabel(row) }),
      h("span", { class: "cls-bar-track" }, h("span", { class: "cls-bar-fill", style: `width:${(100 * row.count) / total}%` })),
      h("span", { class: "cls-bar-count", text: String(row.count) }),
    ));
  });
  return list;
}

// A bar's label: a choice's own text (content), or 정답 / 오답 for the questions graded as a whole.
function barLabel(row) {
  if (row.correct === true) return t("정답");
  if (row.correct === false) return t("오답");
  return row.label;
}

export function roundCard(summary, title) {
  const pct = summary.percent_correct === null ? "—" : `${summary.percent_correct}%`;
  return h("div", { class: "cls-round", dataset: { round: String(summary.round) } },
    h("h3", { text: title }),
    h("p", { class: "cls-hint", text: `${t("응답 {answered}/{students}", summary)} · ${t("정답률 {pct}", { pct })}` }),
    bars(summary.bars, { answerIndexes: summary.answer }),
  );
}

export function readConfig() {
  return JSON.parse(document.getElementById("classroom-config").textContent);
}

// The heading of one discussion prompt on a card: its label as the lesson writes it, else its question.
export function promptTitle(prompt) {
  return prompt.label || prompt.question;
}

// One answer as text: the picked choices' names in the page's language, or the text itself.
export function answerText(prompt, value) {
  if (prompt.kind === "pick") {
    const names = new Map(prompt.choices.map((c) => [c.key, featureName(c)]));
    return (value || []).map((k) => names.get(k) || k).join(", ");
  }
  return value || "";
}

// A pair's shared answer as the share board, the spotlight and the projector show it (no names): one line
// per prompt of the class's lesson (`prompts`, as the hello frame carries them), in the lesson's words.
export function pairCard(pair, prompts, { number = true } = {}) {
  const given = pair.answers || {};
  return h("div", { class: "cls-paircard" },
    number ? h("p", { class: "cls-hint", text: t("{n}조", { n: pair.number }) }) : null,
    (prompts || []).map((prompt) => h("p", { dataset: { prompt: prompt.key }, title: prompt.question },
      h("strong", { text: `${promptTitle(prompt)}: ` }), answerText(prompt, given[prompt.key]) || "—")));
}

// The class chart of what pairs picked (the lesson's picker choices).
export function featureChart(rows) {
  return bars(rows.map((r) => ({ label: english ? r.en : `${r.label} (${r.en})`, count: r.count })));
}

// A picker choice by its name in the page's language (frames carry both: `label` and `en`).
export function featureName(feature) {
  return english && feature.en ? feature.en : feature.label;
}

// A question kind's name (the frames carry the Korean `kind_label`).
const KINDS = { single: t("단일 선택"), multiple: t("복수 선택"), ordering: t("순서 맞추기"), matching: t("짝 맞추기"), yaml: t("YAML 과제") };
export function kindLabel(question) {
  return KINDS[question?.kind] || question?.kind_label || question?.kind || "";
}

// What the demo cluster answered to a prediction's setup and action (the dashboard shows failures' output).
export function stepReport(steps, { outputs = false } = {}) {
  return h("ul", { class: "cls-ran" }, steps.filter((r) => r.kind === "command").map((r) => h("li", { dataset: { ok: String(r.ok) } },
    h("span", { "aria-hidden": "true", text: r.ok ? "✓ " : "✗ " }), h("code", { text: r.step }),
    r.ok ? null : h("span", { class: "cls-error", text: ` ${t("실패")}` }),
    outputs && r.output ? h("pre", { class: "cls-output", text: r.output }) : null)));
}

// The revealed answer of a live question — the correct choice(s), the order, or the pairs — and the
// explanation, for the projector and the students once the instructor reveals (null before).
export function revealedAnswer(live) {
  if (!live.revealed || !(live.answer_lines || []).length) return null;
  return h("div", { class: "cls-revealed" },
    h("p", { class: "cls-revealed-title" }, h("span", { "aria-hidden": "true", text: "✓ " }), t("정답 공개")),
    h("ol", { class: "cls-revealed-lines" }, live.answer_lines.map((line) => h("li", { text: line }))),
    live.explanation ? h("p", { class: "cls-revealed-why", text: live.explanation }) : null);
}
