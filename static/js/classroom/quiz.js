// Quiz forms: read the student's response in the protocol's shape, restore a stored one, show feedback.

import { h } from "./dom.js";
import { t } from "../i18n.js";

export function collectResponse(form) {
  const kind = form.dataset.kind;
  if (kind === "single") {
    const checked = form.querySelector("input[type=radio]:checked");
    return checked ? Number(checked.value) : null;
  }
  if (kind === "multiple") {
    return [...form.querySelectorAll("input[type=checkbox]:checked")].map((i) => Number(i.value));
  }
  if (kind === "ordering") {
    return [...form.querySelectorAll(".quiz-order li")].map((li) => Number(li.dataset.index));
  }
  if (kind === "matching") {
    const values = [...form.querySelectorAll("select")].map((s) => s.value);
    return values.some((v) => v === "") ? null : values.map(Number);
  }
  if (kind === "yaml") return form.querySelector("textarea").value;
  return null;
}

// What the student has picked or typed so far, for a draft: like collectResponse, but a half-done matching
// keeps its picks (null for a row not picked yet) and nothing picked is null.
export function collectDraft(form) {
  const kind = form.dataset.kind;
  if (kind === "matching") {
    const values = [...form.querySelectorAll("select")].map((s) => (s.value === "" ? null : Number(s.value)));
    return values.every((v) => v === null) ? null : values;
  }
  if (kind === "multiple") {
    const picked = collectResponse(form);
    return picked.length ? picked : null;
  }
  return collectResponse(form);
}

// Put a response (stored answer or draft) back into the form. Fields that already hold it are left alone,
// so a re-render never moves the caret of a textarea or the focus out of an ordering list.
export function restoreResponse(form, response) {
  const kind = form.dataset.kind;
  if (response === null || response === undefined) return;
  if (kind === "single" || kind === "multiple") {
    const chosen = Array.isArray(response) ? response : [response];
    form.querySelectorAll("input").forEach((i) => { i.checked = chosen.includes(Number(i.value)); });
  } else if (kind === "ordering") {
    if (!Array.isArray(response)) return;
    const list = form.querySelector(".quiz-order");
    const current = [...list.children].map((li) => Number(li.dataset.index));
    if (current.join(",") === response.join(",")) return;
    const items = new Map([...list.children].map((li) => [Number(li.dataset.index), li]));
    response.forEach((index) => items.has(index) && list.append(items.get(index)));
  } else if (kind === "matching") {
    if (!Array.isArray(response)) return;
    form.querySelectorAll("select").forEach((s, i) => {
      const value = response[i] === null || response[i] === undefined ? "" : String(response[i]);
      if (s.value !== value) s.value = value;
    });
  } else if (kind === "yaml") {
    const area = form.querySelector("textarea");
    if (typeof response === "string" && area.value !== response) area.value = response;
  }
}

export function wireOrdering(form) {
  form.querySelectorAll("[data-move]").forEach((button) => {
    button.addEventListener("click", () => {
      const li = button.closest("li");
      const move = Number(button.dataset.move);
      const sibling = move < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!sibling) return;
      if (move < 0) sibling.before(li); else sibling.after(li);
      button.focus();
      // A move is an edit like typing: let the page's draft listener see it.
      form.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
}

export function showPending(form, text) {
  const box = form.querySelector(".quiz-feedback");
  box.dataset.correct = "";
  box.dataset.pending = "true";
  box.replaceChildren(h("p", { class: "cls-hint", text }));
}

// The answer is stored, but its grade waits: the same question is the unrevealed peer-instruction question.
export function showHeld(form) {
  const box = form.querySelector(".quiz-feedback");
  box.dataset.correct = "";
  delete box.dataset.pending;
  box.replaceChildren(
    h("p", { class: "quiz-verdict", text: t("답을 저장했습니다.") }),
    h("p", { class: "cls-hint", text: t("지금 함께 푸는 문제라 결과는 강사가 공개한 뒤 다시 제출하면 볼 수 있습니다.") }),
  );
}

export function showResult(form, result) {
  const box = form.querySelector(".quiz-feedback");
  delete box.dataset.pending;
  box.dataset.correct = String(result.correct);
  const parts = [h("p", { class: "quiz-verdict", text: result.correct ? `✅ ${t("정답입니다!")}` : `❌ ${t("다시 생각해 보세요.")}` })];
  if (result.detail) parts.push(h("p", { class: "quiz-detail", text: result.detail }));
  if (result.explanation) parts.push(h("p", { text: result.explanation }));
  if (result.section_url) {
    parts.push(h("a", { href: result.section_url, target: "_blank", rel: "noopener" }, `${t("레슨에서 다시 보기")} `, h("span", { class: "en", text: "Review in the lesson" })));
  }
  box.replaceChildren(...parts);
}

export function showError(form, message) {
  const box = form.querySelector(".quiz-feedback");
  delete box.dataset.pending;
  box.dataset.correct = "";
  box.replaceChildren(h("p", { class: "cls-error", text: message }));
}
