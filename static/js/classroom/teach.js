// The instructor's dashboard (1366×768 laptop): a sticky bar with pacing, the section clock and what is live;
// the agenda and join info beside tabs for peer instruction and predictions, quiz results, pairs and the share
// board, the demo cluster, the roster and the checklist. Keyboard shortcuts drive the moment (see the `?` help).
// Everything arrives over the socket; nothing here needs a reload.

import { connect, showStatus } from "./socket.js";
import { featureChart, formatClock, h, kindLabel, pairCard, readConfig, roundCard, serverOffset, stepReport } from "./dom.js";
import { answerKey, questionItems } from "./items.js";
import { bindShortcuts } from "./shortcuts.js";
import { createRoster } from "./roster.js";
import { renderClassChecklist } from "./checklist.js";
import { t, tn } from "../i18n.js";

const config = readConfig();
const state = { section: null, offset: 0, receivedAt: 0, results: new Map(), live: null, board: [], spotlight: null, prompts: [], discussion: null, moment: { live: "", predict: "" } };
const socket = connect(config.ws, { onMessage: handle, onStatus: (s) => showStatus(document.getElementById("socket-status"), s) });
const send = (type, fields = {}) => socket.send(type, fields);

// Pacing ------------------------------------------------------------------------------------------------
const slugs = [...document.querySelectorAll("#agenda li")].map((li) => li.dataset.slug);
document.getElementById("prev-section").addEventListener("click", () => move(-1));
document.getElementById("next-section").addEventListener("click", () => move(1));
document.querySelectorAll("[data-goto]").forEach((b) => b.addEventListener("click", () => send("section.set", { section: b.dataset.goto })));

// Presses come faster than the server's echo: step from the section last asked for, not the one last shown,
// so → → moves two sections. Its echo (or PENDING_MS without one) ends the wait.
const PENDING_MS = 3000;
let requested = null;

function move(step) {
  const pending = requested && Date.now() - requested.at < PENDING_MS ? requested.slug : null;
  const from = pending || state.section?.section;
  const index = slugs.indexOf(from);
  const target = slugs[Math.min(Math.max(index + step, 0), slugs.length - 1)];
  if (target && target !== from) {
    requested = { slug: target, at: Date.now() };
    send("section.set", { section: target });
  }
}

function tick() {
  const s = state.section;
  if (!s) return;
  const running = s.running ? (Date.now() - state.receivedAt) / 1000 : 0;
  const elapsed = s.elapsed + running;
  const timer = document.getElementById("section-timer");
  const over = s.planned && elapsed > s.planned;
  timer.textContent = s.planned ? (over ? t("+{clock} 초과", { clock: formatClock(elapsed - s.planned) }) : `${formatClock(elapsed)} / ${formatClock(s.planned)}`) : formatClock(elapsed);
  timer.dataset.over = String(Boolean(over));
  for (const row of s.agenda) {
    const cell = document.querySelector(`#agenda li[data-slug="${row.slug}"] .cls-agenda-time`);
    const li = cell?.closest("li");
    if (!cell) continue;
    const spent = row.elapsed + (row.current ? running : 0);
    li.dataset.current = String(row.current);
    li.dataset.over = String(Boolean(row.planned && spent > row.planned));
    cell.textContent = row.planned ? `${formatClock(spent)} / ${formatClock(row.planned)}` : (spent ? formatClock(spent) : "");
  }
  tickDiscussion();
}
setInterval(tick, 1000);

function onSection(section) {
  state.section = section;
  if (requested?.slug === section.section) requested = null;
  state.receivedAt = Date.now();
  document.getElementById("now-title").textContent = section.title || "—";
  tick();
}

// Quiz results ------------------------------------------------------------------------------------------
function resultCard(summary) {
  const meta = config.questions[summary.question] || { prompt: summary.prompt, section: "" };
  const pct = summary.percent_correct === null ? "—" : `${summary.percent_correct}%`;
  const waiting = summary.not_answered;
  const key = answerKey(meta);
  return h("article", { class: "cls-result", id: `result-${summary.question}`, dataset: { question: summary.question, kind: meta.kind || "" } },
    h("h3", {}, h("span", { class: "cls-pill", text: meta.section }), " ", meta.kind ? h("span", { class: "cls-pill cls-kind", text: kindLabel(meta) }) : null, " ", meta.prompt),
    h("p", { class: "cls-result-meta" },
      h("span", { class: "cls-answered", text: t("응답 {answered}/{students}", summary) }), " · ",
      h("span", { class: "cls-percent", text: t("정답률 {pct}", { pct }) })),
    summary.answered ? h("div", {}, roundCard(summary, "").querySelector(".cls-bars")) : null,
    key ? h("details", { class: "cls-key" }, h("summary", { text: meta.pairs ? t("정답 짝 보기") : t("정답 순서 보기") }), key) : null,
    waiting.length ? h("details", { class: "cls-waiting" }, h("summary", { text: tn("아직 안 푼 학생 {n}명", waiting.length) }), h("p", { text: waiting.join(", ") })) : null,
  );
}

function renderResult(summary) {
  if (summary.round !== 0) {
    // A peer-instruction vote: the instructor watches the round fill up before revealing it.
    const live = state.live;
    if (live?.question?.key === summary.question) {
      live.rounds[summary.round - 1] = summary;
      renderLive(live);
    }
    return;
  }
  state.results.set(summary.question, summary);
  const grid = document.getElementById("results");
  const card = resultCard(summary);
  const existing = document.getElementById(`result-${summary.question}`);
  if (existing) existing.replaceWith(card);
  else grid.append(card);
}

// Peer instruction ------------------------------------------------------------------------------------
document.getElementById("live-open").addEventListener("click", () => send("live.open", { question: document.getElementById("live-question").value }));
document.getElementById("live-reveal").addEventListener("click", () => send("live.reveal"));
document.getElementById("live-revote").addEventListener("click", () => send("live.revote"));
document.getElementById("live-close").addEventListener("click", () => send("live.close"));

function renderLive(live) {
  state.live = live;
  const open = !!live.question;
  document.getElementById("live-reveal").disabled = !open || live.revealed;
  // One question at a time: opening again would clear its votes, so the open one is closed first (Esc).
  document.getElementById("live-open").disabled = open;
  document.getElementById("live-revote").disabled = !open || live.round !== 1 || !live.revealed;
  document.getElementById("live-close").disabled = !open;
  const votes = live.rounds[live.round - 1];
  document.getElementById("live-state").textContent = open
    ? `${t("{n}라운드 투표 중", { n: live.round })} · ${live.revealed ? t("결과 공개됨") : t("결과 비공개")} — ${live.question.prompt}`
    : t("열린 문제가 없습니다.");
  const meta = open ? config.questions[live.question.key] : null;
  const key = open ? answerKey(meta) : null;
  document.getElementById("live-items").replaceChildren(...(open ? [questionItems(live.question),
    key ? h("details", { class: "cls-key" }, h("summary", { text: meta.pairs ? t("정답 짝 보기") : t("정답 순서 보기") }), key) : null].filter(Boolean) : []));
  document.getElementById("live-rounds").replaceChildren(...live.rounds.map((r) => roundCard(r, t("{n}라운드", { n: r.round }))));
  state.moment.live = open ? `${t("피어 인스트럭션 {n}라운드", { n: live.round })} · ${votes ? t("{answered}/{students}명 응답", votes) : ""} · ${live.revealed ? t("공개됨") : t("비공개 (R로 공개)")}` : "";
  showMoment();
}

// What is live right now, in the sticky bar (whichever tab is open).
function showMoment() {
  const parts = [state.moment.live, state.moment.predict].filter(Boolean);
  document.getElementById("moment-text").textContent = parts.length ? parts.join(" · ") : t("열린 문제가 없습니다.");
}

// Predict → observe -----------------------------------------------------------------------------------
// Opening pauses the demo cluster and prepares it; playing runs the action there and reveals the histogram.
document.getElementById("predict-open").addEventListener("click", () => {
  document.getElementById("predict-state").textContent = t("데모 클러스터를 준비하는 중…");
  send("predict.open", { prediction: document.getElementById("predict-prompt").value });
});
document.getElementById("predict-play").addEventListener("click", () => send("predict.play"));
document.getElementById("predict-close").addEventListener("click", () => send("predict.close"));

function renderPredict(p) {
  const open = !!p.prediction;
  document.getElementById("predict-play").disabled = !open || p.played;
  document.getElementById("predict-close").disabled = !open;
  const hist = p.histogram;
  document.getElementById("predict-state").textContent = !open
    ? t("열린 예측 문제가 없습니다.")
    : p.played
      ? t("실행했습니다 — 데모 클러스터에서 결과를 함께 보세요.")
      : `${t("데모 일시정지")} · ${t("예측 받는 중")} ${hist ? t("{answered}/{students}명", hist) : ""} (${t("학생에게는 비공개")})`;
  state.moment.predict = !open ? "" : p.played ? t("예측 → 관찰: 실행함") : `${t("예측 받는 중")} ${hist ? t("{answered}/{students}명", hist) : ""} (${t("E로 실행")})`;
  showMoment();
  const body = document.getElementById("predict-body");
  if (!open) { body.replaceChildren(); return; }
  const q = p.prediction;
  const failed = (p.outcome?.setup || []).filter((r) => !r.ok);
  // Through h(): it skips the parts that are null (replaceChildren would print them as "null").
  body.replaceChildren(h("div", {},
    h("h3", { text: q.prompt }),
    hist ? roundCard(hist, p.played ? t("예측 결과 (공개됨)") : t("예측 현황")) : null,
    hist && hist.not_answered.length && !p.played
      ? h("details", { class: "cls-waiting" }, h("summary", { text: tn("아직 예측하지 않은 학생 {n}명", hist.not_answered.length) }), h("p", { text: hist.not_answered.join(", ") }))
      : null,
    failed.length ? h("div", { class: "cls-error" }, t("준비 명령 실패"), stepReport(failed, { outputs: true })) : null,
    h("p", { class: "cls-hint" }, `${t("실행할 명령")}: `, h("code", { text: q.action })),
    p.played ? h("div", {}, stepReport(p.outcome?.action || [], { outputs: true }), h("p", { text: p.explanation })) : null,
  ));
}

// Pairs and share board --------------------------------------------------------------------------------
document.getElementById("form-pairs").addEventListener("click", () => send("pairs.form"));
document.getElementById("start-discussion").addEventListener("click", () => send("discussion.start"));
document.getElementById("clear-spotlight").addEventListener("click", () => send("spotlight.set", { pair: null }));

function renderBoard() {
  const board = document.getElementById("board");
  board.replaceChildren(...state.board.map((pair) => h("article", {
    class: "cls-boardcard", id: `pair-${pair.id}`, dataset: { hidden: String(pair.hidden), spotlight: String(state.spotlight === pair.id) },
  },
    h("h3", {}, `${t("{n}조", { n: pair.number })} `, h("span", { class: "cls-hint", text: pair.members.join(", ") })),
    pairCard(pair, state.prompts, { number: false }),
    h("p", { class: "cls-actions" },
      h("button", { type: "button", class: "cls-button small", onclick: () => send("spotlight.set", { pair: pair.id }), disabled: pair.hidden,
        text: state.spotlight === pair.id ? `★ ${t("프로젝터에 표시 중")}` : t("프로젝터에 표시") }),
      h("button", { type: "button", class: "cls-button small", onclick: () => send("pair.hide", { pair: pair.id, hidden: !pair.hidden }),
        text: pair.hidden ? t("다시 보이기") : t("숨기기") })),
  )));
}

function upsertPair(pair) {
  const index = state.board.findIndex((p) => p.id === pair.id);
  if (index >= 0) state.board[index] = pair; else state.board.push(pair);
  renderBoard();
}

function renderChart(rows) {
  const chart = document.getElementById("chart");
  chart.hidden = !rows.length; // a lesson whose discussion has no picker has no chart
  chart.replaceChildren(featureChart(rows));
}

function tickDiscussion() {
  const el = document.getElementById("discussion-timer");
  const d = state.discussion;
  if (!d || !d.started_at) { el.hidden = true; return; }
  const left = d.seconds - (Date.now() + state.offset - d.started_at) / 1000;
  el.hidden = false;
  el.textContent = left > 0 ? t("토론 {clock}", { clock: formatClock(left) }) : t("토론 +{clock} 초과", { clock: formatClock(-left) });
  el.dataset.over = String(left <= 0);
}

// Roster and checklist (roster.js, checklist.js) -------------------------------------------------------------
const roster = createRoster({
  list: document.getElementById("roster"),
  count: document.getElementById("student-count"),
  online: document.getElementById("online-count"),
  status: document.getElementById("roster-status"),
  send,
});
const renderRoster = (msg) => roster.update(msg);
const renderChecklist = (msg) => renderClassChecklist(document.getElementById("checklist"), msg);

function handle(msg) {
  switch (msg.type) {
    case "hello":
      state.offset = serverOffset(msg.section.server_now);
      onSection(msg.section);
      renderRoster(msg.roster);
      document.getElementById("results").replaceChildren();
      msg.results.forEach(renderResult);
      renderLive(msg.live);
      state.prompts = msg.prompts || [];
      renderChart(msg.chart);
      state.spotlight = msg.spotlight;
      state.board = msg.board;
      renderBoard();
      state.discussion = msg.discussion;
      renderChecklist(msg.checklist);
      renderPredict(msg.predict);
      break;
    case "section": onSection(msg); break;
    case "roster": renderRoster(msg); break;
    case "results": renderResult(msg); break;
    case "live": renderLive(msg); break;
    case "pair": upsertPair(msg.pair); break;
    case "board": state.board = msg.pairs; renderBoard(); break;
    case "chart": renderChart(msg.features); renderBoard(); break;
    case "spotlight": state.spotlight = msg.pair; renderBoard(); break;
    case "checklist": renderChecklist(msg); break;
    case "predict": renderPredict(msg); break;
    case "discussion": state.discussion = msg; state.offset = serverOffset(msg.server_now); tickDiscussion(); break;
    case "ended": {
      // Ended from another tab or window: this dashboard shows it too, without a reload.
      const form = document.getElementById("end-form");
      if (form) form.replaceWith(h("p", { id: "class-ended", class: "cls-ended", role: "status", text: t("수업이 끝났습니다") }));
      break;
    }
    case "error":
      if (roster.error(msg)) break;
      document.getElementById("socket-status").textContent = msg.message;
      if (["unknown_prediction", "no_prediction", "already_played", "question_broken"].includes(msg.code)) {
        document.getElementById("predict-state").textContent = msg.message;
      }
      break;
    default: break;
  }
}

setInterval(() => socket.send("ping", {}, { queue: false }), 25000);

// Tabs (the ARIA tabs pattern: arrow keys move between tabs, 1–5 from anywhere) --------------------------
const tabs = [...document.querySelectorAll('.cls-tabs [role="tab"]')];
function selectTab(tab, focus = false) {
  for (const other of tabs) {
    const on = other === tab;
    other.setAttribute("aria-selected", String(on));
    other.tabIndex = on ? 0 : -1;
    document.getElementById(other.getAttribute("aria-controls")).hidden = !on;
  }
  if (focus) tab.focus();
}
tabs.forEach((tab, i) => {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    selectTab(tabs[(i + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length], true);
  });
});
document.getElementById("live-open").addEventListener("click", () => selectTab(tabs[0]));

// Keyboard shortcuts (listed behind `?` and in docs/classroom.md) -----------------------------------------
const help = document.getElementById("shortcut-help");
const toggleHelp = () => (help.open ? help.close() : help.showModal());
document.getElementById("help-open").addEventListener("click", toggleHelp);
// A shortcut presses its button, so a disabled one (nothing to reveal, no second round yet) does nothing.
const press = (id) => () => { const b = document.getElementById(id); if (!b.disabled) b.click(); };
bindShortcuts({
  arrowleft: () => move(-1),
  arrowright: () => move(1),
  o: press("live-open"),
  r: press("live-reveal"),
  n: press("live-revote"),
  e: press("predict-play"),
  d: press("start-discussion"),
  escape: () => (document.getElementById("live-close").disabled ? press("predict-close")() : press("live-close")()),
  p: () => window.open(config.projector, `projector-${config.code}`),
  "?": toggleHelp,
  ...Object.fromEntries(tabs.map((tab, i) => [String(i + 1), () => selectTab(tab)])),
});
