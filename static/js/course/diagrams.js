// Draw every lesson figure with the vendored mermaid; a diagram that cannot be drawn shows a readable
// error and its source instead of an empty box. The server may supply a normalised text to draw
// (`.mermaid-render`, see course/mermaid_text.py); the text as written is the fallback. Each drawn diagram
// is scaled to fit its column and gets the full-screen viewer (./diagram-viewer.js) for the details.

import { t } from "../i18n.js";
import { attachViewer, naturalSize } from "./diagram-viewer.js";

function waitForMermaid(timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    (function poll() {
      if (window.mermaid) return resolve(window.mermaid);
      if (performance.now() - started > timeoutMs) return reject(new Error("mermaid.js did not load"));
      setTimeout(poll, 50);
    })();
  });
}

async function tryRender(mermaid, id, text) {
  try {
    const { svg } = await mermaid.render(id, text);
    return { svg };
  } catch (error) {
    document.getElementById("d" + id)?.remove();
    return { error };
  }
}

function showError(figure, canvas, error) {
  const box = document.createElement("div");
  box.className = "diagram-error";
  box.setAttribute("role", "alert");
  const title = document.createElement("strong");
  title.textContent = t("다이어그램을 그리지 못했습니다");
  const message = document.createElement("p");
  message.textContent = String(error?.message || error).split("\n").slice(0, 6).join("\n");
  const source = document.createElement("pre");
  source.textContent = figure.querySelector(".mermaid-source")?.textContent || "";
  box.append(title, message, source);
  canvas.replaceChildren(box);
  canvas.dataset.state = "error";
}

function fitToColumn(svg) {
  // Scale to the column, never clip: as wide as the column at most, never wider than drawn (no upscaling of
  // a small diagram), height from the viewBox's aspect ratio. Mermaid's own `max-width` style is replaced
  // by the viewBox width so that every diagram type behaves the same; the viewer shows the details.
  const size = naturalSize(svg);
  if (!size) return;
  svg.removeAttribute("height");
  svg.setAttribute("width", "100%");
  svg.style.maxWidth = `${Math.ceil(size.width)}px`;
  svg.style.width = "100%";
  svg.style.height = "auto";
}

export async function renderDiagrams(root = document) {
  const figures = [...root.querySelectorAll("figure.diagram")];
  if (!figures.length) return;
  let mermaid;
  try {
    mermaid = await waitForMermaid();
  } catch (error) {
    figures.forEach((f) => showError(f, f.querySelector(".diagram-canvas"), error));
    return;
  }
  const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    theme: dark ? "dark" : "default",
    fontFamily: getComputedStyle(document.body).fontFamily,
    // Larger labels on a projector-sized screen, where the room reads from a distance.
    themeVariables: { fontSize: window.innerWidth >= 1800 ? "20px" : "16px" },
  });
  for (const figure of figures) {
    const canvas = figure.querySelector(".diagram-canvas");
    const written = figure.querySelector(".mermaid-source").textContent;
    const drawn = figure.querySelector(".mermaid-render")?.textContent ?? written;
    const id = "mermaid-" + figure.dataset.diagram;
    let result = await tryRender(mermaid, id, drawn);
    if (result.error && drawn !== written) {
      const second = await tryRender(mermaid, id, written);
      if (!second.error) result = second;
    }
    if (result.error) {
      showError(figure, canvas, result.error);
      continue;
    }
    canvas.innerHTML = result.svg;
    const svg = canvas.querySelector("svg");
    svg?.setAttribute("aria-hidden", "true");
    fitToColumn(svg);
    canvas.dataset.state = "rendered";
    attachViewer(figure);
  }
}
