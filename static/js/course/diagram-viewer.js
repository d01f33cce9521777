// The full-screen diagram viewer: a "크게 보기" button on every drawn figure (and a click on the diagram)
// opens a modal <dialog> labelled by the figure's caption, with the diagram zoomable and pannable.
//
// Zoom and pan come from the vendored Panzoom (@panzoom/panzoom, pointer events: mouse drag, wheel, pen,
// two-finger pinch on a touch screen); this module adds what it leaves to the page: the dialog, the buttons
// (+, −, 맞춤 = fit, 닫기), the keyboard (+ / - zoom, arrow keys pan, 0 fits, Esc closes), the focus trap and
// the return of focus to the button that opened it (WAI-ARIA APG, "Dialog (Modal) Pattern").
//
// Geometry: the stage fills the viewport and holds the diagram at its natural size (the SVG's viewBox, in
// CSS px), centred; Panzoom scales the stage about its centre (transform-origin 50% 50%), which is the
// viewport's centre. Panzoom's focal-point zoom (wheel, pinch) assumes the zoomed element starts at its
// parent's top-left corner with the parent's size, which is why the stage is as big as the viewport rather
// than as big as the diagram. "Fit" is the scale at which the whole diagram fits the viewport.

import Panzoom from "../../vendor/@panzoom/panzoom/panzoom.js";
import { t } from "../i18n.js";

const PAN_STEP = 80; // screen px an arrow key moves the diagram
const ZOOM_STEP = 0.3; // Panzoom's `step`: each + / − multiplies the scale by e^0.3 ≈ 1.35

let viewer = null; // { dialog, title, viewport, stage, zoomText } once built
let panzoom = null;
let fitScale = 1;
let opener = null;
let wheelListener = null;

function button(action, text, label) {
  const el = document.createElement("button");
  el.type = "button";
  el.className = "viewer-button";
  el.dataset.action = action;
  el.textContent = text;
  if (label) {
    el.setAttribute("aria-label", label);
    el.title = label;
  }
  return el;
}

function build() {
  const dialog = document.createElement("dialog");
  dialog.className = "diagram-viewer";
  dialog.setAttribute("aria-labelledby", "diagram-viewer-title");
  dialog.setAttribute("aria-describedby", "diagram-viewer-help");

  const bar = document.createElement("div");
  bar.className = "viewer-bar";
  const title = document.createElement("h2");
  title.className = "viewer-title";
  title.id = "diagram-viewer-title";
  const tools = document.createElement("div");
  tools.className = "viewer-tools";
  tools.setAttribute("role", "toolbar");
  tools.setAttribute("aria-label", t("확대·축소"));
  const zoomText = document.createElement("output");
  zoomText.className = "viewer-zoom";
  zoomText.setAttribute("aria-label", t("배율"));
  tools.append(
    button("zoom-out", "−", t("축소")),
    zoomText,
    button("zoom-in", "+", t("확대")),
    button("fit", t("맞춤"), t("화면에 맞춤")),
    button("close", "✕", t("닫기")),
  );
  bar.append(title, tools);

  const viewport = document.createElement("div");
  viewport.className = "viewer-viewport";
  const stage = document.createElement("div");
  stage.className = "viewer-stage";
  viewport.append(stage);

  const help = document.createElement("p");
  help.className = "viewer-help";
  help.id = "diagram-viewer-help";
  help.textContent = t("드래그하여 이동, 휠이나 두 손가락으로 확대·축소. 키보드: + − 확대·축소, 화살표 이동, 0 맞춤, Esc 닫기");

  dialog.append(bar, viewport, help);
  document.body.append(dialog);

  tools.addEventListener("click", (event) => {
    const action = event.target.closest("button")?.dataset.action;
    if (action) act(action);
  });
  dialog.addEventListener("keydown", onKey);
  dialog.addEventListener("close", onClose);
  // A click on the backdrop (the dialog element itself, outside its content box) closes the viewer.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  // Pinch and drag change the scale without a key or a button: keep the percentage in step.
  stage.addEventListener("panzoomchange", showZoom);
  viewer = { dialog, title, viewport, stage, zoomText };
  return viewer;
}

function showZoom() {
  if (!panzoom || !viewer) return;
  viewer.zoomText.value = `${Math.round(panzoom.getScale() * 100)}%`;
}

function act(action) {
  if (!panzoom) return;
  if (action === "zoom-in") panzoom.zoomIn({ animate: false });
  else if (action === "zoom-out") panzoom.zoomOut({ animate: false });
  else if (action === "fit") {
    // Measure now: the window may have changed since the last resize event reached us.
    refit();
    panzoom.reset({ animate: false });
  }
  else if (action === "close") viewer.dialog.close();
  showZoom();
}

function panBy(dx, dy) {
  // Panzoom's x/y are in the stage's unscaled px: a move of `dx` screen px is dx / scale.
  const scale = panzoom.getScale();
  panzoom.pan(dx / scale, dy / scale, { relative: true, animate: false });
}

const KEYS = {
  "+": () => act("zoom-in"),
  "=": () => act("zoom-in"),
  "-": () => act("zoom-out"),
  _: () => act("zoom-out"),
  0: () => act("fit"),
  // The arrow moves the view, like scrolling: → shows more of the right side.
  ArrowLeft: () => panBy(PAN_STEP, 0),
  ArrowRight: () => panBy(-PAN_STEP, 0),
  ArrowUp: () => panBy(0, PAN_STEP),
  ArrowDown: () => panBy(0, -PAN_STEP),
};

function focusables() {
  return [...viewer.dialog.querySelectorAll("button, [tabindex='0']")].filter((el) => !el.disabled);
}

function onKey(event) {
  // Keys pressed in the viewer are the viewer's: the lesson's ← / → must not change the section behind it.
  event.stopPropagation();
  if (event.key === "Tab") {
    // showModal() makes the page behind inert; wrapping here keeps Tab from leaving for the browser's UI.
    const items = focusables();
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
    return;
  }
  if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
  const handler = KEYS[event.key];
  if (handler && panzoom) {
    event.preventDefault();
    handler();
    showZoom();
  }
}

function onClose() {
  if (wheelListener) viewer.viewport.removeEventListener("wheel", wheelListener);
  wheelListener = null;
  panzoom?.destroy();
  panzoom?.resetStyle();
  panzoom = null;
  viewer.stage.replaceChildren();
  viewer.stage.removeAttribute("style");
  document.documentElement.classList.remove("viewer-open");
  if (opener?.isConnected) opener.focus();
  opener = null;
}

/** Natural size of a drawn mermaid SVG in CSS px, from its viewBox ({width, height}); null without one. */
export function naturalSize(svg) {
  const box = svg?.viewBox?.baseVal;
  if (!box || !box.width || !box.height) return null;
  return { width: box.width, height: box.height };
}

/**
 * A copy of a figure's SVG for the viewer. Mermaid scopes its <style> to the SVG's id (`#mermaid-3 .node`),
 * so the copy gets its own id with the style rewritten to match, and the copy's inner ids are dropped so
 * the document keeps unique ids (url(#marker) references then resolve to the figure's own markers).
 */
function copyOf(svg, size) {
  const copy = svg.cloneNode(true);
  const id = svg.id;
  if (id) {
    const viewerId = `${id}-viewer`;
    // The id as the style writes it (CSS-escaped), as a literal inside the pattern (regex-escaped).
    const literal = CSS.escape(id).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const own = new RegExp(`#${literal}(?![\\w-])`, "g");
    copy.querySelectorAll("style").forEach((style) => {
      style.textContent = style.textContent.replace(own, `#${viewerId}`);
    });
    copy.querySelectorAll("[id]").forEach((el) => el.removeAttribute("id"));
    copy.id = viewerId;
  }
  copy.removeAttribute("aria-hidden");
  copy.setAttribute("role", "img");
  copy.setAttribute("aria-labelledby", "diagram-viewer-title");
  copy.removeAttribute("style");
  copy.setAttribute("width", String(size.width));
  copy.setAttribute("height", String(size.height));
  copy.classList.add("viewer-svg");
  return copy;
}

/** The scale at which a diagram of `size` fits the viewport with 16 px to spare around it (0.05…4). */
function fitFor(viewport, size) {
  const room = viewport.getBoundingClientRect();
  const margin = 16;
  const fit = Math.min((room.width - 2 * margin) / size.width, (room.height - 2 * margin) / size.height);
  return Math.max(Math.min(fit, 4), 0.05);
}

/** Panzoom's start and limits around the fitted scale: down to half of it, up to 8× (at least 400 %). */
function scaleLimits(fit) {
  return { startScale: fit, minScale: Math.min(fit, 1) / 2, maxScale: Math.max(fit * 8, 4) };
}

// A rotated phone or a resized window changes what "fit" means; the current zoom stays as it is.
function refit() {
  if (!panzoom || !viewer) return;
  const size = naturalSize(viewer.stage.querySelector("svg"));
  if (!size) return;
  fitScale = fitFor(viewer.viewport, size);
  panzoom.setOptions(scaleLimits(fitScale));
}

window.addEventListener("resize", refit);

/** Open the viewer on `figure` (a drawn `figure.diagram`); `from` gets the focus back on close. */
export function openViewer(figure, from) {
  const svg = figure.querySelector(".diagram-canvas svg");
  const size = naturalSize(svg);
  if (!svg || !size) return;
  const { dialog, title, viewport, stage } = viewer || build();
  opener = from || document.activeElement;
  title.textContent = figure.querySelector("figcaption")?.textContent.trim() || t("다이어그램");
  stage.replaceChildren(copyOf(svg, size));
  document.documentElement.classList.add("viewer-open");
  dialog.showModal();
  dialog.dataset.diagram = figure.dataset.diagram || "";

  fitScale = fitFor(viewport, size);
  panzoom = Panzoom(stage, {
    canvas: true, // drag anywhere in the viewport, not only on the diagram's lines
    origin: "50% 50%",
    ...scaleLimits(fitScale),
    step: ZOOM_STEP,
    cursor: "grab",
    handleStartEvent: (event) => {
      // Keep Panzoom's own preventDefault (no text selection, no page scroll), and move the focus into the
      // viewport so that the keyboard keeps working after a drag.
      event.preventDefault();
      viewport.focus({ preventScroll: true });
    },
  });
  wheelListener = (event) => {
    panzoom?.zoomWithWheel(event);
    showZoom();
  };
  viewport.addEventListener("wheel", wheelListener, { passive: false });
  viewport.tabIndex = 0;
  viewport.setAttribute("aria-label", t("다이어그램 확대 보기"));
  showZoom();
  dialog.querySelector("[data-action=close]").focus();
}

/** Give a drawn figure its "크게 보기" button and make a click on the diagram open the viewer. */
export function attachViewer(figure) {
  const canvas = figure.querySelector(".diagram-canvas");
  if (!canvas || figure.querySelector(".diagram-zoom")) return;
  const open = document.createElement("button");
  open.type = "button";
  open.className = "diagram-zoom";
  open.textContent = t("크게 보기");
  const caption = figure.querySelector("figcaption")?.textContent.trim();
  if (caption) open.setAttribute("aria-label", `${t("크게 보기")}: ${caption}`);
  open.addEventListener("click", () => openViewer(figure, open));
  canvas.after(open);
  canvas.classList.add("zoomable");
  canvas.addEventListener("click", () => openViewer(figure, open));
}
