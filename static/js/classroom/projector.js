// The presenter view (1920×1080, no names ever): the instructor's current lesson section itself, large, with
// its diagrams drawn; the live moment in a side panel over it — the peer-instruction question with all its
// items and, once revealed, its histogram (both rounds), the prediction with the demo cluster taking the stage
// during predict → observe, the spotlighted pair, the discussion timer and the section clock. The join code
// and QR sit small in a corner; large before anyone joined, or on demand (J, or a click).

import { connect, showStatus } from "./socket.js";
import { featureChart, formatClock, h, kindLabel, pairCard, promptTitle, readConfig, revealedAnswer, roundCard, serverOffset, stepReport } from "./dom.js";
import { questionItems } from "./items.js";
import { bindShortcuts } from "./shortcuts.js";
import { renderDiagrams } from "../course/diagrams.js";
import { t } from "../i18n.js";

const config = readConfig();
const root = document.getElementById("presenter");
const slot = document.getElementById("pj-section");
const state = { section: null, receivedAt: 0, prompts: [], discussion: null, offset: 0, shown: null, students: 0, joinWanted: null };
connect(config.ws, { onMessage: handle, onStatus: (s) => showStatus(document.getElementById("socket-status"), s) });

// The lesson section ---------------------------------------------------------------------------------------
let loading = null;
async function showSection(slug) {
  if (!slug || slug === state.shown || slug === loading) return;
  loading = slug;
  try {
    const response = await fetch(config.fragment.replace("__slug__", slug), { headers: { "X-Requested-With": "fetch" } });
    if (!response.ok || loading !== slug) return;
    slot.innerHTML = await response.text(); // server-rendered lesson content, escaped by Django templates
    state.shown = slug;
    slot.scrollTop = 0;
    document.querySelector(".cls-pj-stage").scrollTop = 0;
    await renderDiagrams(slot);
    root.dataset.section = slug;
  } finally {
    if (loading === slug) loading = null;
  }
}

function onSection(section) {
  state.section = section;
  state.receivedAt = Date.now();
  document.getElementById("now-title").textContent = section.title || "—";
  showSection(section.section);
  tick();
}

function tick() {
  const s = state.section;
  if (s) {
    const elapsed = s.elapsed + (s.running ? (Date.now() - state.receivedAt) / 1000 : 0);
    const timer = document.getElementById("section-timer");
    const over = s.planned && elapsed > s.planned;
    timer.textContent = s.planned ? (over ? t("+{clock} 초과", { clock: formatClock(elapsed - s.planned) }) : `${formatClock(elapsed)} / ${formatClock(s.planned)}`) : formatClock(elapsed);
    timer.dataset.over = String(Boolean(over));
  }
  const el = document.getElementById("discussion-timer");
  const d = state.discussion;
  if (!d || !d.started_at) { el.hidden = true; return; }
  const left = d.seconds - (Date.now() + state.offset - d.started_at) / 1000;
  el.hidden = false;
  el.textContent = left > 0 ? t("페어 토론 {clock}", { clock: formatClock(left) }) : t("토론 종료");
  el.dataset.over = String(left <= 0);
}
setInterval(tick, 1000);

// The join corner: large until someone joins, or while the instructor asks for it ---------------------------
function showJoin() {
  const big = state.joinWanted ?? state.students === 0;
  root.dataset.join = big ? "big" : "small";
  document.getElementById("pj-join-small").setAttribute("aria-expanded", String(big));
}
function setStudents(count) {
  state.students = count;
  document.getElementById("student-count").textContent = String(count);
  document.getElementById("pj-count-big").textContent = String(count);
  showJoin();
}
function toggleJoin() {
  state.joinWanted = root.dataset.join !== "big";
  showJoin();
}
document.getElementById("pj-join-small").addEventListener("click", toggleJoin);
document.getElementById("pj-join-big").addEventListener("click", toggleJoin);

// Live question ------------------------------------------------------------------------------------------
function renderLive(live) {
  const box = document.getElementById("pj-live");
  box.hidden = !live.question;
  root.dataset.live = String(Boolean(live.question));
  if (!live.question) return;
  const q = live.question;
  document.getElementById("pj-live-kind").textContent = kindLabel(q);
  document.getElementById("pj-live-prompt").textContent = q.prompt;
  document.getElementById("pj-live-state").textContent = `${t("{n}라운드", { n: live.round })} · ${live.revealed ? t("결과") : t("투표 중 — 휴대폰이나 노트북에서 답하세요")}`;
  document.getElementById("pj-live-items").replaceChildren(questionItems(q));
  document.getElementById("pj-live-rounds").replaceChildren(...live.rounds.map((r) => roundCard(r, t("{n}라운드", { n: r.round }))),
    ...[revealedAnswer(live)].filter(Boolean));
}

// Predict → observe: the demo cluster takes the stage; the prompt and, once played, the predictions beside it.
function renderPredict(p) {
  const box = document.getElementById("pj-predict");
  box.hidden = !p.prediction;
  root.dataset.predict = String(Boolean(p.prediction));
  if (!p.prediction) return;
  const q = p.prediction;
  document.getElementById("pj-predict-prompt").textContent = q.prompt;
  document.getElementById("pj-predict-state").textContent = p.played
    ? t("실행했습니다 — 데모 클러스터에서 변화를 하나씩 보세요")
    : t("데모를 멈췄습니다. 무슨 일이 일어날지 휴대폰이나 노트북에서 예측하세요");
  document.getElementById("pj-predict-choices").replaceChildren(...q.choices.map((c, i) =>
    h("li", { class: p.played && i === p.answer ? "is-answer" : "", text: c })));
  document.getElementById("pj-predict-result").replaceChildren(
    ...(p.played ? [
      roundCard(p.histogram, t("우리 반의 예측")),
      stepReport(p.outcome?.action || []),
      h("p", { class: "cls-pj-explain", text: p.explanation }),
    ] : []));
}

function renderSpotlight(pair) {
  const box = document.getElementById("pj-spotlight");
  box.hidden = !pair;
  if (pair) document.getElementById("pj-spotlight-body").replaceChildren(pairCard(pair, state.prompts));
}

function renderChart(rows) {
  document.getElementById("chart").replaceChildren(featureChart(rows));
  // The class chart only once pairs have picked something (or while they discuss), and only for a lesson
  // whose discussion has a picker (no rows otherwise).
  document.getElementById("pj-chart").hidden = !rows.length || (!rows.some((r) => r.count > 0) && !(state.discussion?.started_at));
}

// The chart's title: the picker prompt's label as the lesson writes it (the fixed title when it has none).
function setChartTitle() {
  const picker = state.prompts.find((p) => p.kind === "pick");
  const title = document.getElementById("pj-chart-title");
  if (!picker || !title) return;
  title.textContent = promptTitle(picker);
  title.classList.add("cls-prompt"); // the lesson's own words, as written (not translated)
}

function handle(msg) {
  switch (msg.type) {
    case "hello":
      state.offset = serverOffset(msg.section.server_now);
      state.discussion = msg.discussion;
      state.prompts = msg.prompts || [];
      setChartTitle();
      onSection(msg.section);
      renderChart(msg.chart);
      renderLive(msg.live);
      renderSpotlight(msg.spotlight);
      renderPredict(msg.predict);
      setStudents(msg.students);
      break;
    case "section": onSection(msg); break;
    case "live": renderLive(msg); break;
    case "spotlight": renderSpotlight(msg.pair); break;
    case "predict": renderPredict(msg); break;
    case "chart": renderChart(msg.features); break;
    case "roster": setStudents(msg.count); break;
    case "discussion":
      state.discussion = msg;
      state.offset = serverOffset(msg.server_now);
      document.getElementById("pj-chart").hidden = !state.prompts.some((p) => p.kind === "pick");
      tick();
      break;
    case "ended":
      // The instructor ended the class (from the dashboard): say so on the screen the room is reading.
      if (!document.getElementById("class-ended")) {
        document.querySelector(".cls-pj-now")?.append(h("p", { id: "class-ended", class: "cls-ended", role: "status", text: t("수업이 끝났습니다") }));
      }
      break;
    default: break;
  }
}

// On the projector itself: J shows or hides the large join code, F goes full screen.
bindShortcuts({
  j: toggleJoin,
  f: () => (document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen?.()),
});
