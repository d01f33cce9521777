// The student's page: follow the instructor's section, answer quizzes, vote in peer instruction, and edit
// the pair's shared answer live.
//
// Nothing a student picked or typed is lost: every quiz form, the live vote and the prediction keep a draft
// in localStorage (drafts.js) until the server confirms the answer is stored, so a section change, a reload
// or a closed tab gives it back. What the instructor pushes opens in a fixed sheet (sheet.js) that never
// moves the page. When the instructor moves on while the student is mid-answer (focus in a quiz form with an
// unsaved draft, or in a text field), the page stays and a banner offers to follow; it follows on 이동, and
// 여기 머물기 turns following off (지금 강의로 돌아가기 brings them back). A followed section opens at its top.

import { connect, showStatus } from "./socket.js";
import { formatClock, h, pairCard, readConfig, revealedAnswer, roundCard, serverOffset } from "./dom.js";
import { collectDraft, collectResponse, restoreResponse, showError, showHeld, showPending, showResult, wireOrdering } from "./quiz.js";
import { createDrafts } from "./drafts.js";
import { createSheet } from "./sheet.js";
import { renderDiagrams } from "../course/diagrams.js";
import { wireRunnable } from "../course/runnable.js";
import { initPair, pairHello, pairMessage } from "./pair.js";
import { handlePeople } from "./me.js";
import { t } from "../i18n.js";

const config = readConfig();
const slot = document.getElementById("section-slot");
const follow = document.getElementById("follow");
const backToLive = document.getElementById("back-to-live");
const state = { live: config.section, liveTitle: "", shown: config.section, answered: {}, liveVotes: {}, prompts: [], pending: null, offset: 0, discussion: null };
const drafts = createDrafts(config.code, document.querySelector(".cls-student").dataset.student);
const sheet = createSheet(document.getElementById("class-sheet"), { offset: () => state.offset });

const socket = connect(config.ws, { onMessage: handle, onStatus: (s) => showStatus(document.getElementById("socket-status"), s) });
initPair(socket);

function hasValue(value) {
  return value !== null && value !== undefined;
}

// The form shows the newest of: the unsaved draft, else the stored answer.
function restoreForm(form) {
  const draft = drafts.load("quiz", form.dataset.key);
  const previous = state.answered[form.dataset.key];
  form.dataset.draft = String(hasValue(draft));
  restoreResponse(form, hasValue(draft) ? draft : previous?.response);
}

function wireSection(root) {
  root.querySelectorAll("form.quiz[data-key]").forEach((form) => {
    wireOrdering(form);
    restoreForm(form);
    const keep = () => {
      drafts.save("quiz", form.dataset.key, collectDraft(form));
      form.dataset.draft = "true";
    };
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const response = collectResponse(form);
      if (response === null || (Array.isArray(response) && !response.length)) {
        showError(form, t("답을 선택하세요."));
        return;
      }
      showPending(form, t("채점 중…"));
      socket.send("answer", { question: form.dataset.key, response, round: 0 });
    });
  });
  renderDiagrams(root);
  wireRunnable(root);
}

// Open the section at its top: only scroll when its top edge has gone above the viewport.
function toSectionTop() {
  const top = slot.getBoundingClientRect().top;
  if (top < 0) window.scrollTo({ top: Math.max(0, top + window.scrollY - 8), behavior: "instant" });
}

// The latest section asked for wins: the instructor's → → sends two moves at once, and their fragments can come
// back in either order on a busy LAN; a fetch that is no longer the latest is dropped, or the page would stay
// on the section the class has left.
let showing = 0;

async function showSection(slug) {
  hideBanner();
  const mine = ++showing;
  if (slug === state.shown && slot.firstElementChild?.dataset.section === slug) return;
  const response = await fetch(config.fragment.replace("__slug__", slug), { headers: { "X-Requested-With": "fetch" } });
  if (!response.ok || mine !== showing) return;
  const html = await response.text();
  if (mine !== showing) return;
  slot.innerHTML = html; // server-rendered, escaped by Django templates
  state.shown = slug;
  wireSection(slot);
  markSections();
  toSectionTop();
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

// Following without yanking ---------------------------------------------------------------------------
const banner = document.getElementById("follow-banner");

// Mid-answer: the focus is in a quiz form of this section holding an unsaved draft, or in a text field
// elsewhere on the page (the pair's answer). The sheet does not move with sections, so it never counts.
function isBusy() {
  const el = document.activeElement;
  if (!el || el === document.body || el.closest("#class-sheet")) return false;
  const form = el.closest("form.quiz[data-key]");
  if (form && slot.contains(form)) return form.dataset.draft === "true";
  return el.matches("textarea, select, input:not([type]), input[type=text]");
}

function showBanner(title) {
  document.getElementById("follow-banner-text").textContent = t("강사가 ‘{title}’(으)로 이동했습니다", { title });
  banner.hidden = false;
}

function hideBanner() {
  banner.hidden = true;
}

document.getElementById("follow-go").addEventListener("click", () => { follow.checked = true; showSection(state.live); });
document.getElementById("follow-stay").addEventListener("click", () => { follow.checked = false; hideBanner(); markSections(); });

// Peer instruction -----------------------------------------------------------------------------------
const livePanel = document.getElementById("live-panel");
const liveForm = document.getElementById("live-form");
let liveKey = null;
let liveRound = 0;
let liveRevealed = false;

// Items arrive as {index, label} in this student's order (the projector's payload has plain labels).
const item = (c, i) => (typeof c === "string" ? { index: i, label: c } : c);

function liveFields(q) {
  if (q.kind === "single" || q.kind === "multiple") {
    return q.choices.map(item).map((c) => h("label", { class: "quiz-choice" },
      h("input", { type: q.kind === "single" ? "radio" : "checkbox", name: "live", value: String(c.index) }), " ", h("span", { text: c.label })));
  }
  if (q.kind === "ordering") {
    return [h("ol", { class: "quiz-order" }, q.choices.map(item).map((c) => h("li", { dataset: { index: String(c.index) } },
      h("span", { class: "quiz-order-label", text: c.label }),
      h("span", { class: "quiz-order-buttons" },
        h("button", { type: "button", class: "cls-icon", dataset: { move: "-1" }, "aria-label": `${t("위로")}: ${c.label}`, text: "▲" }),
        h("button", { type: "button", class: "cls-icon", dataset: { move: "1" }, "aria-label": `${t("아래로")}: ${c.label}`, text: "▼" })))))];
  }
  if (q.kind === "matching") {
    return q.choices.left.map((left, i) => h("label", { class: "quiz-match-row" }, h("span", { text: left }),
      h("select", { name: `m${i}` }, h("option", { value: "", text: t("선택…") }),
        q.choices.right.map(item).map((r) => h("option", { value: String(r.index), text: r.label })))));
  }
  return [];
}

function liveNote(text) {
  liveForm.querySelector(".quiz-feedback").replaceChildren(h("p", { text }));
}

function renderLive(live) {
  livePanel.hidden = !live.question;
  if (!live.question) {
    liveKey = null; liveRound = 0; liveRevealed = false; state.liveVotes = {};
    sheet.refresh();
    return;
  }
  const q = live.question;
  const fresh = liveKey !== q.key || liveRound !== live.round || liveRevealed !== live.revealed;
  document.getElementById("live-round").textContent = t("{n}라운드", { n: live.round });
  livePanel.dataset.summary = `${t("지금 함께 푸는 문제")} · ${t("{n}라운드", { n: live.round })}${live.revealed ? ` · ${t("결과 공개됨")}` : ""}`;
  if (liveKey !== q.key || liveRound !== live.round) {
    // Round 2 of the same question starts from what the student had (their round-1 pick or order).
    const carry = liveKey === q.key ? collectDraft(liveForm) : null;
    if (liveKey !== q.key && liveKey !== null) state.liveVotes = {};
    liveKey = q.key;
    liveRound = live.round;
    liveForm.dataset.key = q.key;
    liveForm.dataset.kind = q.kind;
    liveForm.replaceChildren(
      h("fieldset", {}, h("legend", { text: q.prompt }), ...liveFields(q)),
      h("button", { type: "submit", class: "cls-button primary", text: t("투표") }),
      h("div", { class: "quiz-feedback", role: "status", "aria-live": "polite" }),
    );
    wireOrdering(liveForm);
    const draft = drafts.load("live", q.key);
    const voted = state.liveVotes[String(live.round)];
    restoreResponse(liveForm, [draft, carry, voted].find(hasValue));
    if (hasValue(voted) && !hasValue(draft)) liveNote(t("투표했습니다. 결과 공개를 기다리세요."));
    else if (live.round === 2) liveNote(t("2라운드: 짝과 토론한 뒤 다시 투표하세요."));
  }
  if (live.revealed && !liveRevealed) {
    // The wait is over: the note under the vote points at the results instead of asking to wait.
    liveNote(t("결과가 공개되었습니다. 아래에서 확인하세요."));
  }
  liveRevealed = live.revealed;
  const results = document.getElementById("live-results");
  results.replaceChildren(...(live.revealed ? live.rounds.map((r) => roundCard(r, t("{n}라운드", { n: r.round }))) : []),
    ...[revealedAnswer(live)].filter(Boolean));
  // A revealed round is closed (the server refuses late votes): the form shows the pick, read-only.
  liveForm.querySelectorAll("input, select, button").forEach((el) => { el.disabled = live.revealed; });
  if (fresh) sheet.reveal(); else sheet.refresh();
}

const keepLive = () => { if (liveKey) drafts.save("live", liveKey, collectDraft(liveForm)); };
liveForm.addEventListener("input", keepLive);
liveForm.addEventListener("change", keepLive);
liveForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const response = collectResponse(liveForm);
  if (response === null || (Array.isArray(response) && !response.length)) { showError(liveForm, t("답을 선택하세요.")); return; }
  showPending(liveForm, t("투표 중…"));
  socket.send("answer", { question: liveKey, response, round: liveRound });
});

// Predict → observe ------------------------------------------------------------------------------------
// The instructor paused the demo cluster and asks what will happen; the student commits a prediction
// before the action is played, then sees the class's predictions next to the outcome.
const predictPanel = document.getElementById("predict-panel");
const predictForm = document.getElementById("predict-form");
let predictKey = null;
let predictPlayed = false;
let myPrediction = null;

function renderPredict(p) {
  predictPanel.hidden = !p.prediction;
  if (!p.prediction) { predictKey = null; sheet.refresh(); return; }
  const q = p.prediction;
  const fresh = predictKey !== q.key || predictPlayed !== p.played;
  predictPlayed = p.played;
  document.getElementById("predict-phase").textContent = p.played ? t("결과") : t("예측 중");
  predictPanel.dataset.summary = `${t("예측 → 관찰")} · ${p.played ? t("결과") : t("예측 중")}`;
  if (predictKey !== q.key) {
    if (predictKey !== null) myPrediction = null;
    predictKey = q.key;
    predictForm.dataset.key = q.key;
    predictForm.dataset.kind = "single";
    predictForm.replaceChildren(
      h("fieldset", {}, h("legend", { text: q.prompt }),
        ...q.choices.map((choice, i) => h("label", { class: "quiz-choice" },
          h("input", { type: "radio", name: "predict", value: String(i) }), " ", h("span", { text: choice })))),
      h("button", { type: "submit", class: "cls-button primary", text: t("예측 제출") }),
      h("div", { class: "quiz-feedback", role: "status", "aria-live": "polite" }),
    );
    const draft = p.played ? undefined : drafts.load("predict", q.key);
    restoreResponse(predictForm, hasValue(draft) ? draft : myPrediction);
  } else if (myPrediction !== null && !drafts.has("predict", q.key)) {
    restoreResponse(predictForm, myPrediction);
  }
  predictForm.querySelectorAll("input, button").forEach((el) => { el.disabled = p.played; });
  const result = document.getElementById("predict-result");
  if (!p.played) { result.replaceChildren(); if (fresh) sheet.reveal(); return; }
  drafts.clear("predict", q.key); // predictions are closed: an unsent pick has nowhere to go
  const mine = myPrediction === null ? t("예측하지 않았습니다") : (myPrediction === p.answer ? `✅ ${t("내 예측이 맞았습니다")}` : `❌ ${t("내 예측과 달랐습니다")}`);
  const ran = (p.outcome?.action || []).map((r) => h("li", {}, h("code", { text: r.step }), r.ok ? "" : ` — ${t("실패")}`));
  result.replaceChildren(h("div", {},
    h("p", { class: "quiz-verdict", text: `${mine} · ${t("정답")}: ${q.choices[p.answer] ?? ""}` }),
    h("p", { text: p.explanation }),
    ran.length ? h("div", {}, h("p", { class: "cls-hint", text: t("데모 클러스터에서 실행한 명령") }), h("ul", { class: "cls-ran" }, ran)) : null,
    p.histogram ? roundCard(p.histogram, t("반 전체의 예측")) : null,
  ));
  if (fresh) sheet.reveal();
}

predictForm.addEventListener("change", () => { if (predictKey && !predictPlayed) drafts.save("predict", predictKey, collectDraft(predictForm)); });
predictForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const response = collectResponse(predictForm);
  if (response === null) { showError(predictForm, t("보기를 하나 고르세요.")); return; }
  showPending(predictForm, t("저장 중…"));
  socket.send("predict.vote", { prediction: predictKey, choice: response });
});

// Spotlight and the discussion timer (the pair panel itself lives in pair.js) -------------------------
function renderSpotlight(pair) {
  const panel = document.getElementById("spotlight-panel");
  panel.hidden = !pair;
  if (pair) document.getElementById("spotlight-body").replaceChildren(pairCard(pair, state.prompts));
}

function tickDiscussion() {
  const el = document.getElementById("discussion-timer");
  const d = state.discussion;
  if (!d || !d.started_at) { el.hidden = true; return; }
  const left = d.seconds - (Date.now() + state.offset - d.started_at) / 1000;
  el.hidden = false;
  el.textContent = left > 0 ? t("남은 시간 {clock}", { clock: formatClock(left) }) : t("토론 시간 종료");
  el.dataset.over = String(left <= 0);
}
setInterval(tickDiscussion, 1000);

// Messages ------------------------------------------------------------------------------------------
function onSection(section) {
  state.live = section.section;
  state.liveTitle = section.title;
  if (follow.checked && section.section !== state.shown) {
    if (isBusy()) showBanner(section.title); else showSection(section.section);
  } else if (section.section === state.shown) {
    hideBanner();
  }
  markSections();
}

function onAnswerResult(msg) {
  if (msg.round !== 0) {
    drafts.clear("live", msg.question);
    if (msg.question === liveKey && msg.round === liveRound) {
      state.liveVotes[String(msg.round)] = collectResponse(liveForm);
      liveNote(t("투표했습니다. 결과 공개를 기다리세요."));
    }
    return;
  }
  const form = document.getElementById(`quiz-${msg.question}`);
  state.answered[msg.question] = { response: form ? collectResponse(form) : null, correct: msg.correct };
  drafts.clear("quiz", msg.question);
  if (!form) return;
  form.dataset.draft = "false";
  if (msg.held) showHeld(form); else showResult(form, msg);
}

function handle(msg) {
  if (handlePeople(msg)) return; // renamed, removed, checklist (me.js)
  switch (msg.type) {
    case "hello":
      state.offset = serverOffset(msg.section.server_now);
      state.answered = msg.answered;
      state.liveVotes = msg.live_votes || {};
      state.prompts = msg.prompts || [];
      slot.querySelectorAll("form.quiz[data-key]").forEach(restoreForm);
      onSection(msg.section);
      renderLive(msg.live);
      pairHello(msg);
      renderSpotlight(msg.spotlight);
      myPrediction = msg.my_prediction;
      renderPredict(msg.predict);
      state.discussion = msg.discussion;
      tickDiscussion();
      sheet.setDiscussion(msg.discussion);
      break;
    case "section": onSection(msg); break;
    case "answer.result": onAnswerResult(msg); break;
    case "live": renderLive(msg); break;
    case "predict": renderPredict(msg); break;
    case "predict.voted":
      myPrediction = msg.choice;
      drafts.clear("predict", msg.prediction);
      if (msg.prediction === predictKey) {
        restoreResponse(predictForm, msg.choice);
        predictForm.querySelector(".quiz-feedback").replaceChildren(h("p", { text: t("예측을 저장했습니다. 강사가 실행하면 결과를 함께 봅니다.") }));
      }
      break;
    case "pair": case "pair.sync": case "pair.update": case "pair.ack": pairMessage(msg); break;
    case "spotlight": renderSpotlight(msg.pair); if (msg.pair) sheet.reveal(); else sheet.refresh(); break;
    case "discussion":
      state.discussion = msg; state.offset = serverOffset(msg.server_now); tickDiscussion();
      sheet.setDiscussion(msg);
      break;
    case "ended":
      // The class is over: say so once at the top of the page; what the student did stays visible.
      if (!document.getElementById("class-ended")) {
        document.getElementById("main").prepend(h("p", { id: "class-ended", class: "cls-ended", role: "status", text: t("수업이 끝났습니다. 수고하셨습니다!") }));
      }
      break;
    case "error": {
      if (pairMessage(msg)) break;
      const form = document.querySelector(".quiz-feedback[data-pending=true]")?.closest("form");
      if (form) showError(form, msg.message);
      else document.getElementById("pair-sync").textContent = msg.message;
      break;
    }
    default: break;
  }
}

wireSection(slot);
setInterval(() => socket.send("ping", {}, { queue: false }), 25000);
