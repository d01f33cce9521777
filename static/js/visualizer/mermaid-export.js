import { t } from "../i18n.js"; // first: the comment below would otherwise swallow it (see there)

// The mermaid export panel: fetches {graph, trace} mermaid text from the server, loads the vendored
// mermaid only the first time the panel opens, renders both diagrams and offers copy buttons.
// The entry point is `openMermaidPanel`, not `openExport`: Django's manifest storage matches import and
// export statements case-insensitively, so `import { openExport } from "…";` would be rewritten twice.

let mermaidPromise = null;

function loadMermaid(src) {
  if (window.mermaid) return Promise.resolve(window.mermaid);
  if (!mermaidPromise) {
    mermaidPromise = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => (window.mermaid ? resolve(window.mermaid) : reject(new Error("mermaid did not load")));
      script.onerror = () => { mermaidPromise = null; reject(new Error("mermaid.min.js could not be loaded")); };
      document.head.append(script);
    }).then((mermaid) => {
      const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
      mermaid.initialize({
        startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default",
        fontFamily: getComputedStyle(document.body).fontFamily,
      });
      return mermaid;
    });
  }
  return mermaidPromise;
}

let renderCount = 0;

export async function openMermaidPanel(url) {
  const dialog = document.getElementById("viz-export");
  if (!dialog) return;
  const status = dialog.querySelector(".viz-export-status");
  if (!dialog.open) dialog.showModal();
  status.textContent = t("내보내는 중… · Exporting");
  dialog.dataset.state = "loading";
  let data;
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    data = await response.json();
  } catch (error) {
    status.textContent = `${t("내보내지 못했습니다 · Export failed")}: ${error.message}`;
    dialog.dataset.state = "error";
    return;
  }
  let mermaid = null;
  try { mermaid = await loadMermaid(dialog.dataset.mermaidSrc); } catch (error) {
    status.textContent = `${t("mermaid 를 불러오지 못했습니다")}: ${error.message}`;
  }
  for (const name of ["graph", "trace"]) {
    const partEl = dialog.querySelector(`[data-part="${name}"]`);
    const source = String(data?.[name] || "");
    partEl.querySelector(".viz-export-source").textContent = source;
    const target = partEl.querySelector(".viz-export-render");
    target.replaceChildren();
    partEl.hidden = !source;
    const copy = partEl.querySelector("[data-copy]");
    copy.onclick = async () => {
      try { await navigator.clipboard.writeText(source); copy.textContent = t("복사했습니다 ✓"); } catch {
        copy.textContent = t("복사하지 못했습니다 — 코드 보기에서 선택하세요");
      }
      setTimeout(() => { copy.textContent = t("mermaid 코드 복사"); }, 2000);
    };
    if (!source || !mermaid) continue;
    try {
      renderCount += 1;
      const { svg } = await mermaid.render(`viz-export-${name}-${renderCount}`, source);
      // mermaid's own output, sanitised by it (securityLevel "strict").
      target.innerHTML = svg;
      target.dataset.state = "rendered";
    } catch (error) {
      document.getElementById(`dviz-export-${name}-${renderCount}`)?.remove();
      const p = document.createElement("p");
      p.className = "viz-export-error";
      p.textContent = `${t("그리지 못했습니다 · Could not render")}: ${String(error?.message || error).split("\n")[0]}`;
      target.replaceChildren(p);
      target.dataset.state = "error";
    }
  }
  status.textContent = "";
  dialog.dataset.state = "ready";
}
