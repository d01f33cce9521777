// The guided scenario panel: steps rendered by the template, their state driven by `scenario` frames
// (a step completes when the cluster's state shows it, never by a click here).

import { t } from "../i18n.js";

export function createScenarioPanel(root, { onHint = () => {}, onYaml = () => {}, onRestart = () => {} } = {}) {
  if (!root) return { update() {} };
  const progress = root.querySelector('[data-part="progress"]');
  const items = [...root.querySelectorAll('[data-part="steps"] > li')];
  let last = null;

  root.addEventListener("click", (event) => {
    const hint = event.target.closest?.("[data-hint]");
    if (hint) onHint(hint.dataset.hint, hint.dataset.on || "a");
    const yaml = event.target.closest?.("[data-yaml-step]");
    if (yaml) {
      const source = root.querySelector(`template[data-yaml-for="${yaml.dataset.yamlStep}"]`);
      if (source) onYaml(source.content.textContent || source.innerHTML, yaml.dataset.on || "a");
    }
    if (event.target.closest?.('[data-action="restart-scenario"]')) onRestart();
  });

  function update(scenario) {
    if (!scenario) {
      progress.textContent = t("시나리오를 시작하는 중… · Starting");
      return;
    }
    const steps = scenario.steps || [];
    steps.forEach((step, i) => {
      const li = items[i];
      if (!li) return;
      const state = step.done ? "done" : i === scenario.current && !scenario.complete ? "current" : "todo";
      li.dataset.state = state;
      li.querySelector(".viz-step-mark").textContent = state === "done" ? "✔" : state === "current" ? "▶" : "○";
      li.querySelector(".viz-step-state").textContent = state === "done" ? t("완료") : state === "current" ? t("지금 할 일") : t("할 일");
      if (state === "current") li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });
    const done = steps.filter((s) => s.done).length;
    const text = scenario.complete
      ? `🎉 ${t("모든 단계를 마쳤습니다 ({done}/{total}) · Scenario complete", { done, total: steps.length })}`
      : t("{done}/{total} 단계 완료 · 지금: {title}", { done, total: steps.length, title: steps[scenario.current]?.title || "" });
    if (text !== last) {
      progress.textContent = text;
      last = text;
    }
  }
  return { update };
}
