// Which code blocks of a lesson can run in the student's sandbox, decided from the block's text (and from
// the fence's language when the renderer gives it as data-lang on div.codehilite). Pure functions, no DOM.
//
//   detectRunnable(text, lang) → {kind: "manifest", yaml, objects: [{kind, name}]}
//                              | {kind: "commands", commands: [{text, stdin}]}
//                              | null  (not runnable: shown as an ordinary code block)
//
// A manifest is YAML whose every document has top-level `apiVersion:` and `kind:` (kubectl apply -f -
// reads any number of `---`-separated documents). Commands are lines starting with `kubectl` or `docker`,
// with an optional `$ ` prompt; `#` comment lines are skipped. When some line has a `$ ` prompt, only the
// prompted lines are commands and the others are their printed output (a console transcript). A trailing
// `\` continues a line; `<<EOF … EOF` becomes the command's standard input. A block with any other line,
// or with shell syntax the sandbox does not interpret (pipes, `;`, `&&`, redirections, `$(…)`), is not
// runnable: better no button than a button that runs something else than what the text says.

const MANIFEST_LANGS = new Set(["", "yaml", "yml"]);
const SHELL_LANGS = new Set(["", "bash", "sh", "shell", "console", "zsh", "shell-session", "shellsession"]);
const PROGRAM = /^(kubectl|docker)(\s|$)/;
const HEREDOC = /^(.*?)\s*<<(-?)\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\3\s*$/;
const MAX_COMMANDS = 20; // the server allows a burst of 10 commands and 5 a second after that

function normalise(text) {
  return String(text ?? "").replace(/\r\n?/g, "\n");
}

function isBlankOrComment(line) {
  const s = line.trim();
  return s === "" || s.startsWith("#");
}

// Walks `line` outside single and double quotes, as a POSIX shell reads them (backslash escapes the next
// character outside single quotes). `visit(ch, i)` returning true stops the walk; returns the index.
function scanUnquoted(line, visit) {
  let quote = null;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quote === "'") { if (ch === "'") quote = null; continue; }
    if (ch === "\\") { i += 1; continue; }
    if (quote === '"') { if (ch === '"') quote = null; else if (ch === "`" || (ch === "$" && line[i + 1] === "(")) { if (visit(ch, i)) return i; } continue; }
    if (ch === "'" || ch === '"') { quote = ch; continue; }
    if (visit(ch, i)) return i;
  }
  return -1;
}

// Cuts a `# comment` (a # that starts a word, outside quotes) off the end of a command line.
export function stripComment(line) {
  const at = scanUnquoted(line, (ch, i) => ch === "#" && (i === 0 || /\s/.test(line[i - 1])));
  return at === -1 ? line : line.slice(0, at);
}

// True when the line uses shell syntax beyond words and quotes: | ; & < > ` $( .
export function hasShellSyntax(line) {
  return scanUnquoted(line, (ch, i) => "|;&<>`".includes(ch) || (ch === "$" && line[i + 1] === "(")) !== -1;
}

export function manifestOf(text) {
  const source = normalise(text);
  if (source.includes("{{")) return null; // a Helm or Go template, not something to apply as it is
  const objects = [];
  for (const doc of source.split(/^---[ \t]*(?:#.*)?$/m)) {
    if (doc.split("\n").every(isBlankOrComment)) continue;
    const api = doc.match(/^apiVersion:[ \t]*["']?([^\s"'#]+)/m);
    const kind = doc.match(/^kind:[ \t]*["']?([A-Za-z][A-Za-z0-9]*)/m);
    if (!api || !kind) return null;
    const name =
      doc.match(/^metadata:[ \t]*\n(?:[ \t]+.*\n|[ \t]*#.*\n|[ \t]*\n)*?[ \t]+name:[ \t]*["']?([^\s"'#]+)/m) ||
      doc.match(/^metadata:[ \t]*\{[^}]*?\bname:[ \t]*["']?([^\s"',}]+)/m);
    objects.push({ kind: kind[1], name: name ? name[1] : "" });
  }
  if (!objects.length) return null;
  return { kind: "manifest", yaml: source.endsWith("\n") ? source : `${source}\n`, objects };
}

export function commandsOf(text) {
  const lines = normalise(text).split("\n");
  const prompted = lines.some((l) => /^\s*\$ /.test(l));
  const commands = [];
  for (let i = 0; i < lines.length; i += 1) {
    let line = lines[i];
    if (prompted) {
      const m = line.match(/^\s*\$ (.*)$/);
      if (!m) continue; // printed output in a console transcript
      line = m[1];
    }
    if (isBlankOrComment(line)) continue;
    line = line.trim();
    while (line.endsWith("\\") && i + 1 < lines.length) {
      i += 1;
      line = `${line.slice(0, -1).trimEnd()} ${lines[i].trim().replace(/^> /, "")}`;
    }
    line = stripComment(line).trim();
    if (!PROGRAM.test(line)) return null;
    let stdin = null;
    const here = line.match(HEREDOC);
    if (here) {
      const [, command, dash, , tag] = here;
      const body = [];
      let closed = false;
      for (i += 1; i < lines.length; i += 1) {
        const raw = prompted ? lines[i].replace(/^> /, "") : lines[i];
        const candidate = dash ? raw.replace(/^\t+/, "") : raw;
        if (candidate.trim() === tag) { closed = true; break; }
        body.push(dash ? candidate : raw);
      }
      if (!closed) return null;
      line = command.trim();
      stdin = `${body.join("\n")}\n`;
    }
    if (hasShellSyntax(line)) return null;
    commands.push({ text: line, stdin });
    if (commands.length > MAX_COMMANDS) return null;
  }
  return commands.length ? commands : null;
}

export function detectRunnable(text, lang = "") {
  const language = String(lang || "").trim().toLowerCase();
  if (MANIFEST_LANGS.has(language)) {
    const manifest = manifestOf(text);
    if (manifest) return manifest;
  }
  if (SHELL_LANGS.has(language)) {
    const commands = commandsOf(text);
    if (commands) return { kind: "commands", commands };
  }
  return null;
}
