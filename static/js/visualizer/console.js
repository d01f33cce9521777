// A terminal-like console: one input line, kubectl/docker-like output in a monospace <pre>, history with
// ↑/↓ (kept per cluster in localStorage), Tab completion through the server's `complete` message.
// Server text is only ever inserted as text nodes, never as HTML.

const HISTORY_MAX = 100;
const OUTPUT_MAX_CHUNKS = 400;

export function commonPrefix(items) {
  if (!items.length) return "";
  let prefix = items[0];
  for (const item of items.slice(1)) {
    let i = 0;
    while (i < prefix.length && i < item.length && prefix[i] === item[i]) i += 1;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}

export function createHistory(key, storage = globalThis.localStorage) {
  let items = [];
  try { items = JSON.parse(storage?.getItem(key) || "[]").filter((x) => typeof x === "string"); } catch { items = []; }
  let cursor = items.length;
  let draft = "";
  return {
    get items() { return items.slice(); },
    push(line) {
      if (!line.trim()) return;
      if (items[items.length - 1] !== line) items.push(line);
      items = items.slice(-HISTORY_MAX);
      cursor = items.length;
      draft = "";
      try { storage?.setItem(key, JSON.stringify(items)); } catch { /* private mode: keep it in memory */ }
    },
    up(current) {
      if (cursor === items.length) draft = current;
      if (cursor > 0) cursor -= 1;
      return items[cursor] ?? current;
    },
    down() {
      if (cursor < items.length) cursor += 1;
      return cursor === items.length ? draft : items[cursor];
    },
  };
}

export function createConsole(root, { clusterId, run, complete, onCommand = () => {} }) {
  const output = root.querySelector(".viz-term-output");
  const form = root.querySelector("form");
  const input = root.querySelector("input");
  const history = createHistory(`orchestra-lab:viz-history:${clusterId}`);
  let busy = false;
  let overflowListener = () => {};

  function print(text, cls = "") {
    const chunk = document.createElement("span");
    if (cls) chunk.className = cls;
    chunk.textContent = text.endsWith("\n") ? text : `${text}\n`;
    output.append(chunk);
    while (output.childNodes.length > OUTPUT_MAX_CHUNKS) output.firstChild.remove();
    output.scrollTop = output.scrollHeight;
    // Lines wider than the pane (kubectl describe's Events): the page points at the wide view.
    if (output.scrollWidth > output.clientWidth + 4) overflowListener();
  }

  async function execute(line, stdin = null) {
    print(`$ ${line}`, "viz-term-prompt");
    if (/^\s*(clear|cls)\s*$/.test(line)) { output.replaceChildren(); return null; }
    onCommand(line);
    const answer = await run(line, stdin);
    if (answer.type === "error") {
      print(`error: ${answer.message}`, "viz-term-error");
    } else {
      if (answer.output) print(answer.output, answer.ok ? "" : "viz-term-error");
      else if (!answer.ok && answer.error?.message) print(answer.error.message, "viz-term-error");
    }
    return answer;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const line = input.value;
    if (!line.trim() || busy) return;
    history.push(line);
    input.value = "";
    busy = true;
    root.dataset.busy = "true";
    try { await execute(line); } finally {
      busy = false;
      delete root.dataset.busy;
      input.focus();
    }
  });

  input.addEventListener("keydown", async (event) => {
    if (event.isComposing) return;
    if (event.key === "ArrowUp") {
      event.preventDefault();
      input.value = history.up(input.value);
      input.setSelectionRange(input.value.length, input.value.length);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      input.value = history.down();
    } else if (event.key === "Tab" && !event.shiftKey) {
      if (!input.value.trim()) return; // an empty line lets Tab move focus as usual
      event.preventDefault();
      const prefix = input.value;
      const answer = await complete(prefix);
      const items = answer.type === "completions" ? answer.items.filter((x) => typeof x === "string") : [];
      if (input.value !== prefix) return;
      if (items.length === 1) {
        input.value = items[0].endsWith(" ") ? items[0] : `${items[0]} `;
      } else if (items.length > 1) {
        const common = commonPrefix(items);
        if (common.length > prefix.length) input.value = common;
        else print(items.slice(0, 60).join("   "), "viz-term-hint");
      }
    } else if (event.key === "l" && event.ctrlKey) {
      event.preventDefault();
      output.replaceChildren();
    }
  });

  return {
    print, execute, focus: () => input.focus(), get input() { return input; },
    onOverflow(listener) { overflowListener = listener; },
  };
}
