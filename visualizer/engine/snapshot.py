"""The visualizer's view: `snapshot()`, `diff_since(version)` and the pure `apply_diff(snapshot, diff)`.

A snapshot is a dict of *sections*. Keyed sections (nodes, pods, deployments, replicasets, statefulsets,
daemonsets, jobs, cronjobs, services, hpas, secrets, configmaps, pvs, pvcs, storageclasses, etcd) map an id
to an item; every item is a pure function of
the cluster's state, and every state change `touch`es the (section, id) it affects, bumping
`cluster.version`. A diff therefore only rebuilds the touched items:

    {"from": 41, "to": 57, "now": 12.5, "encryptionAtRest": false,
     "sections": {"pods": {"set": {"default/web-…": {...}}, "remove": ["default/web-…"]}, ...},
     "events": [new events…], "trace": [...], "images": [...]}

`images` (snapshot: always; diff: whole, only when it grew) lists every image the cluster ran, in the order it
first ran each (Cluster.images): the page colours a version by its index, the same on every page.

`apply_diff(snapshot_at_41, diff) == snapshot_at_57` holds exactly (a test checks it).
"""

from __future__ import annotations

import copy

from . import event_wire
from .addons import ADDON_APPS, ADDON_NAMES, is_cluster_addon  # noqa: F401 (re-exported)
from .apiserver import etcd_value
from .kubectl.printers import node_status, pod_ready_column, pod_status
from .objects import BY_KIND, etcd_key, parse_bytes, parse_cpu
from .patch import apply_patch
from .store import pod_ready

KEYED = (
    "nodes",
    "pods",
    "deployments",
    "replicasets",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "services",
    "hpas",
    "secrets",
    "configmaps",
    "pvs",
    "pvcs",
    "storageclasses",
    "etcd",
)
SNAPSHOT_EVENTS = 50
# The student's view leaves out the cluster's own add-on (kubeadm's kube-proxy DaemonSet and its pods): each
# node card already shows kube-proxy among its components. What a user creates in kube-system (the docs'
# fluentd-elasticsearch DaemonSet) is shown like any other namespace's objects.
# kubeadm's add-ons (addons.py: ADDON_APPS, ADDON_NAMES, is_cluster_addon) are the cluster's own, drawn as node
# components or not at all; whatever a student creates in kube-system is shown.
# The workload kinds the cluster's touch log does not name a section for: their sections are rebuilt from the
# etcd key every write touches (`/registry/<resource>/<ns>/<name>`), so the engine needs no new wiring.
_SECTION_OF_ETCD = {
    "statefulsets": "statefulsets",
    "daemonsets": "daemonsets",
    "jobs": "jobs",
    "cronjobs": "cronjobs",
}
_KIND_OF = {
    "pods": "Pod",
    "deployments": "Deployment",
    "replicasets": "ReplicaSet",
    "statefulsets": "StatefulSet",
    "daemonsets": "DaemonSet",
    "jobs": "Job",
    "cronjobs": "CronJob",
    "services": "Service",
    "hpas": "HorizontalPodAutoscaler",
    "secrets": "Secret",
    "configmaps": "ConfigMap",
    "pvs": "PersistentVolume",
    "pvcs": "PersistentVolumeClaim",
    "storageclasses": "StorageClass",
    "nodes": "Node",
}


def _split(ident: str) -> tuple[str | None, str]:
    if "/" in ident:
        ns, name = ident.split("/", 1)
        return ns, name
    return None, ident


def _obj(c, section: str, ident: str) -> dict | None:
    res = BY_KIND[_KIND_OF[section]]
    ns, name = _split(ident)
    return c.store.get(etcd_key(res, ns if res.namespaced else None, name))


def _probe_state(c, pod: dict, key: str, kind: str) -> str:
    if not any(ctr.get(f"{kind}Probe") for ctr in pod["spec"]["containers"]):
        return "none"
    if c.runtime.data["faults"].get(key, {}).get(kind):
        return "failing"
    return "ok"


def pod_item(c, ident: str) -> dict | None:
    """Returns the snapshot item of a pod (`ns/name`) or a bare Docker container (`docker/node/name`)."""
    if ident.startswith("docker/"):
        _, node, name = ident.split("/", 2)
        rn = c.runtime.node(node)
        d = rn["docker"].get(name) if rn else None
        if d is None:
            return None
        status = {"running": "Up", "restarting": f"Restarting ({d['exitCode']})", "created": "Created"}.get(
            d["state"], f"Exited ({d['exitCode']})"
        )
        return {
            "name": name,
            "namespace": None,
            "node": node,
            "phase": "Running" if d["state"] == "running" else "Exited",
            "status": status,
            "ready": d["state"] == "running",
            "readyText": None,
            "restarts": d["restartCount"],
            "image": d["image"],
            "images": [d["image"]],
            "ip": d["ip"],
            "owner": None,
            "labels": {},
            "volumes": [],
            "secrets": [],
            "envFrom": [],
            "probes": {},
            "bare": True,
            "restartPolicy": d["restart"],
            "deleting": False,
            "id": d["id"][:12],
        }
    pod = _obj(c, "pods", ident)
    if pod is None:
        return None
    key = etcd_key(BY_KIND["Pod"], pod["metadata"]["namespace"], pod["metadata"]["name"])
    owner = next((o for o in pod["metadata"].get("ownerReferences") or [] if o.get("controller")), None)
    if is_cluster_addon(pod):
        return None  # kube-proxy is drawn as a node component; CoreDNS is the cluster's own
    vols, secrets = [], []
    for v in pod["spec"].get("volumes") or []:
        kind = next(
            (k for k in ("persistentVolumeClaim", "emptyDir", "secret", "configMap", "hostPath") if k in v),
            "other",
        )
        item = {"name": v["name"], "type": kind}
        if kind == "persistentVolumeClaim":
            item["claim"] = v[kind].get("claimName")
        if kind == "secret":
            item["secret"] = v[kind].get("secretName")
            secrets.append({"secret": v[kind].get("secretName"), "as": "volume", "volume": v["name"]})
        vols.append(item)
    for ctr in pod["spec"]["containers"]:
        for e in ctr.get("env") or []:
            r = (e.get("valueFrom") or {}).get("secretKeyRef")
            if r:
                secrets.append({"secret": r.get("name"), "key": r.get("key"), "as": "env", "env": e["name"]})
        for src in ctr.get("envFrom") or []:
            if "secretRef" in src:
                secrets.append({"secret": src["secretRef"].get("name"), "as": "envFrom"})
    st = pod.get("status") or {}
    restarts = sum(cs.get("restartCount", 0) for cs in st.get("containerStatuses") or [])
    images = [ctr["image"] for ctr in pod["spec"]["containers"]]
    return {
        "name": pod["metadata"]["name"],
        "namespace": pod["metadata"]["namespace"],
        "node": pod["spec"].get("nodeName"),
        "phase": st.get("phase", "Pending"),
        "status": pod_status(pod),
        "ready": pod_ready(pod),
        "readyText": pod_ready_column(pod),
        "restarts": restarts,
        "image": images[0],
        "images": images,
        "ip": st.get("podIP"),
        "owner": {"kind": owner["kind"], "name": owner["name"]} if owner else None,
        "labels": dict(pod["metadata"].get("labels") or {}),
        "volumes": vols,
        "secrets": secrets,
        "probes": {
            "liveness": _probe_state(c, pod, key, "liveness"),
            "readiness": _probe_state(c, pod, key, "readiness"),
        },
        "bare": False,
        "restartPolicy": pod["spec"].get("restartPolicy", "Always"),
        "deleting": bool(pod["metadata"].get("deletionTimestamp")),
    }


def node_item(c, name: str) -> dict | None:
    """Returns the snapshot item of a node."""
    node = _obj(c, "nodes", name)
    if node is None:
        return None
    up = c.runtime.is_up(name)
    cp = name == "control-plane"
    comps = (
        ["kube-apiserver", "etcd", "kube-scheduler", "kube-controller-manager", "kubelet", "containerd"]
        if cp
        else ["kubelet", "containerd", "kube-proxy", "docker"]
    )
    u = c.store.node_usage.get(name, [0, 0, 0])
    alloc = node["status"]["allocatable"]
    return {
        "name": name,
        "role": "control-plane" if cp else "worker",
        "status": node_status(node),
        "ready": node_status(node).startswith("Ready"),
        "up": up,
        "cordoned": bool(node["spec"].get("unschedulable")),
        "taints": [f"{t['key']}:{t['effect']}" for t in node["spec"].get("taints") or []],
        "components": [{"name": x, "status": "running" if up else "down"} for x in comps],
        "ip": c.node_ip(name),
        "cpu": parse_cpu(alloc["cpu"]),
        "memory": parse_bytes(alloc["memory"]),
        "cpuRequested": u[0],
        "memoryRequested": u[1],
        "pods": u[2],
    }


def _generic(c, section: str, ident: str) -> dict | None:
    obj = _obj(c, section, ident)
    if obj is None or is_cluster_addon(obj):
        return None  # the cluster's own add-ons (kube-proxy, CoreDNS, kube-dns) are not the student's objects
    meta = obj["metadata"]
    base = {"name": meta["name"], "namespace": meta.get("namespace")}
    spec = obj.get("spec") or {}
    st = obj.get("status") or {}
    if section == "deployments":
        from .controllers.deployment import REVISION, fenceposts

        surge, unavail = fenceposts(obj)
        cond = {cd["type"]: cd.get("reason") for cd in st.get("conditions", ())}
        return base | {
            "replicas": spec.get("replicas", 1),
            "ready": st.get("readyReplicas", 0),
            "updated": st.get("updatedReplicas", 0),
            "available": st.get("availableReplicas", 0),
            "total": st.get("replicas", 0),
            "images": [x["image"] for x in spec["template"]["spec"]["containers"]],
            "strategy": (spec.get("strategy") or {}).get("type", "RollingUpdate"),
            "maxSurge": surge,
            "maxUnavailable": unavail,
            "paused": bool(spec.get("paused")),
            "revision": (meta.get("annotations") or {}).get(REVISION),
            "progressing": cond.get("Progressing"),
            "selector": (spec.get("selector") or {}).get("matchLabels", {}),
        }
    if section == "replicasets":
        from .controllers.deployment import REVISION

        owner = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
        return base | {
            "owner": owner["name"] if owner else None,
            "desired": spec.get("replicas", 1),
            "current": st.get("replicas", 0),
            "ready": st.get("readyReplicas", 0),
            "available": st.get("availableReplicas", 0),
            "revision": (meta.get("annotations") or {}).get(REVISION),
            "hash": (meta.get("labels") or {}).get("pod-template-hash"),
            "images": [x["image"] for x in spec["template"]["spec"]["containers"]],
        }
    if section in _WORKLOADS:
        return base | _WORKLOADS[section](obj, meta, spec, st)
    if section == "services":
        ep = c.api.get("Endpoints", meta["namespace"], meta["name"])
        ready, not_ready = [], []
        for sub in (ep or {}).get("subsets", []):
            for a in sub.get("addresses", []):
                ready.append(
                    {
                        "pod": a.get("targetRef", {}).get("name"),
                        "ip": a["ip"],
                        "node": a.get("nodeName"),
                        "ready": True,
                    }
                )
            for a in sub.get("notReadyAddresses", []):
                not_ready.append(
                    {
                        "pod": a.get("targetRef", {}).get("name"),
                        "ip": a["ip"],
                        "node": a.get("nodeName"),
                        "ready": False,
                    }
                )
        counts = c.kube_proxy.counts.get(etcd_key(BY_KIND["Service"], meta["namespace"], meta["name"]), {})
        return base | {
            "type": spec.get("type", "ClusterIP"),
            "clusterIP": spec.get("clusterIP"),
            "ports": [
                {"port": p.get("port"), "targetPort": p.get("targetPort"), "nodePort": p.get("nodePort")}
                for p in spec.get("ports") or []
            ],
            "selector": dict(spec.get("selector") or {}),
            "dns": f"{meta['name']}.{meta['namespace']}.svc.cluster.local",
            # In pod-name order, ready or not (Endpoints lists ready then notReady addresses): a pod turning
            # Ready then changes one flag in place, which is what a diff sends (engine/wire.py).
            "endpoints": sorted(ready + not_ready, key=lambda e: (e["pod"] or "", e["ip"])),
            "requests": dict(counts),
        }
    if section == "hpas":
        from .kubectl.printers import hpa_targets

        metric = (spec.get("metrics") or [{}])[0]
        current = None
        for m in st.get("currentMetrics") or []:
            current = ((m.get("resource") or {}).get("current") or {}).get("averageUtilization")
        return base | {
            "target": f"{spec['scaleTargetRef'].get('kind')}/{spec['scaleTargetRef'].get('name')}",
            "min": spec.get("minReplicas", 1),
            "max": spec.get("maxReplicas"),
            "currentCPU": current,
            "targetCPU": ((metric.get("resource") or {}).get("target") or {}).get("averageUtilization"),
            "replicas": st.get("currentReplicas", 0),
            "desired": st.get("desiredReplicas", 0),
            "targets": hpa_targets(obj),
        }
    if section == "secrets":
        return base | {"type": obj.get("type", "Opaque"), "keys": sorted((obj.get("data") or {}).keys())}
    if section == "configmaps":
        return base | {"keys": sorted((obj.get("data") or {}).keys())}
    if section == "pvs":
        cr = spec.get("claimRef")
        return base | {
            "capacity": (spec.get("capacity") or {}).get("storage"),
            "accessModes": spec.get("accessModes"),
            "reclaimPolicy": spec.get("persistentVolumeReclaimPolicy"),
            "status": st.get("phase"),
            "claim": f"{cr['namespace']}/{cr['name']}" if cr else None,
            "storageClass": spec.get("storageClassName"),
        }
    if section == "pvcs":
        return base | {
            "status": st.get("phase", "Pending"),
            "volume": spec.get("volumeName"),
            "capacity": (st.get("capacity") or {}).get("storage"),
            "request": ((spec.get("resources") or {}).get("requests") or {}).get("storage"),
            "accessModes": spec.get("accessModes"),
            "storageClass": spec.get("storageClassName"),
        }
    if section == "storageclasses":
        return base | {
            "provisioner": obj.get("provisioner"),
            "reclaimPolicy": obj.get("reclaimPolicy"),
            "bindingMode": obj.get("volumeBindingMode"),
            "default": (meta.get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class")
            == "true",
        }
    return base


def _images(spec: dict) -> list[str]:
    return [x["image"] for x in spec["template"]["spec"]["containers"]]


def _statefulset(obj: dict, meta: dict, spec: dict, st: dict) -> dict:
    # kubectl get sts READY = readyReplicas/replicas (pkg/printers/internalversion printStatefulSet).
    return {
        "replicas": spec.get("replicas", 1),
        "ready": st.get("readyReplicas", 0),
        "current": st.get("replicas", 0),
        "updated": st.get("updatedReplicas", 0),
        "available": st.get("availableReplicas", 0),
        "serviceName": spec.get("serviceName"),
        "podManagementPolicy": spec.get("podManagementPolicy", "OrderedReady"),
        "images": _images(spec),
        "selector": dict((spec.get("selector") or {}).get("matchLabels") or {}),
    }


def _daemonset(obj: dict, meta: dict, spec: dict, st: dict) -> dict:
    # kubectl get ds DESIRED/CURRENT/READY/UP-TO-DATE/AVAILABLE (printDaemonSet).
    return {
        "desired": st.get("desiredNumberScheduled", 0),
        "current": st.get("currentNumberScheduled", 0),
        "ready": st.get("numberReady", 0),
        "updated": st.get("updatedNumberScheduled", 0),
        "available": st.get("numberAvailable", 0),
        "images": _images(spec),
        "selector": dict((spec.get("selector") or {}).get("matchLabels") or {}),
    }


def _job_status(st: dict, spec: dict) -> str:
    # kubectl get jobs STATUS (v1.30+ printJob): Complete, Failed, Suspended, Running.
    done = {cd["type"] for cd in st.get("conditions") or [] if cd.get("status") == "True"}
    if "Complete" in done:
        return "Complete"
    if "Failed" in done:
        return "Failed"
    if spec.get("suspend"):
        return "Suspended"
    return "Running"


def _job(obj: dict, meta: dict, spec: dict, st: dict) -> dict:
    owner = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
    return {
        "owner": {"kind": owner["kind"], "name": owner["name"]} if owner else None,
        "completions": spec.get("completions"),
        "parallelism": spec.get("parallelism", 1),
        "active": st.get("active", 0),
        "succeeded": st.get("succeeded", 0),
        "failed": st.get("failed", 0),
        "status": _job_status(st, spec),
        "images": _images(spec),
    }


def _cronjob(obj: dict, meta: dict, spec: dict, st: dict) -> dict:
    return {
        "schedule": spec.get("schedule"),
        "suspend": bool(spec.get("suspend")),
        "active": len(st.get("active") or []),
        "lastScheduleTime": st.get("lastScheduleTime"),
        "images": _images(spec["jobTemplate"]["spec"]),
    }


_WORKLOADS = {
    "statefulsets": _statefulset,
    "daemonsets": _daemonset,
    "jobs": _job,
    "cronjobs": _cronjob,
}


def etcd_item(c, key: str) -> dict | None:
    """Returns the etcd view of one key: resourceVersion and a value summary (Secrets base64 or encrypted)."""
    obj = c.store.get(key)
    if obj is None:
        return None
    encrypted = bool(c.store.encrypted.get(key))
    return {
        "key": key,
        "resourceVersion": obj["metadata"]["resourceVersion"],
        "value": etcd_value(obj, encrypted),
        "encrypted": encrypted,
    }


def item(c, section: str, ident: str) -> dict | None:
    """Returns one snapshot item (None when it no longer exists)."""
    if section == "pods":
        return pod_item(c, ident)
    if section == "nodes":
        return node_item(c, ident)
    if section == "etcd":
        return etcd_item(c, ident)
    return _generic(c, section, ident)


def _ids(c, section: str) -> list[str]:
    if section == "etcd":
        return list(c.store.objects)
    if section == "pods":
        ids = [
            f"{p['metadata']['namespace']}/{p['metadata']['name']}"
            for p in c.store.list("Pod")
            if not is_cluster_addon(p)
        ]
        for node, rn in c.runtime.data["nodes"].items():
            ids += [f"docker/{node}/{name}" for name in rn["docker"]]
        return ids
    res = BY_KIND[_KIND_OF[section]]
    return [
        (f"{o['metadata']['namespace']}/{o['metadata']['name']}" if res.namespaced else o["metadata"]["name"])
        for o in c.store.list(res.kind)
        if not is_cluster_addon(o)
    ]


def _events(c) -> list[dict]:
    return [dict(e) for e in c.events[-SNAPSHOT_EVENTS:]]


def build_snapshot(c) -> dict:
    """Returns the full snapshot."""
    snap = {"version": c.version, "now": c.clock.now, "encryptionAtRest": c.encrypt_at_rest}
    for section in KEYED:
        out = {}
        for ident in _ids(c, section):
            it = item(c, section, ident)
            if it is not None:
                out[ident] = it
        snap[section] = out
    snap["events"] = _events(c)
    snap["trace"] = copy.deepcopy(c.trace)
    snap["images"] = list(c.images)  # the cluster's first-run order of images: the page's version colours
    return snap


def build_diff(c, version: int) -> dict | None:
    """Returns the changes since `version`, or None when the log no longer reaches back that far."""
    if not isinstance(version, int) or isinstance(version, bool):
        return None
    changes = c.changes_since(version)
    if changes is None:
        return None
    touched: dict[str, dict[str, None]] = {}
    new_events = new_trace = new_images = False
    for _, section, ident in changes:
        if section == "events":
            new_events = True
        elif section == "trace":
            new_trace = True
        elif section == "images":
            new_images = True
        elif section in KEYED:
            touched.setdefault(section, {})[ident] = None
            if section == "etcd":
                # "/registry/<resource>/<ns>/<name>": the workload kinds are found by their etcd key.
                resource, _, rest = ident[10:].partition("/")
                workload = _SECTION_OF_ETCD.get(resource)
                if workload:
                    touched.setdefault(workload, {})[rest] = None
    sections = {}
    for section, ids in touched.items():
        setv, remove = {}, []
        for ident in ids:
            it = item(c, section, ident)
            if it is None:
                remove.append(ident)
            else:
                setv[ident] = it
        sections[section] = {"set": setv, "remove": remove}
    diff = {
        "from": version,
        "to": c.version,
        "now": c.clock.now,
        "encryptionAtRest": c.encrypt_at_rest,
        "sections": sections,
    }
    if new_trace:
        # The last command's trace changes only when a command writes: sending it every tick would make it
        # most of every frame.
        diff["trace"] = copy.deepcopy(c.trace)
    if new_images:
        diff["images"] = list(c.images)  # whole (a few names), only when the cluster ran a new image
    if new_events:
        first_seq = None
        for _v, section, ident in changes:
            if section == "events":
                first_seq = int(ident)
                break
        diff["events"] = [dict(e) for e in c.events[-SNAPSHOT_EVENTS:] if e["seq"] >= first_seq]
    else:
        diff["events"] = []
    return diff


def apply_diff(snapshot: dict, diff: dict, version: int | None = None) -> dict:
    """Returns a new snapshot: `snapshot` (taken at the diff's `from`) with the diff applied. Pure function.

    `diff` is an engine diff (`build_diff`) or a wire diff (`wire.WireEncoder.encode`: no `from`/`to`, which
    the frame carries, so `version` gives the new version; item `patch`es; events and trace entries as template
    id + parameters; `encryptionAtRest` only when it changed). Raises KeyError, IndexError or TypeError when a
    wire diff does not fit `snapshot` (it was made for another version): the caller then needs a snapshot.
    """
    out = copy.deepcopy(snapshot)
    out["version"] = diff.get("to", version)
    out["now"] = diff["now"]
    if "encryptionAtRest" in diff:
        out["encryptionAtRest"] = diff["encryptionAtRest"]
    for section, change in (diff.get("sections") or {}).items():
        target = out.setdefault(section, {})
        for ident in change.get("remove", ()):
            target.pop(ident, None)
        for ident, it in change.get("set", {}).items():
            target[ident] = copy.deepcopy(it)
        patches = change.get("patch", {})
        for ident, ops in patches.items():
            target[ident] = apply_patch(target[ident], ops)
        for first, others in change.get("same", {}).items():
            for ident in others:
                target[ident] = apply_patch(target[ident], patches[first])
        previous = None
        for ident, base, ops in change.get("copy", ()):
            target[ident] = apply_patch(target[previous if base is None else base], ops)
            previous = ident
    events = event_wire.decode_list(diff.get("events") or [], event_wire.EVENT_KEYS)
    out["events"] = (out.get("events", []) + events)[-SNAPSHOT_EVENTS:]
    if "trace" in diff:
        out["trace"] = event_wire.decode_list(diff["trace"], event_wire.TRACE_KEYS, out["events"])
    if "images" in diff:
        out["images"] = list(diff["images"])
    return out
