// Lesson page wiring: keyboard navigation, remembered progress, glossary tooltips, diagrams.

import { navigationTarget } from "./keyboard.js";
import { loadProgress, recordVisit, resumeTarget, saveProgress } from "./progress.js";
import { renderDiagrams } from "./diagrams.js";
import { t } from "../i18n.js";

const config = JSON.parse(document.getElementById("lesson-config").textContent);

document.addEventListener("keydown", (event) => {
  const url = navigationTarget(
    {
      key: event.key, altKey: event.altKey, ctrlKey: event.ctrlKey, metaKey: event.metaKey,
      shiftKey: event.shiftKey, isComposing: event.isComposing,
      targetTag: event.target?.tagName, isContentEditable: event.target?.isContentEditable,
    },
    config,
  );
  if (url) {
    event.preventDefault();
    window.location.assign(url);
  }
});

function showProgress() {
  const before = loadProgress(window.localStorage, config.lesson);
  const progress = recordVisit(before, config.section);
  saveProgress(window.localStorage, config.lesson, progress);
  for (const slug of progress.visited) {
    document.querySelectorAll(`[data-section="${CSS.escape(slug)}"]`).forEach((el) => {
      if (el.classList.contains("toc-item")) {
        el.classList.add("visited");
        const text = el.querySelector(".visited-text");
        if (text) text.textContent = `(${t("읽음")})`;
      }
    });
  }
  const resume = resumeTarget(before, config.section, config.sections);
  const link = resume && document.querySelector(`.toc-item[data-section="${CSS.escape(resume)}"] a`);
  if (link) {
    const note = document.createElement("p");
    note.className = "resume-note";
    const a = document.createElement("a");
    a.href = link.getAttribute("href");
    a.textContent = `${t("이어서 읽기")}: ${link.querySelector(".toc-title").textContent}`;
    note.append(`${t("마지막으로 읽던 곳이 있습니다.")} `, a);
    document.querySelector(".section-header")?.append(note);
  }
}

function wireTooltips() {
  // Esc hides an open definition (WCAG 1.4.13); it comes back on the next hover or focus.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const wrap = document.activeElement?.closest(".term-wrap");
    document.querySelectorAll(".term-wrap:hover").forEach((w) => w.classList.add("tip-dismissed"));
    wrap?.classList.add("tip-dismissed");
  });
  const reset = (event) => event.currentTarget.classList.remove("tip-dismissed");
  document.querySelectorAll(".term-wrap").forEach((wrap) => {
    wrap.addEventListener("mouseleave", reset);
    wrap.addEventListener("focusout", reset);
  });
}

function compactTocOnSmallScreens() {
  if (window.matchMedia("(max-width: 900px)").matches) {
    document.querySelector(".toc-details")?.removeAttribute("open");
  }
}

compactTocOnSmallScreens();
showProgress();
wireTooltips();
renderDiagrams();
