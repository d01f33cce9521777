// Entry module of the cluster and scenario pages: mounts every `.viz-cluster` panel with its config
// (Django json_script) and wires socket → state → drawing, and console/editor/controls → socket.

import { connect, STATUS_TEXT } from "./socket.js";
import { createClusterState } from "./state.js";
import { buildModel } from "./model.js";
import { createRenderer, prefersReducedMotion } from "./render.js";
import { createFlowPlayer } from "./flow.js";
import { createConsole } from "./console.js";
import { createYamlEditor } from "./yaml-editor.js";
import { createScenarioPanel } from "./scenario.js";
import { openMermaidPanel } from "./mermaid-export.js";
import { renderEvents, renderEtcd } from "./panels.js";
import { startEmbedBridge } from "./embed-bridge.js";
import { english, t } from "../i18n.js";

function readConfigs() {
  const many = document.getElementById("viz-configs");
  if (many) return JSON.parse(many.textContent);
  const one = document.getElementById("viz-config");
  return one ? [JSON.parse(one.textContent)] : [];
}

function rootScale() {
  // Layout units are CSS pixels at a 16 px root font; the projector's larger type scales the picture too.
  const size = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  return Math.min(1.6, Math.max(1, size / 16));
}

function mount(section, config, scenarioPanel) {
  const part = (name) => section.querySelector(`[data-part="${name}"]`);
  const status = part("status");
  const svg = part("svg");
  const stage = part("stage");
  const state = createClusterState();
  const renderer = createRenderer(svg, { scale: rootScale });
  const flow = createFlowPlayer({ list: part("flow"), renderer, reducedMotion: prefersReducedMotion });
  let lastEventSeq = 0;
  let role = config.role;
  let scenarioStarted = false;

  function setStatus(key) {
    const [ko, en] = STATUS_TEXT[key] || [key, ""];
    status.dataset.state = key;
    status.textContent = english ? en || ko : `${ko} · ${en}`;
    section.dataset.connection = key;
  }

  function draw(result) {
    const model = buildModel(result.state);
    part("empty").hidden = true;
    renderer.setWidth(stage.clientWidth || 1000);
    renderer.update(model, { force: result.kind === "snapshot" });
    renderEtcd(part("etcd"), model, result.kind === "diff" ? buildModel(result.previous) : null);
    const fresh = model.events.filter((e) => e.seq > lastEventSeq);
    const initial = result.kind === "snapshot";
    if (initial && fresh.length && model.events.length && lastEventSeq > 0 && model.events[0].seq > lastEventSeq) {
      // A reset or a long gap: start the log afresh.
      part("events").replaceChildren();
    }
    if (initial && lastEventSeq > 0 && model.events.at(-1) && model.events.at(-1).seq < lastEventSeq) {
      part("events").replaceChildren();
    }
    renderEvents(part("events"), initial && lastEventSeq === 0 ? model.events.slice(-20) : fresh, { initial: initial && lastEventSeq === 0 });
    if (!initial) flow.push(fresh);
    if (model.events.length) lastEventSeq = model.events.at(-1).seq;
    section.dataset.version = String(result.state.version);
    section.dataset.pods = String(model.pods.length);
  }

  function showClock() {
    const c = state.clock;
    part("clock").textContent = state.nowAt(performance.now()).toFixed(1);
    part("clock-state").textContent = c.paused ? `⏸ ${t("멈춤")}` : `▶ ${c.speed}×${c.observing ? ` · ${t("관찰 중")}` : ""}`;
    section.dataset.observing = String(Boolean(c.observing));
    const toggle = section.querySelector('[data-control="toggle"]');
    if (toggle) {
      toggle.setAttribute("aria-pressed", String(c.paused));
      toggle.querySelector("span[aria-hidden]").textContent = c.paused ? "▶" : "⏸";
      toggle.querySelector('[data-part="toggle-label"]').textContent = c.paused ? t("재생") : t("일시정지");
      section.querySelector('[data-control="step"]').disabled = !c.paused;
    }
    for (const b of section.querySelectorAll("[data-speed]")) b.setAttribute("aria-pressed", String(Number(b.dataset.speed) === c.speed));
  }

  const socket = connect(config.ws, {
    onStatus(key) {
      setStatus(key);
      if (key === "reconnecting" || key === "slow") state.invalidate(); // a fresh snapshot follows
    },
    onFrame(frame) {
      const at = performance.now();
      if (frame.type === "snapshot" || frame.type === "diff" || frame.type === "clock") {
        const result = state.receive(frame, at);
        if (result.resync) socket.send("resync");
        if (frame.type === "snapshot") {
          role = frame.role || role;
          section.dataset.liveRole = role;
          scenarioPanel?.update(frame.scenario);
          if (config.scenario && role === "control" && !scenarioStarted && frame.scenario?.slug !== config.scenario) {
            scenarioStarted = true;
            socket.send("scenario.start", { scenario: config.scenario });
          }
        }
        if (result.kind === "snapshot" || result.kind === "diff") draw(result);
        showClock();
      } else if (frame.type === "scenario") {
        scenarioPanel?.update(frame.scenario);
      } else if (frame.type === "error") {
        term?.print(`error (${frame.code}): ${frame.message}`, "viz-term-error");
        if (!term) setStatus("open");
      }
    },
  });
  setInterval(showClock, 250);

  // Input: console and YAML editor, only for the "control" role.
  const run = (text, stdin = null) => socket.request("command", { text, stdin });
  let term = null;
  const consoleRoot = part("console");
  if (consoleRoot) {
    term = createConsole(consoleRoot, {
      clusterId: config.cluster,
      run: async (text, stdin) => { const answer = await run(text, stdin); return answer; },
      complete: (prefix) => socket.request("complete", { prefix }),
    });
  }
  const yamlRoot = part("yaml");
  let editor = null;
  if (yamlRoot) editor = createYamlEditor(yamlRoot, { run });

  // The wide view of the console/editor (for kubectl describe and other long output): a toggle button, Esc
  // closes it; focus stays in the console or editor.
  const inputBox = part("input");
  const expandButton = section.querySelector('[data-control="expand"]');
  function setExpanded(on) {
    if (!inputBox || !expandButton) return;
    inputBox.classList.toggle("is-expanded", on);
    expandButton.setAttribute("aria-pressed", String(on));
    delete expandButton.dataset.hint;
    document.documentElement.style.overflow = on ? "hidden" : "";
    const out = inputBox.querySelector(".viz-term-output");
    if (out) out.scrollTop = out.scrollHeight;
  }
  expandButton?.addEventListener("click", () => {
    setExpanded(expandButton.getAttribute("aria-pressed") !== "true");
    if (!inputBox.querySelector(".viz-term").hidden) term?.focus();
  });
  inputBox?.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && inputBox.classList.contains("is-expanded")) {
      setExpanded(false);
      expandButton.focus();
    }
  });
  term?.onOverflow(() => { if (!inputBox.classList.contains("is-expanded")) expandButton.dataset.hint = "1"; });

  // Tabs between console and editor (arrow keys move between tabs, as the ARIA pattern says).
  const tabs = [...section.querySelectorAll('[role="tab"]')];
  function selectTab(tab) {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
  }
  for (const tab of tabs) {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      const i = tabs.indexOf(tab);
      const next = tabs[(i + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      selectTab(next);
      next.focus();
    });
  }

  // Clock controls.
  section.querySelector('[data-control="toggle"]')?.addEventListener("click", () => {
    socket.send("control", { action: state.clock.paused ? "play" : "pause", value: null });
  });
  section.querySelector('[data-control="step"]')?.addEventListener("click", () => socket.send("control", { action: "step", value: null }));
  for (const b of section.querySelectorAll("[data-speed]")) {
    b.addEventListener("click", () => socket.send("control", { action: "speed", value: Number(b.dataset.speed) }));
  }
  section.querySelector('[data-control="reset"]')?.addEventListener("click", () => {
    if (window.confirm(t("클러스터를 처음 상태로 되돌릴까요? 모든 오브젝트가 사라집니다.\nReset the cluster? Everything in it will be gone."))) {
      socket.send("control", { action: "reset", value: null });
    }
  });

  // Share link and mermaid export.
  section.querySelector('[data-tool="share"]')?.addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const url = button.dataset.url;
    let ok = false;
    try { await navigator.clipboard.writeText(url); ok = true; } catch { ok = false; }
    if (!ok) window.prompt(t("읽기 전용 공유 링크 · Read-only share link"), url);
    const label = button.lastChild;
    const old = label.textContent;
    label.textContent = ok ? ` ${t("복사했습니다 ✓")}` : old;
    setTimeout(() => { label.textContent = old; }, 2000);
  });
  section.querySelector('[data-tool="export"]')?.addEventListener("click", () => openMermaidPanel(config.exportUrl));
  // "내 kubectl로 연결": the kubeconfig download and the two commands (templates/visualizer/_kubectl_dialog.html).
  const kubectlDialog = section.querySelector('[data-part="kubectl-dialog"]');
  section.querySelector('[data-tool="kubectl"]')?.addEventListener("click", () => kubectlDialog?.showModal());
  kubectlDialog?.querySelector("[data-copy-commands]")?.addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const windows = kubectlDialog.querySelector("details")?.open;
    const text = kubectlDialog.querySelector(`[data-shell="${windows ? "powershell" : "sh"}"]`).textContent;
    let ok = false;
    try { await navigator.clipboard.writeText(text); ok = true; } catch { ok = false; }
    const old = button.textContent;
    button.textContent = ok ? t("복사했습니다 ✓") : old;
    setTimeout(() => { button.textContent = old; }, 2000);
  });

  // Redraw at the new width when the window changes size.
  let lastWidth = stage.clientWidth;
  new ResizeObserver(() => {
    if (Math.abs(stage.clientWidth - lastWidth) < 8 || !state.state) return;
    lastWidth = stage.clientWidth;
    renderer.setWidth(stage.clientWidth);
    renderer.relayout();
  }).observe(stage);

  return {
    socket, term, editor,
    showTab(name) { const tab = tabs.find((t) => t.dataset.tab === name); if (tab) selectTab(tab); },
    restartScenario() {
      if (!window.confirm(t("클러스터를 초기화하고 시나리오를 처음부터 시작할까요? · Reset and restart?"))) return;
      socket.send("control", { action: "reset", value: null });
      socket.send("scenario.start", { scenario: config.scenario });
    },
  };
}

const configs = readConfigs();
const sections = [...document.querySelectorAll(".viz-cluster")];
let mounted = [];
const scenarioPanel = createScenarioPanel(document.querySelector('[data-part="scenario"]'), {
  onHint(hint, side) {
    const target = mounted[side === "b" ? 1 : 0] || mounted[0];
    if (!target?.term) return;
    target.showTab("console");
    target.term.input.value = hint;
    target.term.focus();
  },
  onYaml(yaml, side) {
    const target = mounted[side === "b" ? 1 : 0] || mounted[0];
    if (!target?.editor) return;
    target.showTab("yaml");
    target.editor.text = yaml;
  },
  onRestart() { mounted.forEach((m) => m.restartScenario()); },
});
mounted = sections.map((section, i) => mount(section, configs[i], i === 0 ? scenarioPanel : null));
// In a lesson's side panel (/cluster/embed/), the lesson's runnable code blocks drive this sandbox.
if (configs[0]?.embed && mounted[0]) startEmbedBridge({ section: sections[0], ...mounted[0] });
