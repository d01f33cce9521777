// The student's page: follow the instructor's section, answer quizzes, vote in peer instruction, and edit
// the pair's shared answer live.

import { connect, showStatus } from "./socket.js";
import { formatClock, h, pairCard, readConfig, roundCard, serverOffset } from "./dom.js";
import { collectResponse, restoreResponse, showError, showPending, showResult, wireOrdering } from "./quiz.js";
import { renderDiagrams } from "../course/diagrams.js";
import { handlePeople } from "./me.js";

const config = readConfig();
const slot = document.getElementById("section-slot");
const follow = document.getElementById("follow");
const backToLive = document.getElementById("back-to-live");
const state = { live: config.section, shown: config.section, answered: {}, pair: null, features: [], pending: null, offset: 0, discussion: null };

const socket = connect(config.ws, { onMessage: handle, onStatus: (s) => showStatus(document.getElementById("socket-status"), s) });

function wireSection(root) {
  root.querySelectorAll("form.quiz[data-key]").forEach((form) => {
    wireOrdering(form);
    const previous = state.answered[form.dataset.key];
    if (previous) restoreResponse(form, previous.response);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const response = collectResponse(form);
      if (response === null || (Array.isArray(response) && !response.length)) {
        showError(form, "답을 선택하세요. · Choose an answer.");
        return;
      }
      showPending(form, "채점 중… · Grading");
      socket.send("answer", { question: form.dataset.key, response, round: 0 });
    });
  });
  renderDiagrams(root);
}

async function showSection(slug) {
  if (slug === state.shown && slot.firstElementChild?.dataset.section === slug) return;
  const response = await fetch(config.fragment.replace("__slug__", slug), { headers: { "X-Requested-With": "fetch" } });
  if (!response.ok) return;
  slot.innerHTML = await response.text(); // server-rendered, escaped by Django templates
  state.shown = slug;
  wireSection(slot);
  markSections();
}

function markSections() {
  document.querySelectorAll(".cls-sections a").forEach((a) => {
    const slug = a.dataset.slug;
    if (slug === state.shown) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    a.querySelector(".cls-live-mark").hidden = slug !== state.live;
    a.classList.toggle("is-live", slug === state.live);
  });
  backToLive.hidden = follow.checked || state.shown === state.live;
  // On a phone the pair panel moves to the top while the class discusses (see classroom.css).
  document.querySelector(".cls-student").dataset.live = state.live;
}

document.querySelectorAll(".cls-sections a").forEach((a) => a.addEventListener("click", (event) => {
  event.preventDefault();
  if (a.dataset.slug !== state.live) follow.checked = false;
  showSection(a.dataset.slug);
}));
follow.addEventListener("change", () => { if (follow.checked) showSection(state.live); markSections(); });
backToLive.addEventListener("click", () => { follow.checked = true; showSection(state.live); markSections(); });

// Peer instruction -----------------------------------------------------------------------------------
const livePanel = document.getElementById("live-panel");
const liveForm = document.getElementById("live-form");
let liveKey = null;
let liveRound = 0;

function renderLive(live) {
  livePanel.hidden = !live.question;
  if (!live.question) { liveKey = null; return; }
  document.getElementById("live-round").textContent = `${live.round}라운드`;
  if (liveKey !== live.question.key || liveRound !== live.round) {
    liveKey = live.question.key;
    liveRound = live.round;
    liveForm.dataset.key = live.question.key;
    liveForm.dataset.kind = live.question.kind;
    const q = live.question;
    const fields = [];
    if (q.kind === "single" || q.kind === "multiple") {
      q.choices.forEach((choice, i) => fields.push(h("label", { class: "quiz-choice" },
        h("input", { type: q.kind === "single" ? "radio" : "checkbox", name: "live", value: String(i) }), " ", h("span", { text: choice }))));
    } else if (q.kind === "ordering") {
      fields.push(h("ol", { class: "quiz-order" }, q.choices.map((c) => h("li", { dataset: { index: String(c.index) } },
        h("span", { class: "quiz-order-label", text: c.label }),
        h("span", { class: "quiz-order-buttons" },
          h("button", { type: "button", class: "cls-icon", dataset: { move: "-1" }, "aria-label": `위로: ${c.label}`, text: "▲" }),
          h("button", { type: "button", class: "cls-icon", dataset: { move: "1" }, "aria-label": `아래로: ${c.label}`, text: "▼" }))))));
    } else if (q.kind === "matching") {
      q.choices.left.forEach((left, i) => fields.push(h("label", { class: "quiz-match-row" }, h("span", { text: left }),
        h("select", { name: `m${i}` }, h("option", { value: "", text: "선택…" }), q.choices.right.map((r, j) => h("option", { value: String(j), text: r }))))));
    }
    liveForm.replaceChildren(
      h("fieldset", {}, h("legend", { text: q.prompt }), ...fields),
      h("button", { type: "submit", class: "cls-button primary", text: "투표 · Vote" }),
      h("div", { class: "quiz-feedback", role: "status", "aria-live": "polite" }),
    );
    wireOrdering(liveForm);
  }
  const results = document.getElementById("live-results");
  results.replaceChildren(...(live.revealed ? live.rounds.map((r) => roundCard(r, `${r.round}라운드`)) : []));
}

liveForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const response = collectResponse(liveForm);
  if (response === null || (Array.isArray(response) && !response.length)) { showError(liveForm, "답을 선택하세요."); return; }
  showPending(liveForm, "투표 중…");
  socket.send("answer", { question: liveKey, response, round: liveRound });
});

// Predict → observe ------------------------------------------------------------------------------------
// The instructor paused the demo cluster and asks what will happen; the student commits a prediction
// before the action is played, then sees the class's predictions next to the outcome.
const predictPanel = document.getElementById("predict-panel");
const predictForm = document.getElementById("predict-form");
let predictKey = null;
let myPrediction = null;

function renderPredict(p) {
  predictPanel.hidden = !p.prediction;
  if (!p.prediction) { predictKey = null; return; }
  const q = p.prediction;
  document.getElementById("predict-phase").textContent = p.played ? "결과 · Outcome" : "예측 중 · Predict now";
  if (predictKey !== q.key) {
    if (predictKey !== null) myPrediction = null;
    predictKey = q.key;
    predictForm.dataset.key = q.key;
    predictForm.dataset.kind = "single";
    predictForm.replaceChildren(
      h("fieldset", {}, h("legend", { text: q.prompt }),
        ...q.choices.map((choice, i) => h("label", { class: "quiz-choice" },
          h("input", { type: "radio", name: "predict", value: String(i) }), " ", h("span", { text: choice })))),
      h("button", { type: "submit", class: "cls-button primary", text: "예측 제출 · Commit" }),
      h("div", { class: "quiz-feedback", role: "status", "aria-live": "polite" }),
    );
  }
  if (myPrediction !== null) restoreResponse(predictForm, myPrediction);
  predictForm.querySelectorAll("input, button").forEach((el) => { el.disabled = p.played; });
  const result = document.getElementById("predict-result");
  if (!p.played) { result.replaceChildren(); return; }
  const mine = myPrediction === null ? "예측하지 않았습니다" : (myPrediction === p.answer ? "✅ 내 예측이 맞았습니다" : "❌ 내 예측과 달랐습니다");
  const ran = (p.outcome?.action || []).map((r) => h("li", {}, h("code", { text: r.step }), r.ok ? "" : " — 실패"));
  result.replaceChildren(h("div", {},
    h("p", { class: "quiz-verdict", text: `${mine} · 정답: ${q.choices[p.answer] ?? ""}` }),
    h("p", { text: p.explanation }),
    ran.length ? h("div", {}, h("p", { class: "cls-hint", text: "데모 클러스터에서 실행한 명령 · Played on the demo" }), h("ul", { class: "cls-ran" }, ran)) : null,
    p.histogram ? roundCard(p.histogram, "반 전체의 예측 · Class predictions") : null,
  ));
}

predictForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const response = collectResponse(predictForm);
  if (response === null) { showError(predictForm, "보기를 하나 고르세요. · Choose one."); return; }
  showPending(predictForm, "저장 중…");
  socket.send("predict.vote", { prediction: predictKey, choice: response });
});

// Pair ----------------------------------------------------------------------------------------------
const pairBox = document.getElementById("pair-box");
const pairNone = document.getElementById("pair-none");
const featureBox = document.getElementById("pair-features");
const timers = {};
// A field this student changed in the last moment keeps its local value: the server's echo of an earlier
// keystroke or click must not undo a newer one. The latest pair state is applied once the moment passes.
const HOLD_MS = 1200;
const editedAt = {};
let reapply = null;

function renderFeatures(list) {
  state.features = list;
  for (const f of list) {
    featureBox.append(h("label", { class: "cls-chip" },
      h("input", { type: "checkbox", value: f.key, onchange: onFeature }), ` ${f.label} `, h("span", { class: "en", text: f.en })));
  }
}

function onFeature() {
  const picked = [...featureBox.querySelectorAll("input:checked")].map((i) => i.value);
  if (picked.length > 3) { this.checked = false; return; }
  editedAt.features = Date.now();
  socket.send("pair.update", { field: "features", value: picked });
  updateFeatureLimits(picked);
}

function updateFeatureLimits(picked) {
  document.getElementById("features-count").textContent = `${picked.length}/3`;
  featureBox.querySelectorAll("input").forEach((i) => { i.disabled = !i.checked && picked.length >= 3; });
}

document.querySelectorAll("#pair-box textarea").forEach((area) => {
  area.addEventListener("input", () => {
    clearTimeout(timers[area.id]);
    editedAt[area.dataset.field] = Date.now();
    document.getElementById("pair-sync").textContent = "입력 중…";
    timers[area.id] = setTimeout(() => {
      editedAt[area.dataset.field] = Date.now();
      socket.send("pair.update", { field: area.dataset.field, value: area.value });
    }, 250);
  });
});

function renderPair(pair) {
  state.pair = pair;
  pairNone.hidden = !!pair;
  pairBox.hidden = !pair;
  if (!pair) return;
  const others = pair.members.join(", ");
  document.getElementById("pair-members").textContent = `${pair.number}조 · ${others}${pair.code ? ` · 페어 코드 ${pair.code}` : ""}`;
  const now = Date.now();
  const held = (field) => now - (editedAt[field] || 0) < HOLD_MS;
  if (!held("features")) {
    featureBox.querySelectorAll("input").forEach((i) => { i.checked = pair.features.includes(i.value); });
    updateFeatureLimits(pair.features);
  }
  for (const area of pairBox.querySelectorAll("textarea")) {
    const value = pair[area.dataset.field] || "";
    if (!held(area.dataset.field) && area.value !== value) area.value = value;
  }
  if (["features", "practice", "automation"].some(held)) {
    clearTimeout(reapply);
    reapply = setTimeout(() => renderPair(state.pair), HOLD_MS);
  }
  document.getElementById("pair-sync").textContent = "저장됨 · Saved";
}

function renderSpotlight(pair) {
  const panel = document.getElementById("spotlight-panel");
  panel.hidden = !pair;
  if (pair) document.getElementById("spotlight-body").replaceChildren(pairCard(pair, state.features));
}

function tickDiscussion() {
  const el = document.getElementById("discussion-timer");
  const d = state.discussion;
  if (!d || !d.started_at) { el.hidden = true; return; }
  const left = d.seconds - (Date.now() + state.offset - d.started_at) / 1000;
  el.hidden = false;
  el.textContent = left > 0 ? `남은 시간 ${formatClock(left)}` : "토론 시간 종료";
  el.dataset.over = String(left <= 0);
}
setInterval(tickDiscussion, 1000);

// Messages ------------------------------------------------------------------------------------------
function onSection(section) {
  state.live = section.section;
  if (follow.checked) showSection(section.section); else markSections();
}

function handle(msg) {
  if (handlePeople(msg)) return; // renamed, removed, checklist (me.js)
  switch (msg.type) {
    case "hello":
      state.offset = serverOffset(msg.section.server_now);
      state.answered = msg.answered;
      if (!state.features.length) renderFeatures(msg.features);
      slot.querySelectorAll("form.quiz[data-key]").forEach((f) => state.answered[f.dataset.key] && restoreResponse(f, state.answered[f.dataset.key].response));
      onSection(msg.section);
      renderLive(msg.live);
      renderPair(msg.pair);
      renderSpotlight(msg.spotlight);
      myPrediction = msg.my_prediction;
      renderPredict(msg.predict);
      state.discussion = msg.discussion;
      tickDiscussion();
      break;
    case "section": onSection(msg); break;
    case "answer.result": {
      const form = msg.round === 0 ? document.getElementById(`quiz-${msg.question}`) : liveForm;
      if (msg.round === 0) state.answered[msg.question] = { response: form ? collectResponse(form) : null, correct: msg.correct };
      if (form) {
        if (msg.round === 0) showResult(form, msg);
        else form.querySelector(".quiz-feedback").replaceChildren(h("p", { text: "투표했습니다. 결과 공개를 기다리세요. · Vote recorded" }));
      }
      break;
    }
    case "live": renderLive(msg); break;
    case "predict": renderPredict(msg); break;
    case "predict.voted":
      myPrediction = msg.choice;
      if (msg.prediction === predictKey) {
        restoreResponse(predictForm, msg.choice);
        predictForm.querySelector(".quiz-feedback").replaceChildren(h("p", { text: "예측을 저장했습니다. 강사가 실행하면 결과를 함께 봅니다. · Prediction saved" }));
      }
      break;
    case "pair": renderPair(msg.pair); break;
    case "spotlight": renderSpotlight(msg.pair); break;
    case "discussion": state.discussion = msg; state.offset = serverOffset(msg.server_now); tickDiscussion(); break;
    case "error": {
      const pending = document.querySelector(".quiz-feedback .cls-hint");
      const form = pending?.closest("form");
      if (form) showError(form, msg.message);
      else document.getElementById("pair-sync").textContent = msg.message;
      break;
    }
    default: break;
  }
}

wireSection(slot);
setInterval(() => socket.send("ping", {}, { queue: false }), 25000);
