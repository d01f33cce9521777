// A question's items as the room sees them, without inputs: choices (A, B, …), the ordering items in the
// shuffled order students get, a matching question's left items (1, 2, …) and its targets (A, B, …).
// Shared by the projector and the dashboard; text goes in through h() (textContent) only.

import { h } from "./dom.js";
import { t } from "../i18n.js";

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

export function questionItems(question) {
  const { kind, choices } = question;
  if (kind === "single" || kind === "multiple") {
    return h("ol", { class: "cls-items", type: "A", dataset: { kind } }, choices.map((c) => h("li", { text: c })));
  }
  if (kind === "ordering") {
    return h("div", { class: "cls-items-wrap", dataset: { kind } },
      h("p", { class: "cls-hint", text: t("올바른 순서로 배열하세요") }),
      h("ul", { class: "cls-items cls-items-order" }, choices.map((c) => h("li", { text: c.label }))));
  }
  if (kind === "matching") {
    return h("div", { class: "cls-items-match", dataset: { kind } },
      h("div", {},
        h("p", { class: "cls-hint", text: t("항목") }),
        h("ol", { class: "cls-items cls-match-left" }, (choices.left || []).map((c) => h("li", { text: c })))),
      h("div", {},
        h("p", { class: "cls-hint", text: t("짝") }),
        h("ol", { class: "cls-items cls-match-right", type: "A" }, (choices.right || []).map((c) => h("li", { text: c })))));
  }
  return h("p", { class: "cls-hint", text: t("YAML 과제") });
}

// The answer of a matching or ordering question, for the instructor (from the dashboard's config).
export function answerKey(meta) {
  if (meta?.pairs) {
    return h("ol", { class: "cls-answerkey" }, meta.pairs.map(([left, right]) => h("li", {}, left, " → ", h("strong", { text: right }))));
  }
  if (meta?.order) return h("ol", { class: "cls-answerkey" }, meta.order.map((c) => h("li", { text: c })));
  return null;
}

export { LETTERS };
