// Small DOM helpers. Every piece of text goes in through textContent, so student input is never parsed as HTML.

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
      h("span", { class: "cls-bar-label", text: row.label }),
      h("span", { class: "cls-bar-track" }, h("span", { class: "cls-bar-fill", style: `width:${(100 * row.count) / total}%` })),
      h("span", { class: "cls-bar-count", text: String(row.count) }),
    ));
  });
  return list;
}

export function roundCard(summary, title) {
  const pct = summary.percent_correct === null ? "—" : `${summary.percent_correct}%`;
  return h("div", { class: "cls-round", dataset: { round: String(summary.round) } },
    h("h3", { text: title }),
    h("p", { class: "cls-hint", text: `응답 ${summary.answered}/${summary.students} · 정답률 ${pct}` }),
    bars(summary.bars, { answerIndexes: summary.answer }),
  );
}

export function readConfig() {
  return JSON.parse(document.getElementById("classroom-config").textContent);
}

// A pair's shared answer as the share board, the spotlight and the projector show it (no names).
export function pairCard(pair, features, { number = true } = {}) {
  const names = new Map(features.map((f) => [f.key, f.label]));
  return h("div", { class: "cls-paircard" },
    number ? h("p", { class: "cls-hint", text: `${pair.number}조` }) : null,
    h("p", {}, h("strong", { text: "가장 중요한 3가지: " }), pair.features.map((k) => names.get(k) || k).join(", ") || "—"),
    h("p", {}, h("strong", { text: "우리 프로젝트: " }), pair.practice || "—"),
    h("p", {}, h("strong", { text: "자동화 범위: " }), pair.automation || "—"));
}

// The class chart of the features pairs picked.
export function featureChart(rows) {
  return bars(rows.map((r) => ({ label: `${r.label} (${r.en})`, count: r.count })));
}

// What the demo cluster answered to a prediction's setup and action (the dashboard shows failures' output).
export function stepReport(steps, { outputs = false } = {}) {
  return h("ul", { class: "cls-ran" }, steps.filter((r) => r.kind === "command").map((r) => h("li", { dataset: { ok: String(r.ok) } },
    h("span", { "aria-hidden": "true", text: r.ok ? "✓ " : "✗ " }), h("code", { text: r.step }),
    r.ok ? null : h("span", { class: "cls-error", text: " 실패 · failed" }),
    outputs && r.output ? h("pre", { class: "cls-output", text: r.output }) : null)));
}
