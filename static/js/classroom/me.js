// The student's own identity and evidence on their page: `renamed` (the instructor changed the nickname),
// `removed` (the instructor removed this join; the server closes the socket next) and `checklist` (their
// 세션 마무리 evidence changed). student.js hands these frames here.

import { h } from "./dom.js";
import { applyMyChecklist } from "./checklist.js";
import { t } from "../i18n.js";

let latest = null;

// Re-applies the latest checklist after the page swapped in a section (the wrap-up may have just appeared).
export function refreshChecklist(root = document) {
  applyMyChecklist(root, latest);
}

function showRemoved(msg) {
  const notice = h("section", { class: "cls-card cls-removed", role: "alert", id: "removed-notice" },
    h("h2", { text: t("이 수업 참여가 취소되었습니다") }),
    h("p", { text: msg.message }),
    h("p", {}, h("a", { class: "cls-button primary", href: msg.join_url, text: t("다시 참여하기") })));
  document.getElementById("removed-notice")?.remove();
  // Above the whole page (on a phone the section list comes first), and in view.
  const page = document.querySelector(".cls-student");
  if (page) page.before(notice); else document.body.prepend(notice);
  notice.scrollIntoView({ block: "start" });
  document.querySelectorAll(".cls-student form, .cls-student button, .cls-student input, .cls-student textarea, .cls-student select")
    .forEach((el) => { el.disabled = true; });
}

// Returns whether the frame was one of these.
export function handlePeople(msg) {
  switch (msg.type) {
    case "hello":
      latest = msg.checklist || null;
      refreshChecklist();
      return false; // student.js handles the rest of hello
    case "renamed": {
      const name = document.getElementById("me-name");
      if (name) name.textContent = msg.nickname;
      return true;
    }
    case "removed":
      showRemoved(msg);
      return true;
    case "checklist":
      latest = msg;
      refreshChecklist();
      return true;
    default:
      return false;
  }
}
