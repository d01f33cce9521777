// Pure layout: where every box of the master–worker picture goes, in SVG user units. Never touches the page.
//
// The picture follows the lesson's 개념 3 diagram: the control plane (API server, scheduler, controller
// manager, etcd) across the top, a band with the objects users create (Deployments, Services, HPAs, Secrets,
// PVCs), then the worker nodes, each with its kubelet, container runtime and kube-proxy and the pod cards
// it runs. Pods keep their place while they live (sorted by name within a node) so cards do not jump.
// `width` is in units: the caller divides the pixel width by the root font scale, so text keeps its size.

import { comparePodNames } from "./model.js";

export const SIZES = {
  pad: 10,
  gap: 10,
  cpH: 92,
  compH: 46,
  userW: 84,
  bandItemH: 50,
  cardH: 56,
  cardGap: 5,
  cardMinW: 172,
  cardMaxW: 260,
  nodeHeadH: 56,
  nodeMinW: 192,
  pendingMinW: 192,
};

function gridColumns(width, minW, count, gap) {
  return Math.max(1, Math.min(count, Math.floor((width + gap) / (minW + gap))));
}

export function bandItemWidth(item) {
  switch (item.kind) {
    case "hpa": return 236;
    case "service": return 206;
    case "deployment": return 180;
    case "statefulset": return 200;
    case "daemonset": return 250;
    case "cronjob": return 196;
    case "job": return 180;
    default: return 176;
  }
}

// Returns {width, height, user, cp, parts, band, bandItems, nodes, pods, pending} for a view model.
export function computeLayout(model, { width = 1000 } = {}) {
  const S = SIZES;
  const W = Math.max(300, width);
  const inner = W - 2 * S.pad;
  const out = { width: W, height: 0, parts: {}, bandItems: {}, nodes: [], pods: {}, pending: null };
  const narrow = inner < 560;

  // --- control plane -------------------------------------------------------------------------------
  let y = S.pad;
  const userW = narrow ? inner : S.userW;
  const userH = narrow ? 30 : S.cpH;
  out.user = { x: S.pad, y, w: userW, h: userH };
  const cpX = narrow ? S.pad : S.pad + S.userW + S.gap;
  const cpY = narrow ? y + userH + S.gap : y;
  const cpW = narrow ? inner : inner - S.userW - S.gap;
  const comps = ["apiserver", "scheduler", "controllers", "etcd"];
  const perRow = narrow ? 2 : 4;
  const rows = Math.ceil(comps.length / perRow);
  const cpH = 30 + rows * S.compH + (rows - 1) * 6 + 8;
  out.cp = { x: cpX, y: cpY, w: cpW, h: cpH };
  const compW = (cpW - 16 - (perRow - 1) * 8) / perRow;
  comps.forEach((name, i) => {
    const r = Math.floor(i / perRow);
    const c = i % perRow;
    out.parts[name] = { x: cpX + 8 + c * (compW + 8), y: cpY + 30 + r * (S.compH + 6), w: compW, h: S.compH };
  });
  y = cpY + cpH + S.gap;

  // --- band of user-created objects -----------------------------------------------------------------
  const items = [
    ...model.deployments.map((d) => ({ kind: "deployment", id: d.id })),
    ...(model.statefulsets || []).map((d) => ({ kind: "statefulset", id: d.id })),
    ...(model.daemonsets || []).map((d) => ({ kind: "daemonset", id: d.id })),
    ...(model.cronjobs || []).map((d) => ({ kind: "cronjob", id: d.id })),
    ...(model.jobs || []).map((d) => ({ kind: "job", id: d.id })),
    ...model.services.map((s) => ({ kind: "service", id: s.id })),
    ...model.hpas.map((h) => ({ kind: "hpa", id: h.id })),
    ...model.secrets.map((s) => ({ kind: "secret", id: s.id })),
    ...model.pvcs.map((p) => ({ kind: "pvc", id: p.id })),
  ];
  if (items.length) {
    let x = S.pad;
    let rowY = y;
    for (const item of items) {
      const w = Math.min(inner, bandItemWidth(item));
      if (x > S.pad && x + w > S.pad + inner) { x = S.pad; rowY += S.bandItemH + 6; }
      out.bandItems[`${item.kind}:${item.id}`] = { kind: item.kind, id: item.id, x, y: rowY, w, h: S.bandItemH };
      x += w + 6;
    }
    out.band = { x: S.pad, y, w: inner, h: rowY + S.bandItemH - y };
    y = rowY + S.bandItemH + S.gap;
  } else {
    out.band = { x: S.pad, y, w: inner, h: 0 };
  }

  // --- workers -------------------------------------------------------------------------------------
  const workers = model.nodes;
  const byNode = new Map(workers.map((n) => [n.name, []]));
  const pending = [];
  const onControlPlane = [];
  for (const pod of model.pods) {
    if (pod.node && byNode.has(pod.node)) byNode.get(pod.node).push(pod);
    else if (pod.node && pod.node === model.controlPlane?.name) onControlPlane.push(pod);
    else pending.push(pod);
  }
  const slots = workers.length + (onControlPlane.length ? 1 : 0) + (pending.length ? 1 : 0);
  const cols = gridColumns(inner, S.nodeMinW, Math.max(1, slots), S.gap);
  const nodeW = (inner - (cols - 1) * S.gap) / cols;
  const cardCols = Math.max(1, Math.floor((nodeW - 16 + S.cardGap) / (S.cardMinW + S.cardGap)));
  const cardW = Math.min(S.cardMaxW, (nodeW - 16 - (cardCols - 1) * S.cardGap) / cardCols);

  const boxes = workers.map((n) => ({ name: n.name, pods: sortPods(byNode.get(n.name)), pending: false }));
  // Pods that tolerate the control plane's taint (a DaemonSet like the docs' fluentd) run on it too.
  if (onControlPlane.length) boxes.push({ name: model.controlPlane.name, pods: sortPods(onControlPlane), pending: false, controlPlane: true });
  if (pending.length) boxes.push({ name: "(pending)", pods: sortPods(pending), pending: true });

  let rowTop = y;
  for (let start = 0; start < boxes.length; start += cols) {
    const row = boxes.slice(start, start + cols);
    const heights = row.map((b) => S.nodeHeadH + Math.max(1, Math.ceil(b.pods.length / cardCols)) * (S.cardH + S.cardGap) + 6);
    const rowH = Math.max(...heights);
    row.forEach((box, i) => {
      const x = S.pad + i * (nodeW + S.gap);
      const rect = { name: box.name, x, y: rowTop, w: nodeW, h: rowH };
      const partW = (nodeW - 16 - 8) / 3;
      if (box.controlPlane) rect.controlPlane = true;
      rect.parts = box.pending || box.controlPlane ? {} : {
        kubelet: { x: x + 8, y: rowTop + 26, w: partW, h: 24 },
        runtime: { x: x + 12 + partW, y: rowTop + 26, w: partW, h: 24 },
        proxy: { x: x + 16 + 2 * partW, y: rowTop + 26, w: partW, h: 24 },
      };
      if (box.pending) out.pending = rect;
      else out.nodes.push(rect);
      box.pods.forEach((pod, k) => {
        const r = Math.floor(k / cardCols);
        const c = k % cardCols;
        out.pods[pod.id] = {
          x: x + 8 + c * (cardW + S.cardGap), y: rowTop + S.nodeHeadH + r * (S.cardH + S.cardGap),
          w: cardW, h: S.cardH, node: box.name,
        };
      });
    });
    rowTop += rowH + S.gap;
  }
  out.height = Math.ceil(rowTop - S.gap + S.pad);
  return out;
}

// Controller-owned pods by name (numbers as numbers: StatefulSet ordinals web-0, web-1, …, web-10), bare
// docker containers after them: positions stay put while pods live.
export function sortPods(pods) {
  return pods.slice().sort((a, b) => (a.docker - b.docker) || comparePodNames(a.name, b.name));
}
