// Pure: turns an engine snapshot (docs/engine.md, visualizer/engine/snapshot.py) into the view model the
// layout and the drawing use. Never touches the page.

// Status words kubectl prints, grouped by what they mean for a student. Each group also has a shape in the
// drawing, so the status never rests on colour alone.
const STATUS_GROUPS = [
  ["ok", /^(Running|Up|Completed|Succeeded)$/],
  ["progress", /^(Pending|ContainerCreating|PodInitializing|Init:|Created|Restarting)/],
  ["leaving", /^(Terminating|Exited)/],
  ["bad", /(BackOff|Err|Error|Failed|OOMKilled|Unknown|Evicted|CreateContainerConfigError|NodeLost)/],
];

export function statusGroup(status) {
  const text = String(status || "");
  for (const [group, pattern] of STATUS_GROUPS) if (pattern.test(text)) return group;
  return "progress";
}

export const STATUS_SYMBOL = { ok: "●", progress: "◐", leaving: "◌", bad: "✕" };

// "nginx:1.21" → "1.21"; "registry:5000/app" → "latest"; digests are shortened.
export function imageVersion(image) {
  const text = String(image || "");
  const at = text.indexOf("@");
  if (at >= 0) return text.slice(at + 1, at + 14);
  const slash = text.lastIndexOf("/");
  const colon = text.lastIndexOf(":");
  return colon > slash ? text.slice(colon + 1) : "latest";
}

export function imageName(image) {
  const text = String(image || "").split("@")[0];
  const slash = text.lastIndexOf("/");
  const colon = text.lastIndexOf(":");
  return colon > slash ? text.slice(0, colon) : text;
}

// A fixed palette, assigned to images by the order in which the *cluster* first ran each (the snapshot's
// `images`, kept by the engine and carried by diffs), so every page of a cluster — the projector, a reloaded
// laptop, a fresh page — gives nginx:1.21 the same colour, and a rolling update from 1.20 to 1.21 shows two
// clearly different ones (and the version text as well). An image the list does not hold (past the engine's
// 256) gets a colour from its name alone: the same on every page too.
export const VERSION_PALETTE = ["#2f6fdb", "#d9480f", "#2b8a3e", "#9c36b5", "#c2255c", "#0b7285", "#e67700", "#5f3dc4"];

function nameHash(text) {
  let h = 0;
  for (let i = 0; i < text.length; i += 1) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  return h;
}

// colourOf(image) → "#rrggbb"; colourOf.use(images) sets the cluster's order (an array of image names).
export function createVersionColours(images = []) {
  let index = new Map();
  const colourOf = (image) => {
    const key = String(image || "");
    const i = index.get(key);
    return VERSION_PALETTE[(i === undefined ? nameHash(key) : i) % VERSION_PALETTE.length];
  };
  colourOf.use = (list) => {
    if (list === colourOf.images) return;
    colourOf.images = list;
    index = new Map((Array.isArray(list) ? list : []).map((name, i) => [String(name), i]));
  };
  colourOf.use(images);
  return colourOf;
}

// Names compared with their numbers as numbers, so StatefulSet pods line up web-0, web-1, …, web-10.
export function comparePodNames(a, b) {
  const x = String(a).split(/(\d+)/);
  const y = String(b).split(/(\d+)/);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] === y[i]) continue;
    if (i % 2 === 1) return Number(x[i]) - Number(y[i]) || (x[i] < y[i] ? -1 : 1);
    return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

// What the pod's card says about readiness: a finished pod (Job) is Completed or Failed, not NotReady.
export function podBadge(pod) {
  if (pod.phase === "Succeeded") return { text: "✓ Completed", kind: "done" };
  if (pod.phase === "Failed") return { text: "✕ Failed", kind: "failed" };
  return pod.ready ? { text: "✓ Ready", kind: "ready" } : { text: "NotReady", kind: "notready" };
}

function sortedValues(section) {
  return Object.entries(section || {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function buildModel(snapshot) {
  const s = snapshot || {};
  const controlPlane = s.nodes?.["control-plane"] || null;
  const nodes = sortedValues(s.nodes)
    .filter(([, n]) => n.role !== "control-plane")
    .map(([id, n]) => ({
      id, name: n.name, status: n.status, ready: Boolean(n.ready), up: n.up !== false, cordoned: Boolean(n.cordoned),
      ip: n.ip, cpu: n.cpu, cpuRequested: n.cpuRequested, podCount: n.pods,
      components: n.components || [],
    }));
  const requestsByPod = {};
  const services = sortedValues(s.services)
    .filter(([, v]) => !(v.namespace === "default" && v.name === "kubernetes"))
    .map(([id, v]) => {
      for (const [pod, n] of Object.entries(v.requests || {})) requestsByPod[`${v.namespace}/${pod}`] = (requestsByPod[`${v.namespace}/${pod}`] || 0) + n;
      const endpoints = v.endpoints || [];
      return {
        id, name: v.name, namespace: v.namespace, type: v.type, clusterIP: v.clusterIP, ports: v.ports || [], dns: v.dns,
        selector: v.selector || {}, endpoints,
        readyPods: endpoints.filter((e) => e.ready).map((e) => e.pod),
        requests: v.requests || {},
        total: Object.values(v.requests || {}).reduce((a, b) => a + b, 0),
      };
    });
  const pods = sortedValues(s.pods).map(([id, p]) => {
    const status = p.deleting && !p.bare ? "Terminating" : p.status;
    return {
      id, name: p.name, namespace: p.namespace, node: p.node, phase: p.phase, status, group: statusGroup(status),
      ready: Boolean(p.ready), readyText: p.readyText, restarts: p.restarts || 0, image: p.image, images: p.images || [p.image],
      version: imageVersion(p.image), imageName: imageName(p.image), ip: p.ip, owner: p.owner, labels: p.labels || {},
      docker: Boolean(p.bare), restartPolicy: p.restartPolicy, deleting: Boolean(p.deleting),
      secrets: [...new Set((p.secrets || []).map((x) => x.secret).filter(Boolean))],
      volumes: (p.volumes || []).filter((v) => v.type !== "secret" && v.type !== "configMap"),
      probes: p.probes || {},
      requests: requestsByPod[id] || 0,
      services: [],
    };
  });
  const podById = new Map(pods.map((p) => [p.id, p]));
  for (const svc of services) {
    for (const e of svc.endpoints) {
      const pod = podById.get(`${svc.namespace}/${e.pod}`);
      if (pod) pod.services.push(svc.name);
    }
  }
  const deployments = sortedValues(s.deployments).map(([id, d]) => ({
    id, name: d.name, namespace: d.namespace, replicas: d.replicas, ready: d.ready, updated: d.updated,
    available: d.available, total: d.total, images: d.images || [], revision: d.revision, strategy: d.strategy,
    progressing: d.progressing, paused: d.paused,
  }));
  // Owners of the other workload kinds, each with the pods it owns (StatefulSet pods in ordinal order).
  const ownedBy = (kind, ns, name) => pods
    .filter((p) => p.namespace === ns && p.owner?.kind === kind && p.owner?.name === name)
    .sort((a, b) => comparePodNames(a.name, b.name));
  const statefulsets = sortedValues(s.statefulsets).map(([id, v]) => ({
    id, kind: "StatefulSet", name: v.name, namespace: v.namespace, replicas: v.replicas, ready: v.ready,
    current: v.current, updated: v.updated, serviceName: v.serviceName, images: v.images || [],
    pods: ownedBy("StatefulSet", v.namespace, v.name),
  }));
  const daemonsets = sortedValues(s.daemonsets).map(([id, v]) => ({
    id, kind: "DaemonSet", name: v.name, namespace: v.namespace, desired: v.desired, current: v.current,
    ready: v.ready, updated: v.updated, available: v.available, images: v.images || [],
    pods: ownedBy("DaemonSet", v.namespace, v.name).sort((a, b) => comparePodNames(a.node || "", b.node || "")),
  }));
  const allJobs = sortedValues(s.jobs).map(([id, v]) => ({
    id, kind: "Job", name: v.name, namespace: v.namespace, owner: v.owner, status: v.status,
    completions: v.completions, parallelism: v.parallelism, active: v.active, succeeded: v.succeeded,
    failed: v.failed, images: v.images || [], pods: ownedBy("Job", v.namespace, v.name),
  }));
  const cronjobs = sortedValues(s.cronjobs).map(([id, v]) => {
    const jobs = allJobs.filter((j) => j.namespace === v.namespace && j.owner?.kind === "CronJob" && j.owner?.name === v.name);
    return {
      id, kind: "CronJob", name: v.name, namespace: v.namespace, schedule: v.schedule, suspend: Boolean(v.suspend),
      active: v.active, lastScheduleTime: v.lastScheduleTime, images: v.images || [], jobs,
      pods: jobs.flatMap((j) => j.pods),
    };
  });
  // A CronJob's Jobs are summed up on the CronJob's card rather than drawn one card each.
  const jobs = allJobs.filter((j) => j.owner?.kind !== "CronJob");
  const hpas = sortedValues(s.hpas).map(([id, h]) => ({
    id, name: h.name, target: h.target, min: h.min, max: h.max, currentCPU: h.currentCPU, targetCPU: h.targetCPU,
    replicas: h.replicas, desired: h.desired, targets: h.targets,
  }));
  const secrets = sortedValues(s.secrets)
    .filter(([, v]) => v.namespace === "default" && !String(v.type || "").startsWith("kubernetes.io/service-account"))
    .map(([id, v]) => ({ id, name: v.name, type: v.type, keys: v.keys || [],
      usedBy: pods.filter((p) => p.namespace === v.namespace && p.secrets.includes(v.name)).length }));
  const pvcs = sortedValues(s.pvcs).map(([id, v]) => ({
    id, name: v.name, status: v.status, volume: v.volume, capacity: v.capacity || v.request, accessModes: v.accessModes || [],
    usedBy: pods.filter((p) => p.namespace === v.namespace && p.volumes.some((x) => x.claim === v.name)).length,
  }));
  const etcd = sortedValues(s.etcd).map(([key, v]) => ({
    key, rv: Number(v.resourceVersion), value: v.value, encrypted: Boolean(v.encrypted),
  }));
  return {
    version: s.version, now: s.now, encryptionAtRest: Boolean(s.encryptionAtRest),
    controlPlane, nodes, pods, services, deployments, statefulsets, daemonsets, jobs, cronjobs, hpas, secrets, pvcs, etcd,
    events: s.events || [], trace: s.trace || [], images: Array.isArray(s.images) ? s.images : [],
  };
}
