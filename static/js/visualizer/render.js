// Thin: draws the view model (model.js) at the positions layout.js computed, as SVG, and animates the
// changes with CSS transitions and the Web Animations API. With prefers-reduced-motion nothing moves:
// cards jump to their place, traffic shows as counts only, the lit flow step simply changes.

import { computeLayout } from "./layout.js";
import { createVersionColours, podBadge, statusGroup, STATUS_SYMBOL } from "./model.js";
import { el, fit, fitMiddle, roundRect, text } from "./svg.js";
import { t } from "../i18n.js";

const PARTS = {
  apiserver: ["API Server", t("모든 요청 처리")],
  scheduler: [t("스케줄러"), t("컨테이너 배치 결정")],
  controllers: [t("컨트롤러 매니저"), t("상태 관리 · 자동 복구")],
  etcd: ["etcd", t("클러스터 정보 저장")],
};
const STEP_MARK = ["", "①", "②", "③", "④", "⑤", "⑥"];

export function prefersReducedMotion() {
  return globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
}

export function createRenderer(svg, { scale = () => 1 } = {}) {
  const colourOf = createVersionColours();
  const layers = {};
  for (const name of ["links", "cp", "band", "nodes", "pods", "dots"]) layers[name] = el("g", { class: `v-${name}` }, svg);
  const pods = new Map(); // id → {g, pod}
  const band = new Map();
  let layout = null;
  let model = null;
  let width = 1000;

  function reduced() { return prefersReducedMotion(); }

  function setWidth(px) {
    width = Math.max(300, Math.round(px / scale()));
  }

  function drawControlPlane() {
    layers.cp.replaceChildren();
    layers.links.replaceChildren();
    const L = layout;
    const user = el("g", { class: "v-part v-user", "data-comp": "user" }, layers.cp);
    roundRect(user, L.user, { class: "v-user-box" });
    const ux = L.user.x + L.user.w / 2;
    if (L.user.h > 40) {
      text(user, ux, L.user.y + 34, "👤", { class: "v-user-icon", "text-anchor": "middle" });
      text(user, ux, L.user.y + 58, t("사용자"), { class: "v-part-title", "text-anchor": "middle" });
      text(user, ux, L.user.y + 74, "kubectl", { class: "v-part-sub mono", "text-anchor": "middle" });
    } else {
      text(user, L.user.x + 10, L.user.y + 20, `👤 ${t("사용자")} · kubectl / docker`, { class: "v-part-title" });
    }
    const cp = el("g", { class: "v-cp-box" }, layers.cp);
    roundRect(cp, L.cp, { class: "v-cp-frame", rx: 12 });
    const cpReady = model.controlPlane ? model.controlPlane.ready : true;
    text(cp, L.cp.x + 12, L.cp.y + 20, t("마스터 노드 (Control Plane)"), { class: "v-box-title" });
    text(cp, L.cp.x + L.cp.w - 10, L.cp.y + 20, cpReady ? "● Ready" : "✕ NotReady", { class: "v-box-status", "text-anchor": "end" });
    for (const [name, [title, sub]] of Object.entries(PARTS)) {
      const r = L.parts[name];
      const g = el("g", { class: `v-part v-part-${name}`, "data-comp": name }, layers.cp);
      roundRect(g, r, { class: "v-part-box", rx: 7 });
      text(g, r.x + 10, r.y + 19, fit(title, r.w - 34, 13, false), { class: "v-part-title" });
      text(g, r.x + 10, r.y + 36, fit(sub, r.w - 16, 11, false), { class: "v-part-sub" });
      text(g, r.x + r.w - 8, r.y + 19, "", { class: "v-step-badge", "text-anchor": "end" });
    }
    // Lines like the lesson's M1 → W1, M1 → W2: the API server talks to every kubelet.
    const api = L.parts.apiserver;
    for (const node of L.nodes) {
      const k = node.parts.kubelet;
      if (!k) continue;
      el("path", {
        class: "v-link", "data-node": node.name,
        d: `M ${api.x + api.w / 2} ${api.y + api.h} C ${api.x + api.w / 2} ${k.y - 30}, ${k.x + k.w / 2} ${node.y - 40}, ${k.x + k.w / 2} ${k.y}`,
      }, layers.links);
    }
    el("path", {
      class: "v-link v-link-user",
      d: L.user.h > 40
        ? `M ${L.user.x + L.user.w} ${api.y + api.h / 2} L ${api.x} ${api.y + api.h / 2}`
        : `M ${api.x + api.w / 2} ${L.user.y + L.user.h} L ${api.x + api.w / 2} ${api.y}`,
    }, layers.links);
  }

  function drawNodes() {
    layers.nodes.replaceChildren();
    const byName = new Map(model.nodes.map((n) => [n.name, n]));
    for (const r of layout.nodes) {
      const n = r.controlPlane ? { up: true, ready: Boolean(model.controlPlane?.ready), cordoned: false } : byName.get(r.name);
      const state = !n.up ? "down" : !n.ready ? "notready" : n.cordoned ? "cordoned" : "ready";
      const g = el("g", { class: `v-node v-node-${state}`, "data-node": r.name }, layers.nodes);
      roundRect(g, r, { class: "v-node-box", rx: 12 });
      if (state === "notready" || state === "down") roundRect(g, r, { class: "v-node-hatch", rx: 12, fill: "url(#v-hatch)" });
      text(g, r.x + 10, r.y + 18, r.name, { class: "v-box-title mono" });
      if (r.controlPlane) {
        g.classList.add("v-node-cp");
        text(g, r.x + 10, r.y + 38, fit(t("컨트롤 플레인 노드에서 도는 파드"), r.w - 20, 11, false), { class: "v-part-sub" });
      }
      const label = {
        ready: "● Ready", notready: "✕ NotReady", down: "✕ NotReady", cordoned: "⛔ cordoned",
      }[state];
      text(g, r.x + r.w - 8, r.y + 18, fit(label, r.w - 100, 11, false), { class: "v-box-status", "text-anchor": "end" });
      const short = r.parts.kubelet && r.parts.kubelet.w < 74;
      const names = short ? { kubelet: "kubelet", runtime: "runtime", proxy: "proxy" } : { kubelet: "kubelet", runtime: "containerd", proxy: "kube-proxy" };
      for (const [part, pr] of Object.entries(r.parts)) {
        const pg = el("g", { class: `v-part v-part-${part}`, "data-comp": part, "data-node": r.name }, g);
        roundRect(pg, pr, { class: "v-comp-box", rx: 5 });
        text(pg, pr.x + pr.w / 2, pr.y + 16, fit(names[part], pr.w - 6, 10.5), { class: "v-comp-title mono", "text-anchor": "middle" });
      }
    }
    for (const r of layout.nodes) {
      if (!model.pods.some((p) => p.node === r.name)) {
        text(layers.nodes, r.x + r.w / 2, r.y + 80, t("파드 없음 · no pods"), { class: "v-node-empty", "text-anchor": "middle" });
      }
    }
    if (layout.pending) {
      const r = layout.pending;
      const g = el("g", { class: "v-node v-node-pending" }, layers.nodes);
      roundRect(g, r, { class: "v-node-box", rx: 12 });
      text(g, r.x + 10, r.y + 18, t("배치 대기 (Pending)"), { class: "v-box-title" });
      text(g, r.x + 10, r.y + 38, fit(t("스케줄러가 아직 노드를 정하지 못한 파드"), r.w - 20, 11, false), { class: "v-part-sub" });
    }
  }

  function bandContent(g, item, r) {
    g.replaceChildren();
    roundRect(g, { x: 0, y: 0, w: r.w, h: r.h }, { class: "v-band-box", rx: 8 });
    const w = r.w;
    if (item.kind === "deployment") {
      const d = item.data;
      text(g, 8, 16, fit(`Deployment ${d.name}`, w - 16, 11.5), { class: "v-band-title mono" });
      text(g, 8, 31, fit(`${t("{ready}/{replicas} Ready · 최신 {updated}", d)}${d.revision ? ` · rev ${d.revision}` : ""}`, w - 16, 10.5, false), { class: "v-band-sub" });
      let x = 8;
      for (const image of d.images) {
        const v = image.split(":").pop();
        const pw = Math.min(w - 16, 12 + v.length * 6.6);
        el("rect", { x, y: 36, width: pw, height: 12, rx: 6, fill: colourOf(image), class: "v-ver-pill" }, g);
        text(g, x + pw / 2, 45.5, v, { class: "v-ver-text mono", "text-anchor": "middle" });
        x += pw + 4;
      }
    } else if (item.kind === "statefulset" || item.kind === "daemonset" || item.kind === "job" || item.kind === "cronjob") {
      ownerContent(g, item.kind, item.data, w);
    } else if (item.kind === "service") {
      const s = item.data;
      text(g, 8, 16, fit(`Service ${s.name} · ${s.type}`, w - 16, 11.5), { class: "v-band-title mono" });
      const port = s.ports[0];
      text(g, 8, 31, fit(`${s.clusterIP || ""}${port ? `:${port.port}` : ""}${port?.nodePort ? ` · NodePort ${port.nodePort}` : ""}`, w - 16, 10.5), { class: "v-band-sub mono" });
      text(g, 8, 45, fit(t("엔드포인트 Ready {n}개 · 요청 {total}", { n: s.readyPods.length, total: s.total }), w - 16, 10.5, false), { class: "v-band-sub" });
    } else if (item.kind === "hpa") {
      const h = item.data;
      text(g, 8, 16, fit(`HPA ${h.name} → ${h.target.split("/").pop()}`, w - 16, 11.5), { class: "v-band-title mono" });
      const gx = 8;
      const gw = w - 16;
      const max = Math.max(100, (h.targetCPU || 0) * 2, h.currentCPU || 0);
      roundRect(g, { x: gx, y: 22, w: gw, h: 10 }, { class: "v-gauge-track", rx: 5 });
      if (h.currentCPU !== null && h.currentCPU !== undefined) {
        const over = h.targetCPU && h.currentCPU > h.targetCPU;
        roundRect(g, { x: gx, y: 22, w: Math.max(4, (gw * Math.min(h.currentCPU, max)) / max), h: 10 }, { class: `v-gauge-fill${over ? " over" : ""}`, rx: 5 });
      }
      if (h.targetCPU) {
        const tx = gx + (gw * h.targetCPU) / max;
        el("line", { x1: tx, x2: tx, y1: 19, y2: 35, class: "v-gauge-target" }, g);
      }
      const cpu = h.currentCPU === null || h.currentCPU === undefined ? "<unknown>" : `${h.currentCPU}%`;
      text(g, 8, 46, fit(t("CPU {cpu} / 목표 {target}% · 파드 {replicas} ({min}–{max})", { cpu, target: h.targetCPU ?? "?", replicas: h.replicas, min: h.min, max: h.max }), w - 16, 10.5, false), { class: "v-band-sub" });
    } else if (item.kind === "secret") {
      const s = item.data;
      text(g, 8, 16, fit(`🔑 Secret ${s.name}`, w - 16, 11.5), { class: "v-band-title mono" });
      text(g, 8, 31, fit(t("키 {n}개 · {type}", { n: s.keys.length, type: s.type }), w - 16, 10.5, false), { class: "v-band-sub" });
      text(g, 8, 45, t("파드 {n}개가 사용", { n: s.usedBy }), { class: "v-band-sub" });
    } else if (item.kind === "pvc") {
      const p = item.data;
      text(g, 8, 16, fit(`💾 PVC ${p.name}`, w - 16, 11.5), { class: "v-band-title mono" });
      text(g, 8, 31, fit(`${p.status === "Bound" ? "● Bound" : `◐ ${p.status}`} · ${p.capacity || ""} ${p.accessModes.join(",")}`, w - 16, 10.5, false), { class: "v-band-sub" });
      text(g, 8, 45, fit(`${t("파드 {n}개가 사용", { n: p.usedBy })}${p.volume ? ` · ${p.volume}` : ""}`, w - 16, 10.5, false), { class: "v-band-sub" });
    }
  }

  // Owner cards of the workload kinds: what `kubectl get <kind>` says, then the pods the owner owns, each as
  // a chip with its status symbol (StatefulSet pods by ordinal, so web-0 comes first as it starts first).
  function ownerContent(g, kind, d, w) {
    const ns = d.namespace && d.namespace !== "default" ? `${d.namespace} · ` : "";
    text(g, 8, 16, fit(`${d.kind} ${d.name}`, w - 16, 11.5), { class: "v-band-title mono" });
    g.dataset.namespace = d.namespace || "";
    let line = ns;
    if (kind === "statefulset") line += t("{ready}/{replicas} Ready · 순서대로 0부터", d);
    else if (kind === "daemonset") line += t("노드마다 하나 · {ready}/{desired} Ready", d);
    else if (kind === "job") line += `${d.status} · ${t("완료 {succeeded}/{n}", { succeeded: d.succeeded, n: d.completions ?? "-" })}${d.failed ? ` · ${t("실패 {n}", { n: d.failed })}` : ""}`;
    else if (kind === "cronjob") line += `${d.schedule}${d.suspend ? " · suspended" : ""} · ${t("Job {n}개 · 실행 중 {active}", { n: d.jobs.length, active: d.active })}`;
    text(g, 8, 31, fit(line, w - 16, 10.5, false), { class: "v-band-sub" });
    g.dataset.pods = d.pods.map((p) => p.name).join(" ");
    let x = 8;
    const chips = kind === "cronjob" ? d.pods.slice(-4) : d.pods;
    for (const pod of chips) {
      const label = kind === "statefulset" ? pod.name.slice(d.name.length + 1) : kind === "daemonset" ? (pod.node === "control-plane" ? "cp" : String(pod.node || "?").replace(/^worker-/, "w")) : pod.name.slice(pod.name.lastIndexOf("-") + 1);
      const chip = `${STATUS_SYMBOL[statusGroup(pod.status)]}${label}`;
      const cw = 8 + chip.length * 6.2;
      if (x + cw > w - 8) { text(g, x, 45, "…", { class: "v-band-sub" }); break; }
      const c = el("g", { class: `v-owned v-owned-${statusGroup(pod.status)}` }, g);
      el("title", {}, c).textContent = `${pod.name} · ${pod.status}`;
      roundRect(c, { x, y: 36, w: cw, h: 12 }, { class: "v-owned-box", rx: 3 });
      text(c, x + 4, 45.5, chip, { class: "v-owned-text mono" });
      x += cw + 3;
    }
    if (!d.pods.length) text(g, 8, 45, t("파드 없음 · no pods"), { class: "v-band-sub" });
  }

  function drawBand() {
    const data = {
      deployment: new Map(model.deployments.map((d) => [d.id, d])),
      statefulset: new Map((model.statefulsets || []).map((d) => [d.id, d])),
      daemonset: new Map((model.daemonsets || []).map((d) => [d.id, d])),
      job: new Map((model.jobs || []).map((d) => [d.id, d])),
      cronjob: new Map((model.cronjobs || []).map((d) => [d.id, d])),
      service: new Map(model.services.map((d) => [d.id, d])),
      hpa: new Map(model.hpas.map((d) => [d.id, d])),
      secret: new Map(model.secrets.map((d) => [d.id, d])),
      pvc: new Map(model.pvcs.map((d) => [d.id, d])),
    };
    const seen = new Set();
    for (const [key, r] of Object.entries(layout.bandItems)) {
      seen.add(key);
      let g = band.get(key);
      if (!g) {
        g = el("g", { class: `v-band-item v-band-${r.kind}`, "data-key": key }, layers.band);
        band.set(key, g);
        place(g, r, true);
        appear(g);
      } else {
        place(g, r, false);
      }
      bandContent(g, { kind: r.kind, data: data[r.kind].get(r.id) }, r);
    }
    for (const [key, g] of band) if (!seen.has(key)) { band.delete(key); disappear(g); }
  }

  function podContent(g, pod, r) {
    g.replaceChildren();
    const cls = ["v-pod", `v-pod-${pod.group}`];
    if (pod.docker) cls.push("v-pod-docker");
    const badge = podBadge(pod);
    if (badge.kind === "notready" && !pod.docker) cls.push("v-pod-notready");
    if (pod.deleting) cls.push("v-pod-deleting");
    g.setAttribute("class", cls.join(" "));
    g.dataset.status = pod.status;
    g.dataset.ready = String(pod.ready);
    g.dataset.version = pod.version;
    g.dataset.name = pod.name;
    const w = r.w;
    const colour = colourOf(pod.image);
    const title = el("title", {}, g);
    const ns = pod.namespace && pod.namespace !== "default" ? `${pod.namespace}/` : "";
    title.textContent = `${pod.docker ? t("docker 컨테이너") : t("파드")} ${ns}${pod.name} · ${pod.image} · ${pod.status}${pod.docker ? "" : ` · ${badge.text.replace(/^\W+/, "")}`}${pod.owner ? ` · ${pod.owner.kind} ${pod.owner.name}` : ""} · ${t("재시작 {n}", { n: pod.restarts })}`;
    roundRect(g, { x: 0, y: 0, w, h: r.h }, { class: "v-pod-box", rx: 7 });
    el("rect", { x: 0, y: 0, width: 6, height: r.h, rx: 3, fill: colour, class: "v-pod-strip" }, g);
    // Version pill: the colour and the version text, never the colour alone.
    const v = fit(pod.version, 70, 10.5);
    const pw = 12 + v.length * 6.5;
    el("rect", { x: w - pw - 6, y: 5, width: pw, height: 15, rx: 7.5, fill: colour, class: "v-ver-pill" }, g);
    text(g, w - 6 - pw / 2, 16, v, { class: "v-ver-text mono", "text-anchor": "middle" });
    text(g, 12, 16, fitMiddle(pod.name, w - pw - 22, 11.5, 5), { class: "v-pod-name mono" });
    text(g, 12, 33, fit(`${STATUS_SYMBOL[pod.group]} ${pod.status}`, w - (pod.restarts > 0 ? 56 : 18), 11, false), { class: "v-pod-status" });
    if (pod.restarts > 0) text(g, w - 8, 33, `↻ ${pod.restarts}`, { class: "v-pod-restarts", "text-anchor": "end" });
    let x = 12;
    if (pod.docker) {
      const bw = 50;
      el("rect", { x, y: 40, width: bw, height: 14, rx: 3, class: "v-docker-badge" }, g);
      text(g, x + bw / 2, 51, "docker", { class: "v-docker-text mono", "text-anchor": "middle" });
      x += bw + 5;
      text(g, x, 51, fit(t("주인 없음"), w - x - 8, 10, false), { class: "v-pod-sub" });
    } else {
      const label = badge.text;
      const bw = 14 + label.length * 5.9;
      el("rect", { x, y: 40, width: bw, height: 14, rx: 7, class: `v-${badge.kind}-badge` }, g);
      text(g, x + 7, 51, label, { class: `v-ready-text ${badge.kind === "ready" || badge.kind === "done" ? "" : "not"}` });
      g.dataset.badge = label;
      x += bw + 5;
      const probe = pod.probes.liveness === "failing" ? "liveness✕" : pod.probes.readiness === "failing" ? "readiness✕" : "";
      if (probe) { text(g, x, 51, fit(probe, w - x - 8, 9.5), { class: "v-probe-fail mono" }); x += 6 + probe.length * 5.8; }
    }
    let right = w - 8;
    if (pod.requests > 0) {
      const t = text(g, right, 51, `⇢${pod.requests}`, { class: "v-pod-req mono", "text-anchor": "end" });
      t.dataset.requests = String(pod.requests);
      right -= 8 + String(pod.requests).length * 6.5 + 8;
    }
    if (pod.volumes.some((vol) => vol.type === "persistentVolumeClaim")) { text(g, right, 51, "💾", { class: "v-attach", "text-anchor": "end" }); right -= 16; }
    if (pod.secrets.length) text(g, right, 51, "🔑", { class: "v-attach", "text-anchor": "end" });
  }

  function place(g, r, instant) {
    const t = `translate(${r.x}px, ${r.y}px)`;
    if (instant || reduced()) {
      g.style.transition = "none";
      g.style.transform = t;
      g.getBoundingClientRect?.();
      g.style.transition = "";
    } else {
      g.style.transform = t;
    }
  }

  function appear(g) {
    if (reduced() || !g.animate) return;
    g.animate([{ opacity: 0 }, { opacity: 1 }], { duration: 450, easing: "ease-out" });
  }

  function disappear(g) {
    if (reduced() || !g.animate) { g.remove(); return; }
    g.style.pointerEvents = "none";
    g.classList?.add("v-leaving");
    const a = g.animate([{ opacity: 1 }, { opacity: 0 }], { duration: 450, easing: "ease-in", fill: "forwards" });
    a.onfinish = () => g.remove();
  }

  function drawPods(previous) {
    const seen = new Set();
    for (const pod of model.pods) {
      const r = layout.pods[pod.id];
      if (!r) continue;
      seen.add(pod.id);
      let entry = pods.get(pod.id);
      if (!entry) {
        // A newcomer goes beneath the cards already drawn: when it sorts before a living pod on the same
        // node (hello-… before web-0), it takes that pod's slot at once while the older card is still sliding
        // to its next slot (0.6 s); painted on top it hid the older card, so a screenshot or a glance then
        // showed web-0 missing. Beneath, it fades in as the other card moves off it: no drawn pod is covered.
        const g = el("g", { "data-pod": pod.id }, layers.pods);
        layers.pods.prepend(g);
        entry = { g, pod: null };
        pods.set(pod.id, entry);
        place(g, r, true);
        appear(g);
      } else {
        place(entry.g, r, false);
      }
      const before = entry.pod;
      podContent(entry.g, pod, r);
      if (before && pod.restarts > before.restarts && !reduced() && entry.g.animate) {
        entry.g.animate([{ transform: `translate(${r.x}px, ${r.y}px) scale(1)` }, { transform: `translate(${r.x}px, ${r.y}px) scale(1.06)` }, { transform: `translate(${r.x}px, ${r.y}px) scale(1)` }], { duration: 500 });
      }
      entry.pod = pod;
    }
    for (const [id, entry] of pods) if (!seen.has(id)) { pods.delete(id); disappear(entry.g); }
    if (previous) traffic(previous);
  }

  // Dots from a Service to the pods that served the new requests (what kube-proxy picked).
  function traffic(previous) {
    if (reduced()) return;
    const before = new Map(previous.services.map((s) => [s.id, s.requests]));
    let budget = 60;
    for (const svc of model.services) {
      const from = layout.bandItems[`service:${svc.id}`];
      if (!from) continue;
      const old = before.get(svc.id) || {};
      for (const [podName, n] of Object.entries(svc.requests)) {
        const delta = n - (old[podName] || 0);
        if (delta <= 0) continue;
        const to = layout.pods[`${svc.namespace}/${podName}`];
        if (!to) continue;
        for (let i = 0; i < Math.min(delta, 4) && budget > 0; i += 1, budget -= 1) {
          const dot = el("circle", { r: 5, cx: 0, cy: 0, class: "v-dot" }, layers.dots);
          const a = { x: from.x + from.w / 2, y: from.y + from.h };
          const b = { x: to.x + to.w / 2, y: to.y + 4 };
          const anim = dot.animate([
            { transform: `translate(${a.x}px, ${a.y}px)`, opacity: 0 },
            { transform: `translate(${a.x}px, ${a.y}px)`, opacity: 1, offset: 0.1 },
            { transform: `translate(${b.x}px, ${b.y}px)`, opacity: 1, offset: 0.9 },
            { transform: `translate(${b.x}px, ${b.y}px)`, opacity: 0 },
          ], { duration: 900, delay: i * 160 + Math.random() * 120, easing: "ease-in-out", fill: "both" });
          anim.onfinish = () => dot.remove();
        }
      }
    }
  }

  function ensureDefs() {
    if (svg.querySelector("defs")) return;
    const defs = el("defs", {});
    svg.prepend(defs);
    const p = el("pattern", { id: "v-hatch", width: 8, height: 8, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, defs);
    el("line", { x1: 0, y1: 0, x2: 0, y2: 8, class: "v-hatch-line" }, p);
  }

  let previousModel = null;
  function update(next, { force = false } = {}) {
    const prev = previousModel;
    model = next;
    colourOf.use(model.images || []); // the cluster's image order: the same colours on every page
    const nextLayout = computeLayout(model, { width });
    const structural = force || !layout || nextLayout.width !== layout.width ||
      JSON.stringify(nextLayout.nodes) !== JSON.stringify(layout.nodes) ||
      JSON.stringify(nextLayout.pending) !== JSON.stringify(layout.pending) ||
      JSON.stringify(model.nodes) !== JSON.stringify(prev?.nodes) ||
      JSON.stringify(model.controlPlane) !== JSON.stringify(prev?.controlPlane);
    layout = nextLayout;
    svg.setAttribute("viewBox", `0 0 ${layout.width} ${layout.height}`);
    svg.style.aspectRatio = `${layout.width} / ${layout.height}`;
    ensureDefs();
    if (structural) {
      drawControlPlane();
      drawNodes();
      if (lit.step) light(lit.step, lit.node);
    }
    drawBand();
    drawPods(prev);
    previousModel = model;
  }

  // Lights one of the 6 steps on the picture; `node` narrows step 4 to one worker's kubelet.
  let lit = { step: null, node: null };
  function light(step, node = null) {
    lit = { step, node };
    for (const old of svg.querySelectorAll(".v-lit")) {
      old.classList.remove("v-lit");
      const badge = old.querySelector(".v-step-badge");
      if (badge) badge.textContent = "";
    }
    if (!step) return;
    const targets = [];
    const q = (sel) => targets.push(...svg.querySelectorAll(sel));
    if (step === 1) { q('[data-comp="user"]'); q('[data-comp="apiserver"]'); }
    else if (step === 2) { q('[data-comp="apiserver"]'); q('[data-comp="etcd"]'); }
    else if (step === 3) q('[data-comp="scheduler"]');
    else if (step === 4) q(node ? `[data-comp="kubelet"][data-node="${CSS.escape(node)}"], [data-comp="runtime"][data-node="${CSS.escape(node)}"]` : '[data-comp="kubelet"]');
    else q('[data-comp="controllers"]');
    for (const t of targets) {
      t.classList.add("v-lit");
      const badge = t.querySelector(".v-step-badge");
      if (badge) badge.textContent = STEP_MARK[step];
    }
    if (step === 4 && node) {
      for (const link of svg.querySelectorAll(".v-link")) link.classList.toggle("v-lit", link.dataset.node === node);
    } else if (step === 1) {
      svg.querySelector(".v-link-user")?.classList.add("v-lit");
    }
  }

  return {
    setWidth,
    update,
    light,
    relayout() { if (model) update(model, { force: true }); },
    get layout() { return layout; },
  };
}
