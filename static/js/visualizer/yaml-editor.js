// A build-less YAML editor: a <textarea> over a highlighted <pre> that mirrors it, line numbers, and an
// inline marker at the line and column the engine reports. Diff before apply: `kubectl diff -f -` first,
// then `kubectl apply -f -` of exactly the text that was diffed.

import { TEMPLATES } from "./yaml-templates.js";
import { english, t } from "../i18n.js";

// Returns [[className|null, text], ...] for one YAML line; pure, so it can be tested without a page.
export function tokenizeLine(line) {
  const out = [];
  const push = (cls, text) => { if (text) out.push([cls, text]); };
  if (/^(---|\.\.\.)\s*$/.test(line)) return [["y-doc", line]];
  let rest = line;
  const indent = rest.match(/^\s*/)[0];
  push(null, indent);
  rest = rest.slice(indent.length);
  if (rest.startsWith("#")) { push("y-comment", rest); return out; }
  const dash = rest.match(/^-(\s+|$)/);
  if (dash) { push("y-dash", dash[0]); rest = rest.slice(dash[0].length); }
  const key = rest.match(/^([^\s#"'{}[\],:][^#:]*?|"[^"]*"|'[^']*')(\s*:)(\s|$)/);
  if (key) {
    push("y-key", key[1]);
    push("y-punct", key[2]);
    rest = rest.slice(key[1].length + key[2].length);
  }
  // Value and trailing comment (a # preceded by whitespace, outside quotes).
  let value = rest;
  let comment = "";
  let quote = null;
  for (let i = 0; i < rest.length; i += 1) {
    const ch = rest[i];
    if (quote) { if (ch === quote) quote = null; continue; }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "#" && (i === 0 || /\s/.test(rest[i - 1]))) { value = rest.slice(0, i); comment = rest.slice(i); break; }
  }
  const lead = value.match(/^\s*/)[0];
  push(null, lead);
  const body = value.slice(lead.length);
  const trail = body.match(/\s*$/)[0];
  const core = body.slice(0, body.length - trail.length);
  let cls = "y-str";
  if (/^(true|false|yes|no|on|off|null|~)$/i.test(core)) cls = "y-bool";
  else if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(core)) cls = "y-num";
  else if (/^["']/.test(core)) cls = "y-quoted";
  else if (/^[|>][-+]?\d*$/.test(core)) cls = "y-punct";
  else if (/^[&*!]/.test(core)) cls = "y-anchor";
  push(core ? cls : null, core);
  push(null, trail);
  push("y-comment", comment);
  return out;
}

export function createYamlEditor(root, { run, onApplied = () => {} }) {
  const area = root.querySelector("textarea");
  const highlight = root.querySelector(".viz-yaml-highlight");
  const gutter = root.querySelector(".viz-yaml-gutter");
  const picker = root.querySelector("select");
  const diffButton = root.querySelector("[data-action=diff]");
  const applyButton = root.querySelector("[data-action=apply]");
  const message = root.querySelector(".viz-yaml-message");
  const diffOut = root.querySelector(".viz-yaml-diff");
  const hint = root.querySelector(".viz-yaml-hint");
  let error = null; // {line, column, message}
  let diffedText = null;

  TEMPLATES.forEach((tpl, i) => {
    const option = document.createElement("option");
    option.value = tpl.key;
    option.textContent = english ? `${i + 1}. ${tpl.en}` : `${tpl.ko} · ${tpl.en}`;
    picker.append(option);
  });

  function paint() {
    const lines = area.value.split("\n");
    const frag = document.createDocumentFragment();
    lines.forEach((line, index) => {
      const row = document.createElement("span");
      row.className = "y-line";
      const isError = error && error.line === index + 1;
      if (isError) row.classList.add("y-error-line");
      let col = 1;
      for (const [cls, text] of tokenizeLine(line)) {
        const errCol = isError && error.column ? error.column : null;
        if (errCol && errCol >= col && errCol < col + text.length) {
          const at = errCol - col;
          appendText(row, cls, text.slice(0, at));
          const mark = document.createElement("mark");
          mark.className = "y-error-mark";
          mark.textContent = text[at];
          row.append(mark);
          appendText(row, cls, text.slice(at + 1));
        } else {
          appendText(row, cls, text);
        }
        col += text.length;
      }
      if (isError && error.column && error.column >= col) {
        const mark = document.createElement("mark");
        mark.className = "y-error-mark";
        mark.textContent = " ";
        row.append(mark);
      }
      row.append("\n");
      frag.append(row);
    });
    highlight.replaceChildren(frag);
    const numbers = document.createDocumentFragment();
    lines.forEach((_, index) => {
      const n = document.createElement("span");
      n.textContent = String(index + 1);
      if (error && error.line === index + 1) {
        n.className = "y-error-gutter";
        n.title = error.message;
      }
      numbers.append(n, "\n");
    });
    gutter.replaceChildren(numbers);
    syncScroll();
  }

  function appendText(row, cls, text) {
    if (!text) return;
    if (!cls) { row.append(text); return; }
    const span = document.createElement("span");
    span.className = cls;
    span.textContent = text;
    row.append(span);
  }

  function syncScroll() {
    highlight.scrollTop = area.scrollTop;
    highlight.scrollLeft = area.scrollLeft;
    gutter.scrollTop = area.scrollTop;
  }

  function setMessage(text, kind = "") {
    message.textContent = text;
    message.dataset.kind = kind;
  }

  function showError(err) {
    error = err && err.line ? { line: err.line, column: err.column || null, message: err.message || "" } : null;
    paint();
    if (err) {
      // The marker and the prefix name the line the problem is on. kubectl's own message (quoted as it is)
      // may name another: go-yaml (yaml.v2 decode.go `fail`) prints a *parser* error's 0-based line, so a bad
      // indent on line 10 reads "yaml: line 9". Say so rather than show two numbers unexplained.
      const goLine = Number(/yaml: line (\d+):/.exec(err.message || "")?.[1]) || null;
      const note = err.line && goLine && goLine !== err.line
        ? ` (${t("kubectl 메시지의 “line {go}”는 go-yaml이 이런 오류의 줄을 0부터 센 것입니다 · kubectl's “line {go}” counts from 0 for this kind of error", { go: goLine })})`
        : "";
      const where = !err.line ? "" : err.column
        ? `${t("{line}번째 줄 {column}번째 칸 · line {line}, column {column}", { line: err.line, column: err.column })}${note}: `
        : `${t("{line}번째 줄 · line {line}", { line: err.line })}${note}: `;
      setMessage(`⚠ ${where}${err.message || ""}`, "error");
      if (err.line) scrollToLine(err.line);
    }
  }

  function scrollToLine(line) {
    const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 20;
    const top = (line - 3) * lineHeight;
    if (top > area.scrollTop + area.clientHeight - lineHeight * 2 || top < area.scrollTop) area.scrollTop = Math.max(0, top);
    syncScroll();
  }

  function showDiff(text) {
    diffOut.replaceChildren();
    for (const line of (text || "").split("\n")) {
      const span = document.createElement("span");
      if (/^\+(?!\+\+)/.test(line)) span.className = "d-add";
      else if (/^-(?!--)/.test(line)) span.className = "d-del";
      else if (/^(diff |\+\+\+|---)/.test(line)) span.className = "d-head";
      span.textContent = `${line}\n`;
      diffOut.append(span);
    }
    diffOut.hidden = !text;
  }

  function load(key) {
    const chosen = TEMPLATES.find((x) => x.key === key) || TEMPLATES[0];
    area.value = english ? chosen.yaml.replace(/#.*[가-힣].*$/gm, "").replace(/[ \t]+$/gm, "") : chosen.yaml;
    hint.textContent = chosen.hint;
    diffedText = null;
    applyButton.disabled = true;
    showError(null);
    setMessage("");
    showDiff("");
  }

  async function diff() {
    const text = area.value;
    setMessage(t("차이를 계산하는 중… · Diffing"), "busy");
    const answer = await run("kubectl diff -f -", text);
    if (answer.type === "error") { showError(null); setMessage(`⚠ ${answer.message}`, "error"); return answer; }
    if (answer.error) { showError(answer.error); showDiff(""); return answer; }
    showError(null);
    if (!answer.ok) { setMessage(`⚠ ${answer.output || t("diff 실패")}`, "error"); showDiff(""); return answer; }
    diffedText = text;
    applyButton.disabled = false;
    showDiff(answer.output);
    setMessage(answer.output.trim() ? t("차이를 확인했으면 적용하세요 · Review, then apply") : t("바뀌는 것이 없습니다 · No changes"), "ok");
    return answer;
  }

  async function apply() {
    if (diffedText === null || diffedText !== area.value) return diff();
    const text = diffedText;
    setMessage(t("적용하는 중… · Applying"), "busy");
    const answer = await run("kubectl apply -f -", text);
    if (answer.type === "error") { setMessage(`⚠ ${answer.message}`, "error"); return answer; }
    if (answer.error) { showError(answer.error); return answer; }
    showError(null);
    setMessage(answer.output || "", answer.ok ? "ok" : "error");
    if (answer.ok) { diffedText = null; applyButton.disabled = true; showDiff(""); onApplied(answer); }
    return answer;
  }

  area.addEventListener("input", () => {
    if (error) error = null;
    if (diffedText !== null && diffedText !== area.value) applyButton.disabled = true;
    paint();
  });
  area.addEventListener("scroll", syncScroll);
  area.addEventListener("keydown", (event) => {
    // Tab indents by two spaces (YAML forbids tabs); Escape leaves the editor so Tab can move focus again.
    if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey && !area.dataset.escaped) {
      event.preventDefault();
      const { selectionStart: s, selectionEnd: e } = area;
      area.setRangeText("  ", s, e, "end");
      area.dispatchEvent(new Event("input"));
    } else if (event.key === "Escape") {
      area.dataset.escaped = "1";
    } else {
      delete area.dataset.escaped;
    }
  });
  picker.addEventListener("change", () => load(picker.value));
  diffButton.addEventListener("click", diff);
  applyButton.addEventListener("click", apply);
  load(TEMPLATES[0].key);
  return { load, diff, apply, showError, get text() { return area.value; }, set text(v) { area.value = v; area.dispatchEvent(new Event("input")); } };
}
