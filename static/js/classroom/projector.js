// The projector: large type, no names. The current section and its clock, the live question with the
// histogram once the instructor reveals it (both rounds side by side), the spotlighted pair, the class chart.

import { connect, showStatus } from "./socket.js";
import { featureChart, formatClock, h, pairCard, readConfig, roundCard, serverOffset, stepReport } from "./dom.js";

const config = readConfig();
const state = { section: null, receivedAt: 0, features: [], discussion: null, offset: 0 };
connect(config.ws, { onMessage: handle, onStatus: (s) => showStatus(document.getElementById("socket-status"), s) });

function onSection(section) {
  state.section = section;
  state.receivedAt = Date.now();
  document.getElementById("now-title").textContent = section.title || "—";
  tick();
}

function tick() {
  const s = state.section;
  if (s) {
    const elapsed = s.elapsed + (s.running ? (Date.now() - state.receivedAt) / 1000 : 0);
    document.getElementById("section-timer").textContent = s.planned ? `${formatClock(elapsed)} / ${formatClock(s.planned)}` : "";
  }
  const el = document.getElementById("discussion-timer");
  const d = state.discussion;
  if (!d || !d.started_at) { el.hidden = true; return; }
  const left = d.seconds - (Date.now() + state.offset - d.started_at) / 1000;
  el.hidden = false;
  el.textContent = left > 0 ? `페어 토론 ${formatClock(left)}` : "토론 종료";
}
setInterval(tick, 1000);

function renderLive(live) {
  const box = document.getElementById("pj-live");
  box.hidden = !live.question;
  if (!live.question) return;
  const q = live.question;
  document.getElementById("pj-live-prompt").textContent = q.prompt;
  document.getElementById("pj-live-state").textContent = `${live.round}라운드 · ${live.revealed ? "결과" : "투표 중 — 휴대폰이나 노트북에서 답하세요"}`;
  const items = q.kind === "single" || q.kind === "multiple" ? q.choices : q.kind === "ordering" ? q.choices.map((c) => c.label) : [];
  document.getElementById("pj-live-choices").replaceChildren(...items.map((c) => h("li", { text: c })));
  document.getElementById("pj-live-rounds").replaceChildren(...live.rounds.map((r) => roundCard(r, `${r.round}라운드`)));
}

// Predict → observe: the prompt and, once played, the class's predictions beside the demo cluster.
function renderPredict(p) {
  const box = document.getElementById("pj-predict");
  box.hidden = !p.prediction;
  document.querySelector(".cls-projector").dataset.predict = String(!!p.prediction);
  if (!p.prediction) return;
  const q = p.prediction;
  document.getElementById("pj-predict-prompt").textContent = q.prompt;
  document.getElementById("pj-predict-state").textContent = p.played
    ? "실행했습니다 — 데모 클러스터를 보세요 · Watch the demo"
    : "데모를 멈췄습니다. 무슨 일이 일어날지 휴대폰이나 노트북에서 예측하세요 · Predict now";
  document.getElementById("pj-predict-choices").replaceChildren(...q.choices.map((c, i) =>
    h("li", { class: p.played && i === p.answer ? "is-answer" : "", text: c })));
  document.getElementById("pj-predict-result").replaceChildren(
    ...(p.played ? [
      roundCard(p.histogram, "우리 반의 예측 · Class predictions"),
      stepReport(p.outcome?.action || []),
      h("p", { class: "cls-pj-explain", text: p.explanation }),
    ] : []));
}

function renderSpotlight(pair) {
  const box = document.getElementById("pj-spotlight");
  box.hidden = !pair;
  if (pair) document.getElementById("pj-spotlight-body").replaceChildren(pairCard(pair, state.features));
}

function renderChart(rows) {
  state.features = rows.map((r) => ({ key: r.key, label: r.label, en: r.en }));
  document.getElementById("chart").replaceChildren(featureChart(rows));
}

function handle(msg) {
  switch (msg.type) {
    case "hello":
      state.offset = serverOffset(msg.section.server_now);
      onSection(msg.section);
      renderChart(msg.chart);
      renderLive(msg.live);
      renderSpotlight(msg.spotlight);
      renderPredict(msg.predict);
      state.discussion = msg.discussion;
      document.getElementById("student-count").textContent = String(msg.students);
      break;
    case "section": onSection(msg); break;
    case "live": renderLive(msg); break;
    case "spotlight": renderSpotlight(msg.pair); break;
    case "predict": renderPredict(msg); break;
    case "chart": renderChart(msg.features); break;
    case "roster": document.getElementById("student-count").textContent = String(msg.count); break;
    case "discussion": state.discussion = msg; state.offset = serverOffset(msg.server_now); tick(); break;
    default: break;
  }
}
