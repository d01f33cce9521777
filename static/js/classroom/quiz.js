// Quiz forms: read the student's response in the protocol's shape, restore a stored one, show feedback.

import { h } from "./dom.js";

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

export function restoreResponse(form, response) {
  const kind = form.dataset.kind;
  if (response === null || response === undefined) return;
  if (kind === "single" || kind === "multiple") {
    const chosen = Array.isArray(response) ? response : [response];
    form.querySelectorAll("input").forEach((i) => { i.checked = chosen.includes(Number(i.value)); });
  } else if (kind === "ordering") {
    const list = form.querySelector(".quiz-order");
    const items = new Map([...list.children].map((li) => [Number(li.dataset.index), li]));
    response.forEach((index) => items.has(index) && list.append(items.get(index)));
  } else if (kind === "matching") {
    form.querySelectorAll("select").forEach((s, i) => { s.value = String(response[i]); });
  } else if (kind === "yaml") {
    form.querySelector("textarea").value = response;
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
    });
  });
}

export function showPending(form, text) {
  const box = form.querySelector(".quiz-feedback");
  box.dataset.correct = "";
  box.replaceChildren(h("p", { class: "cls-hint", text }));
}

export function showResult(form, result) {
  const box = form.querySelector(".quiz-feedback");
  box.dataset.correct = String(result.correct);
  const parts = [h("p", { class: "quiz-verdict", text: result.correct ? "✅ 정답입니다! · Correct" : "❌ 다시 생각해 보세요. · Not quite" })];
  if (result.detail) parts.push(h("p", { class: "quiz-detail", text: result.detail }));
  if (result.explanation) parts.push(h("p", { text: result.explanation }));
  if (result.section_url) {
    parts.push(h("a", { href: result.section_url, target: "_blank", rel: "noopener" }, "레슨에서 다시 보기 ", h("span", { class: "en", text: "Review in the lesson" })));
  }
  box.replaceChildren(...parts);
}

export function showError(form, message) {
  const box = form.querySelector(".quiz-feedback");
  box.dataset.correct = "";
  box.replaceChildren(h("p", { class: "cls-error", text: message }));
}
