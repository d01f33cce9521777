// Runnable code blocks on a lesson page. A Kubernetes manifest gets "내 클러스터에 적용" (it is sent as
// `kubectl apply -f -` with the block as standard input); kubectl/docker command lines get "실행" (each line
// in order). Both run in the student's own sandbox, the same cluster as /cluster/, shown live in a side
// panel: the sandbox's embed page (/cluster/embed/) in a same-origin frame, driven through
// ../visualizer/embed-bridge.js. The engine's answer is printed under the block exactly as it came;
// a refusal (say `The Deployment "nginx" is invalid: …`) is shown as a lesson, in an error style.
//
// Why a frame and not the visualizer's modules mounted here: the frame keeps the visualizer's own page,
// CSS and socket as they are, and its first load creates the visitor's session id, which a websocket
// cannot do. Only the embed view may be framed, and only by this origin (X-Frame-Options SAMEORIGIN,
// CSP frame-ancestors 'self'); scripts stay files (CSP script-src 'self').
//
// Detection is in ./runnable-blocks.js; blocks are the renderer's `div.codehilite > pre > code`.

import { detectRunnable } from "./runnable-blocks.js";
import { EMBED_SOURCE, LESSON_SOURCE } from "../visualizer/embed-bridge.js";
import { t, tn } from "../i18n.js";

const READY_TIMEOUT_MS = 20000; // the first load of the sandbox page and its socket
const SILENT_FRAME_MS = 5000; // a loaded frame that never reports is not the sandbox (an error page)
const RECONNECT_GRACE_MS = 5000; // a socket that keeps failing: tell the student instead of waiting on
const RUN_TIMEOUT_MS = 30000;
const WIDE = "(min-width: 1100px)";

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role" || key === "type") node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
}

// Commands beyond the first few are paced under the server's rate (a burst of 10, then 5 a second).
const BURST = 8;
const PACE_MS = 250;
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// ---------------------------------------------------------------------------------------------- sandbox
// The lesson's handle on the framed sandbox: load it, know when it is ready, run one command.
function createSandbox(frameSlot, embedUrl, { onStatus }) {
  let frame = null;
  let status = { state: "idle", ready: false };
  let nextId = 1;
  const pending = new Map();
  let waiters = [];
  let heard = false;
  let silentTimer = null;
  let graceTimer = null;

  function settleWaiters(value) {
    const now = waiters;
    waiters = [];
    for (const w of now) { clearTimeout(w.timer); w.resolve(value); }
  }

  function setStatus(next) {
    status = next;
    onStatus(status);
    clearTimeout(graceTimer);
    if (status.ready) settleWaiters(true);
    else if (status.state === "denied" || status.state === "missing" || status.state === "failed") settleWaiters(false);
    else if (status.state === "reconnecting") {
      graceTimer = setTimeout(() => { if (!status.ready) settleWaiters(false); }, RECONNECT_GRACE_MS);
    }
  }

  window.addEventListener("message", (event) => {
    if (!frame || event.origin !== location.origin || event.source !== frame.contentWindow) return;
    const data = event.data;
    if (!data || typeof data !== "object" || data.source !== EMBED_SOURCE) return;
    if (data.type === "status" && typeof data.state === "string") {
      heard = true;
      clearTimeout(silentTimer);
      setStatus({ state: data.state, ready: Boolean(data.ready) });
    } else if (data.type === "result" && pending.has(data.id)) {
      const entry = pending.get(data.id);
      pending.delete(data.id);
      clearTimeout(entry.timer);
      entry.resolve(data.answer && typeof data.answer === "object" ? data.answer : { type: "error", code: "no_answer", message: "" });
    }
  });

  // The frame's window, only while it shows a page of this origin (a failed load shows an error page,
  // and posting to it would be refused with a console error).
  function sandboxWindow() {
    try {
      return frame?.contentWindow?.location.origin === location.origin ? frame.contentWindow : null;
    } catch {
      return null;
    }
  }

  function load() {
    if (frame) return frame;
    frame = el("iframe", { class: "runnable-frame", src: embedUrl, title: t("내 클러스터 (실시간 그림과 콘솔)") });
    heard = false;
    frame.addEventListener("load", () => {
      sandboxWindow()?.postMessage({ source: LESSON_SOURCE, type: "hello" }, location.origin);
      clearTimeout(silentTimer);
      silentTimer = setTimeout(() => { if (!heard) setStatus({ state: "failed", ready: false }); }, SILENT_FRAME_MS);
    });
    frameSlot.replaceChildren(frame);
    setStatus({ state: "connecting", ready: false });
    return frame;
  }

  function failPending(code) {
    for (const [, entry] of pending) {
      clearTimeout(entry.timer);
      entry.resolve({ type: "error", code, message: "" });
    }
    pending.clear();
  }

  return {
    get status() { return status; },
    get frame() { return frame; },
    load,
    reload() {
      failPending("offline");
      settleWaiters(false);
      frame?.remove();
      frame = null;
      load();
    },
    // Resolves true once the sandbox is live, false when it cannot be (refused, or not within the time).
    whenReady(timeout = READY_TIMEOUT_MS) {
      load();
      if (status.ready) return Promise.resolve(true);
      if (["denied", "missing", "failed"].includes(status.state)) return Promise.resolve(false);
      return new Promise((resolve) => {
        const entry = { resolve, timer: setTimeout(() => { waiters = waiters.filter((w) => w !== entry); resolve(false); }, timeout) };
        waiters.push(entry);
      });
    },
    // Resolves with the server's `result` frame or an `error` frame; never rejects.
    run(text, stdin = null) {
      const id = nextId++;
      return new Promise((resolve) => {
        const target = sandboxWindow();
        if (!target) { resolve({ type: "error", code: "offline", message: "" }); return; }
        const timer = setTimeout(() => { pending.delete(id); resolve({ type: "error", code: "timeout", message: "" }); }, RUN_TIMEOUT_MS);
        pending.set(id, { resolve, timer });
        target.postMessage({ source: LESSON_SOURCE, type: "run", id, text, stdin }, location.origin);
      });
    },
  };
}

// ------------------------------------------------------------------------------------------------ panel
function createPanel(panel, opener) {
  const head = panel.querySelector(".runnable-panel-head");
  const close = panel.querySelector("[data-runnable-close]");
  const grow = panel.querySelector("[data-runnable-grow]");
  const note = panel.querySelector(".runnable-panel-note");
  const retry = panel.querySelector("[data-runnable-retry]");
  const sandbox = createSandbox(panel.querySelector(".runnable-panel-frame"), panel.dataset.embedUrl, {
    onStatus(status) {
      panel.dataset.state = status.ready ? "ready" : status.state;
      const broken = status.state === "denied" || status.state === "missing" || status.state === "failed";
      note.hidden = !broken;
      if (broken) note.querySelector("span").textContent = connectionMessage(status.state);
    },
  });

  function isOpen() { return !panel.hidden; }

  function open({ focus = false } = {}) {
    sandbox.load();
    panel.hidden = false;
    opener.hidden = true;
    opener.setAttribute("aria-expanded", "true");
    document.body.classList.add("runnable-panel-open");
    if (focus) close.focus();
  }

  function hide() {
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    opener.hidden = false;
    opener.setAttribute("aria-expanded", "false");
    document.body.classList.remove("runnable-panel-open", "runnable-panel-full");
    grow.setAttribute("aria-pressed", "false");
    if (hadFocus) opener.focus();
  }

  close.addEventListener("click", hide);
  opener.addEventListener("click", () => open({ focus: true }));
  grow.addEventListener("click", () => {
    const full = document.body.classList.toggle("runnable-panel-full");
    grow.setAttribute("aria-pressed", String(full));
    grow.querySelector("[data-part=label]").textContent = full ? t("작게 보기") : t("크게 보기");
  });
  retry.addEventListener("click", () => sandbox.reload());
  head.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); hide(); }
  });

  return { open, hide, isOpen, sandbox, markFailed() { panel.dataset.state = "failed"; note.hidden = false; note.querySelector("span").textContent = connectionMessage("failed"); } };
}

function connectionMessage(state) {
  if (state === "denied") return t("이 클러스터를 조작할 권한이 없습니다. 페이지를 새로 고친 뒤 다시 시도하세요.");
  if (state === "missing") return t("내 클러스터를 찾을 수 없습니다. 페이지를 새로 고친 뒤 다시 시도하세요.");
  return t("내 클러스터에 연결하지 못했습니다. 네트워크 연결을 확인하고 다시 시도하세요.");
}

// ------------------------------------------------------------------------------------------------ blocks
function describe(found) {
  if (found.kind === "manifest") {
    return found.objects.map((o) => (o.name ? `${o.kind} ${o.name}` : o.kind)).join(", ");
  }
  return found.commands.map((c) => c.text).join("; ");
}

function wireBlock(block, found, index, panel, serial) {
  const isManifest = found.kind === "manifest";
  const label = isManifest ? t("내 클러스터에 적용") : t("실행");
  const noteId = `runnable-note-${index}`;
  const button = el("button", { type: "button", class: "runnable-run primary", "data-runnable-kind": found.kind, "aria-describedby": noteId }, [
    el("span", { "aria-hidden": "true", text: isManifest ? "⎈ " : "▶ " }),
    el("span", { "data-part": "label", text: label }),
  ]);
  const note = el("span", { class: "runnable-note", id: noteId, text: isManifest
    ? `kubectl apply -f - · ${describe(found)} → ${t("내 샌드박스 클러스터")}`
    : tn("명령 {n}개를 내 샌드박스 클러스터에서 차례로 실행합니다", found.commands.length) });
  const summary = el("p", { class: "runnable-summary", role: "status" });
  const steps = el("div", { class: "runnable-steps" });
  const output = el("div", { class: "runnable-output", "aria-label": t("실행 결과") }, [summary, steps]);
  output.hidden = true;
  const box = el("div", { class: "runnable", "data-runnable": found.kind }, [
    el("div", { class: "runnable-bar" }, [button, note]),
    output,
  ]);
  block.classList.add("runnable-code");
  block.after(box);

  function step(text) {
    const prompt = el("span", { class: "runnable-prompt", text: `$ ${text}` });
    const pre = el("pre", { class: "runnable-text" }, [prompt]);
    const item = el("div", { class: "runnable-step", "data-state": "pending" }, [pre]);
    steps.append(item);
    return {
      item,
      show(state, body, heading = "") {
        item.dataset.state = state;
        if (heading) item.prepend(el("p", { class: "runnable-step-note", text: heading }));
        if (body) pre.append("\n", body);
      },
    };
  }

  // Keeps the block's result in sight: under a phone's bottom sheet, the bar and result go to the top.
  function reveal() {
    if (window.matchMedia(WIDE).matches) output.scrollIntoView({ block: "nearest" });
    else box.scrollIntoView({ block: "start" });
  }

  function connectionFailure(code) {
    const retry = el("button", { type: "button", class: "runnable-retry", text: t("다시 시도") });
    retry.addEventListener("click", () => {
      if (code !== "rate_limited") panel.sandbox.reload();
      start();
    });
    const message = el("div", { class: "runnable-failure", role: "alert" }, [
      el("p", { text: connectionMessage(code === "denied" || code === "missing" ? code : "failed") }),
      retry,
    ]);
    steps.append(message);
  }

  async function runAll() {
    output.hidden = false;
    steps.replaceChildren();
    summary.textContent = t("내 클러스터에 연결하는 중…");
    box.dataset.state = "running";
    if (!panel.isOpen()) panel.open();
    reveal();
    const ready = await panel.sandbox.whenReady();
    if (!ready) {
      panel.markFailed();
      summary.textContent = t("실행하지 못했습니다");
      box.dataset.state = "failed";
      connectionFailure(panel.sandbox.status.state);
      return;
    }
    const commands = isManifest ? [{ text: "kubectl apply -f -", stdin: found.yaml }] : found.commands;
    summary.textContent = isManifest ? t("적용하는 중…") : t("실행하는 중…");
    let failed = 0;
    for (const [i, command] of commands.entries()) {
      if (i >= BURST) await sleep(PACE_MS);
      const view = step(command.text);
      const answer = await panel.sandbox.run(command.text, command.stdin);
      if (answer.type === "result") {
        if (answer.ok) {
          view.show("ok", answer.output || "");
        } else {
          failed += 1;
          const invalid = /^The \S+ ".*" is invalid:/.test(answer.output || "");
          view.show("error", answer.output || answer.error?.message || "", invalid
            ? t("API 서버가 이 매니페스트를 검증하고 거부했습니다. 오류의 각 줄이 고칠 필드를 가리킵니다. 클러스터는 바뀌지 않았습니다.")
            : t("명령이 실패했습니다. 클러스터는 바뀌지 않았습니다."));
        }
        continue;
      }
      // A transport-level answer: the server refused the rate, or the sandbox is out of reach. Stop here.
      if (answer.code === "rate_limited") {
        view.show("limited", answer.message || t("요청이 너무 많습니다. 잠시 후 다시 시도하세요."));
        summary.textContent = t("요청이 너무 많습니다");
        box.dataset.state = "failed";
        connectionFailure("rate_limited");
        return;
      }
      if (answer.code === "offline" || answer.code === "timeout" || answer.code === "no_answer") {
        view.show("error", "");
        summary.textContent = t("실행하지 못했습니다");
        box.dataset.state = "failed";
        connectionFailure(answer.code);
        return;
      }
      failed += 1;
      view.show("error", `error: ${answer.message || answer.code}`);
    }
    box.dataset.state = failed ? "error" : "ok";
    summary.textContent = failed
      ? (isManifest ? t("적용되지 않았습니다 — 아래 오류 메시지를 읽어 보세요") : tn("명령 {n}개 중 {f}개가 실패했습니다", commands.length, { f: failed }))
      : (isManifest ? t("적용했습니다 — 클러스터 그림에서 확인하세요") : t("모두 실행했습니다 — 클러스터 그림에서 확인하세요"));
  }

  function start() {
    button.disabled = true;
    return serial(runAll).catch(() => {
      summary.textContent = t("실행하지 못했습니다");
      box.dataset.state = "failed";
    }).finally(() => {
      button.disabled = false;
      reveal();
    });
  }

  button.addEventListener("click", start);
  return box;
}

// One panel and one queue per page: the sandbox is one cluster, and a class page swaps sections under it.
let panel = null;
let tail = Promise.resolve();
let wired = 0;

function serial(fn) {
  // One run at a time, in the order the buttons were pressed.
  const run = tail.then(fn);
  tail = run.catch(() => {});
  return run;
}

/** Give the manifest and kubectl/docker blocks under `root` their buttons (a lesson page, or a section the
 * class page has just loaded). Blocks already wired are left alone; the page needs the panel markup
 * (templates/course/_runnable_panel.html). */
export function wireRunnable(root = document) {
  const panelRoot = document.getElementById("runnable-panel");
  const opener = document.getElementById("runnable-opener");
  if (!panelRoot || !opener || !panelRoot.dataset.embedUrl) return;
  const found = [];
  root.querySelectorAll(".section-body div.codehilite").forEach((block) => {
    const code = block.querySelector("pre > code") || block.querySelector("pre");
    if (!code || block.closest(".runnable") || block.dataset.runnableWired) return;
    block.dataset.runnableWired = "1";
    let runnable = null;
    try { runnable = detectRunnable(code.textContent, block.dataset.lang || ""); } catch { runnable = null; }
    if (runnable) found.push([block, runnable]);
  });
  if (!found.length) return;
  if (!panel) panel = createPanel(panelRoot, opener);
  if (panelRoot.hidden) opener.hidden = false;
  found.forEach(([block, runnable]) => wireBlock(block, runnable, wired++, panel, serial));
}

wireRunnable(document);
