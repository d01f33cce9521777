// 세션 마무리 checklist, one view on both sides: the dashboard's class list, and on the student's page the
// lesson's own task list (bound to the evidence by the server, see course/classroom/checklist.py) updated
// live from `checklist` frames. A box is ticked only by evidence, never in advance.

import { h } from "./dom.js";
import { t } from "../i18n.js";

// The outcomes' labels (course.models.classroom.Outcome, the lesson's own words) for an English page.
const LABELS = {
  definition: t("오케스트레이션의 정확한 정의와 철학 이해"),
  features: t("8가지 핵심 기능과 각각의 역할 파악"),
  architecture: t("마스터-워커 아키텍처 구조 이해"),
  declarative: t("선언적 관리의 개념과 장점 인식"),
};
const label = (o) => LABELS[o.outcome] || o.label;

// The class list on the dashboard: an outcome is ticked once at least half of the students present reached it.
export function renderClassChecklist(list, checklist) {
  list.replaceChildren(...checklist.outcomes.map((o) => {
    const done = o.students > 0 && o.reached * 2 >= o.students;
    return h("li", { class: "cls-task", dataset: { done: String(done), outcome: o.outcome } },
      h("input", { type: "checkbox", disabled: true, checked: done, "aria-label": label(o) }), " ",
      label(o), " ",
      h("span", { class: "cls-hint", text: `(${t("{reached}/{students}명 달성, {percent}%", o)}${o.by_scenario ? ` · ${t("시나리오 {n}명", { n: o.by_scenario })}` : ""})` }));
  }));
}

export function evidenceText(row) {
  const quiz = t("퀴즈 {correct}/{answered} 정답", row);
  return row.by_scenario ? `${quiz} · ${t("가이드 시나리오로 확인")}` : quiz;
}

// The student's own checklist: tick the bound task items and refresh the evidence beside them.
export function applyMyChecklist(root, checklist) {
  if (!root || !checklist) return;
  for (const row of checklist.outcomes) {
    for (const li of root.querySelectorAll(`[data-outcome="${row.outcome}"]`)) {
      li.dataset.done = String(row.done);
      const box = li.querySelector('input[type="checkbox"]');
      if (box) box.checked = row.done;
      const evidence = li.querySelector('[data-part="evidence"]');
      if (evidence) evidence.textContent = `(${evidenceText(row)})`;
    }
  }
  const done = root.querySelector("#scenarios-done");
  const none = root.querySelector("#scenarios-none");
  if (done && none) {
    done.hidden = !checklist.scenarios.length;
    none.hidden = !!checklist.scenarios.length;
    const names = done.querySelector('[data-part="scenarios"]');
    if (names) names.textContent = checklist.scenarios.join(", ");
  }
}
