// The dashboard's roster: who joined, who is online now (접속 중) or when they were last seen, and the
// instructor's rename and remove. Presence ages on the page itself from `last_seen` and the server clock,
// so a student whose socket vanished without a goodbye fades out within `online_window` seconds.

import { h, serverOffset } from "./dom.js";
import { t, tn } from "../i18n.js";

const ERROR_CODES = ["unknown_student", "bad_nickname"];
const LEVELS = { beginner: t("초급"), intermediate: t("중급"), advanced: t("고급") };

export function createRoster({ list, count, online, status, send }) {
  let roster = { students: [], count: 0, online: 0, online_window: 60, server_now: 0 };
  let offset = 0;
  let editing = null; // id of the student being renamed

  const serverNow = () => Date.now() + offset;

  function isOnline(s) {
    return s.online && s.last_seen !== null && serverNow() - s.last_seen < roster.online_window * 1000;
  }

  function presenceText(s) {
    if (isOnline(s)) return t("접속 중");
    if (!s.last_seen) return t("접속 기록 없음");
    const minutes = Math.floor((serverNow() - s.last_seen) / 60000);
    return minutes < 1 ? t("방금 전 접속") : tn("마지막 접속 {n}분 전", minutes);
  }

  function renameForm(s) {
    const input = h("input", { type: "text", value: s.nickname, maxlength: "20", "aria-label": t("새 닉네임: {name}", { name: s.nickname }), class: "cls-rename-input" });
    const form = h("form", { class: "cls-rename", onsubmit: (event) => {
      event.preventDefault();
      editing = null;
      send("roster.rename", { student: s.id, nickname: input.value });
      render();
    } },
    input,
    h("button", { type: "submit", class: "cls-button small primary", text: t("저장") }),
    h("button", { type: "button", class: "cls-button small", text: t("취소"), onclick: () => { editing = null; render(); } }));
    input.addEventListener("keydown", (event) => { if (event.key === "Escape") { editing = null; render(); } });
    queueMicrotask(() => { input.focus(); input.select(); });
    return form;
  }

  function row(s) {
    const here = isOnline(s);
    return h("li", { dataset: { level: s.level, online: String(here), student: String(s.id) } },
      h("span", { class: "cls-presence", "aria-hidden": "true", text: here ? "●" : "○" }), " ",
      editing === s.id ? renameForm(s) : h("span", { class: "cls-roster-name", text: s.nickname }), " ",
      h("span", { class: "cls-pill", text: LEVELS[s.level] || s.level_label }),
      s.pair_number ? h("span", { class: "cls-hint", text: ` · ${t("{n}조", { n: s.pair_number })}` }) : null,
      h("span", { class: "cls-hint cls-seen", text: ` · ${presenceText(s)}` }),
      editing === s.id ? null : h("span", { class: "cls-roster-actions" },
        h("button", { type: "button", class: "cls-button small", dataset: { action: "rename" }, text: t("이름 변경"),
          "aria-label": t("이름 변경: {name}", { name: s.nickname }), onclick: () => { editing = s.id; render(); } }),
        h("button", { type: "button", class: "cls-button small viz-danger", dataset: { action: "remove" }, text: t("참여 취소"),
          "aria-label": t("참여 취소: {name}", { name: s.nickname }), onclick: () => {
            if (window.confirm(t("{name} 학생의 참여를 취소할까요? 이 학생의 답과 예측이 지워집니다. 학생은 다시 참여할 수 있습니다.", { name: s.nickname }))) {
              send("roster.remove", { student: s.id });
            }
          } })),
    );
  }

  function render() {
    const here = roster.students.filter(isOnline).length;
    if (count) count.textContent = String(roster.count);
    if (online) online.textContent = String(here);
    list.replaceChildren(...roster.students.map(row));
  }

  setInterval(() => { if (editing === null) render(); }, 15000);

  return {
    update(next) {
      roster = next;
      offset = serverOffset(next.server_now);
      if (editing !== null && !next.students.some((s) => s.id === editing)) editing = null;
      if (status) status.textContent = "";
      render();
    },
    // Shows a refused rename or remove beside the roster; returns whether the error was about the roster.
    error(msg) {
      if (!ERROR_CODES.includes(msg.code)) return false;
      if (status) status.textContent = msg.message;
      return true;
    },
  };
}
