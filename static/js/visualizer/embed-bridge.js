// The sandbox's side of the lesson ↔ sandbox bridge. The embed page (/cluster/embed/, framed by a lesson
// page of this same site) runs here; static/js/course/runnable.js on the lesson is the other side.
//
// Messages are window.postMessage objects between same-origin windows only: each side checks the
// sender's origin and window before it reads anything, and posts to its own origin, never "*".
//   sandbox → lesson  {source: EMBED_SOURCE, type: "status", state, ready}
//                     {source: EMBED_SOURCE, type: "result", id, answer}
//   lesson → sandbox  {source: LESSON_SOURCE, type: "hello"}            (asks for the status)
//                     {source: LESSON_SOURCE, type: "run", id, text, stdin}
// `state` is the socket's status key (connecting, open, reconnecting, slow, denied, missing); `ready` is true
// once the socket is open and the first snapshot is drawn. `answer` is the server's `result` frame for
// the command, or the `error` frame (rate_limited, offline, timeout, too_large…) exactly as it came.
// A command runs through the embedded console, so the student sees it there too, as if typed.

export const EMBED_SOURCE = "orchestra-lab:sandbox";
export const LESSON_SOURCE = "orchestra-lab:lesson";
const MAX_TEXT = 4096;

// Returns the run request in `data`, or null when it is not a well-formed one (shape only: the server
// checks the command itself).
export function readRunRequest(data) {
  if (!data || typeof data !== "object" || data.source !== LESSON_SOURCE || data.type !== "run") return null;
  const { id, text, stdin } = data;
  if (!(typeof id === "number" || typeof id === "string")) return null;
  if (typeof text !== "string" || !text.trim() || text.length > MAX_TEXT) return null;
  if (!(stdin === null || stdin === undefined || typeof stdin === "string")) return null;
  return { id, text, stdin: stdin ?? null };
}

// Plain data only crosses the bridge (structured clone): copy the fields the lesson reads.
function plainAnswer(answer) {
  if (!answer || typeof answer !== "object") {
    return { type: "error", code: "no_answer", message: "no answer" };
  }
  if (answer.type === "result") {
    return { type: "result", ok: Boolean(answer.ok), output: String(answer.output ?? ""), error: answer.error ?? null };
  }
  return { type: "error", code: String(answer.code ?? "error"), message: String(answer.message ?? "") };
}

export function startEmbedBridge({ section, term, socket, parent = window.parent, origin = location.origin }) {
  if (!parent || parent === window || !section) return null;
  let last = "";

  function status() {
    const state = section.dataset.connection || "connecting";
    return { state, ready: state === "open" && section.dataset.version !== undefined };
  }

  function post(message) {
    parent.postMessage({ source: EMBED_SOURCE, ...message }, origin);
  }

  function postStatus(force = false) {
    const now = status();
    const key = `${now.state}:${now.ready}`;
    if (!force && key === last) return;
    last = key;
    post({ type: "status", ...now });
  }

  // data-version changes with every diff (up to ten a second): only a change of state is posted.
  new MutationObserver(() => postStatus()).observe(section, {
    attributes: true,
    attributeFilter: ["data-connection", "data-version"],
  });

  window.addEventListener("message", async (event) => {
    if (event.origin !== origin || event.source !== parent) return;
    const data = event.data;
    if (data && data.source === LESSON_SOURCE && data.type === "hello") {
      postStatus(true);
      return;
    }
    const request = readRunRequest(data);
    if (!request) return;
    let answer;
    try {
      answer = term
        ? await term.execute(request.text, request.stdin)
        : await socket.request("command", { text: request.text, stdin: request.stdin });
    } catch (error) {
      answer = { type: "error", code: "bridge", message: String(error?.message || error) };
    }
    post({ type: "result", id: request.id, answer: plainAnswer(answer) });
  });

  postStatus(true);
  return { postStatus };
}
