"""kubectl's printers: column tables (`NAME READY STATUS RESTARTS AGE`), the pod STATUS rules, -o yaml/json/name.

Tables copy the real column sets and tabwriter spacing (at least three spaces between columns); AGE uses
apimachinery's HumanDuration; pod STATUS follows printPod (last container's waiting/terminated reason,
Terminating while a deletionTimestamp is set).
"""

from __future__ import annotations

import json

import yaml

from ..clock import human_duration, parse_stamp
from ..objects import BY_KIND, format_bytes, parse_bytes, selector_string
from ..store import pod_ready
from ..wallclock import displayed


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Returns rows aligned like kubectl's tabwriter: each column as wide as its widest cell plus three
    spaces of padding, and at least six (cli-runtime pkg/printers/tabwriter.go: minwidth 6, padding 3)."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(str(cell)))
    lines = []
    for row in [headers] + rows:
        cells = [str(c) for c in row]
        # an empty last cell leaves the padding of the cell before it, as tabwriter writes it
        lines.append(
            "".join(cell.ljust(max(widths[i] + 3, 6)) for i, cell in enumerate(cells[:-1])) + cells[-1]
        )
    return "\n".join(lines)


def tabbed(headers: list[str], rows: list[list[str]]) -> str:
    """Returns rows aligned as kubectl's `tabbedString` does (tabwriter minwidth 0, padding 2): the layout of
    `rollout history` (kubectl pkg/polymorphichelpers/history.go)."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(str(cell)))
    lines = []
    for row in [headers] + rows:
        cells = [str(c) for c in row]
        lines.append("".join(cell.ljust(widths[i] + 2) for i, cell in enumerate(cells[:-1])) + cells[-1])
    return "\n".join(lines)


def age(obj: dict, now: float) -> str:
    """Returns the AGE column of an object."""
    created = parse_stamp(obj["metadata"].get("creationTimestamp"))
    return human_duration(now - created) if created is not None else "<unknown>"


def pod_status(pod: dict) -> str:
    """Returns the STATUS column exactly as kubectl's printPod computes it (init containers first)."""
    st = pod.get("status") or {}
    reason = st.get("reason") or st.get("phase") or "Pending"
    initializing = _init_reason(pod, st)
    if initializing is not None:
        reason = initializing
    else:
        has_running = False
        for cs in reversed(st.get("containerStatuses") or []):
            state = cs.get("state") or {}
            if state.get("waiting", {}).get("reason"):
                reason = state["waiting"]["reason"]
            elif "terminated" in state:
                term = state["terminated"]
                if term.get("reason"):
                    reason = term["reason"]
                elif term.get("signal"):
                    reason = f"Signal:{term['signal']}"
                else:
                    reason = f"ExitCode:{term.get('exitCode', 0)}"
            elif cs.get("ready") and "running" in state:
                has_running = True
        if reason == "Completed" and has_running:
            reason = "Running" if pod_ready(pod) else "NotReady"
    if pod["metadata"].get("deletionTimestamp"):
        reason = "Unknown" if st.get("reason") == "NodeLost" else "Terminating"
    return reason


def _init_reason(pod: dict, st: dict) -> str | None:
    """Returns Init:N/M, Init:<reason> or Init:ExitCode:N while init containers have not all succeeded.

    kubectl printPod: the first init container not terminated with exit 0 decides; a waiting reason other
    than PodInitializing is shown as `Init:<reason>`; none once the Initialized condition is True.
    """
    statuses = st.get("initContainerStatuses") or []
    if not statuses:
        return None
    if any(
        cd.get("type") == "Initialized" and cd.get("status") == "True" for cd in st.get("conditions") or ()
    ):
        return None
    specs = pod["spec"].get("initContainers") or ()
    sidecars = {c["name"] for c in specs if c.get("restartPolicy") == "Always"}
    total = len(specs or statuses)
    for i, cs in enumerate(statuses):
        state = cs.get("state") or {}
        term = state.get("terminated")
        if term is not None and term.get("exitCode") == 0:
            continue
        if cs.get("name") in sidecars and cs.get("started"):
            continue
        if term is not None:
            if term.get("reason"):
                return "Init:" + term["reason"]
            if term.get("signal"):
                return f"Init:Signal:{term['signal']}"
            return f"Init:ExitCode:{term.get('exitCode', 0)}"
        waiting = (state.get("waiting") or {}).get("reason")
        if waiting and waiting != "PodInitializing":
            return "Init:" + waiting
        return f"Init:{i}/{total}"
    return None


def pod_ready_column(pod: dict) -> str:
    """Returns READY as ready/total containers; sidecars (init containers with restartPolicy Always) count
    as containers once started, as kubectl printPod counts them."""
    st = pod.get("status") or {}
    statuses = st.get("containerStatuses") or []
    ready = sum(1 for cs in statuses if cs.get("ready"))
    sidecars = {
        c["name"] for c in pod["spec"].get("initContainers") or () if c.get("restartPolicy") == "Always"
    }
    for cs in st.get("initContainerStatuses") or ():
        term = (cs.get("state") or {}).get("terminated")
        if cs.get("name") in sidecars and cs.get("started"):
            ready += 1 if cs.get("ready") else 0
        elif not (term is not None and term.get("exitCode") == 0):
            break
    return f"{ready}/{len(pod['spec']['containers']) + len(sidecars)}"


def pod_restarts(pod: dict, now: float) -> str:
    """Returns RESTARTS, with `(42s ago)` after the last restart as recent kubectl prints it.

    While init containers run, their restarts are counted (kubectl printPod); afterwards the app containers'.
    """
    st = pod.get("status") or {}
    statuses = st.get("containerStatuses") or []
    if _init_reason(pod, st) is not None:
        statuses = st.get("initContainerStatuses") or []
    else:
        sidecars = {
            c["name"] for c in pod["spec"].get("initContainers") or () if c.get("restartPolicy") == "Always"
        }
        statuses = [
            cs for cs in st.get("initContainerStatuses") or () if cs.get("name") in sidecars
        ] + statuses
    total = sum(cs.get("restartCount", 0) for cs in statuses)
    last = None
    for cs in statuses:
        fin = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
        if fin:
            t = parse_stamp(fin)
            last = t if last is None else max(last, t)
    if total and last is not None:
        return f"{total} ({human_duration(now - last)} ago)"
    return str(total)


def node_status(node: dict) -> str:
    """Returns Ready / NotReady, plus `,SchedulingDisabled` for a cordoned node."""
    ready = "NotReady"
    for cd in node.get("status", {}).get("conditions", ()):
        if cd["type"] == "Ready":
            ready = "Ready" if cd["status"] == "True" else "NotReady"
    if node["spec"].get("unschedulable"):
        ready += ",SchedulingDisabled"
    return ready


def node_roles(node: dict) -> str:
    """Returns ROLES from the node-role.kubernetes.io/<role> labels."""
    roles = [
        k.split("/", 1)[1]
        for k in (node["metadata"].get("labels") or {})
        if k.startswith("node-role.kubernetes.io/")
    ]
    return ",".join(sorted(roles)) or "<none>"


def service_ports(svc: dict) -> str:
    """Returns PORT(S): `80/TCP` or `80:30080/TCP`."""
    out = []
    for p in svc["spec"].get("ports") or []:
        if p.get("nodePort"):
            out.append(f"{p['port']}:{p['nodePort']}/{p.get('protocol', 'TCP')}")
        else:
            out.append(f"{p['port']}/{p.get('protocol', 'TCP')}")
    return ",".join(out) or "<none>"


def hpa_targets(hpa: dict) -> str:
    """Returns TARGETS like `cpu: 45%/80%` (or `cpu: <unknown>/80%`)."""
    metric = (hpa["spec"].get("metrics") or [{}])[0]
    target = ((metric.get("resource") or {}).get("target") or {}).get("averageUtilization", 80)
    current = None
    for m in (hpa.get("status") or {}).get("currentMetrics") or []:
        current = ((m.get("resource") or {}).get("current") or {}).get("averageUtilization")
    return f"cpu: {'<unknown>' if current is None else f'{current}%'}/{target}%"


def _images(template_spec: dict) -> tuple[str, str]:
    ctrs = template_spec.get("containers") or []
    return ",".join(c.get("name", "") for c in ctrs), ",".join(c.get("image", "") for c in ctrs)


def _modes(modes) -> str:
    short = {
        "ReadWriteOnce": "RWO",
        "ReadOnlyMany": "ROX",
        "ReadWriteMany": "RWX",
        "ReadWriteOncePod": "RWOP",
    }
    return ",".join(short.get(m, m) for m in modes or [])


POLICY_KINDS = ("Ingress", "IngressClass", "ResourceQuota", "LimitRange")  # rows in policy_printers.py


def rows_for(kind: str, objs: list[dict], now: float, wide: bool, all_ns: bool, cluster) -> tuple[list, list]:
    """Returns (headers, rows) of `kubectl get` for one kind."""
    headers: list[str]
    rows = []
    if kind == "Pod":
        headers = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        if wide:
            headers += ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
        for p in objs:
            row = [
                p["metadata"]["name"],
                pod_ready_column(p),
                pod_status(p),
                pod_restarts(p, now),
                age(p, now),
            ]
            if wide:
                row += [
                    (p.get("status") or {}).get("podIP") or "<none>",
                    p["spec"].get("nodeName") or "<none>",
                    "<none>",
                    "<none>",
                ]
            rows.append(row)
    elif kind == "Deployment":
        headers = ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
        if wide:
            headers += ["CONTAINERS", "IMAGES", "SELECTOR"]
        for d in objs:
            st = d.get("status") or {}
            row = [
                d["metadata"]["name"],
                f"{st.get('readyReplicas', 0)}/{d['spec'].get('replicas', 1)}",
                str(st.get("updatedReplicas", 0)),
                str(st.get("availableReplicas", 0)),
                age(d, now),
            ]
            if wide:
                row += [*_images(d["spec"]["template"]["spec"]), selector_string(d["spec"].get("selector"))]
            rows.append(row)
    elif kind == "ReplicaSet":
        headers = ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
        if wide:
            headers += ["CONTAINERS", "IMAGES", "SELECTOR"]
        for r in objs:
            st = r.get("status") or {}
            row = [
                r["metadata"]["name"],
                str(r["spec"].get("replicas", 1)),
                str(st.get("replicas", 0)),
                str(st.get("readyReplicas", 0)),
                age(r, now),
            ]
            if wide:
                row += [*_images(r["spec"]["template"]["spec"]), selector_string(r["spec"].get("selector"))]
            rows.append(row)
    elif kind == "Service":
        headers = ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
        if wide:
            headers += ["SELECTOR"]
        for s in objs:
            ext = "<pending>" if s["spec"].get("type") == "LoadBalancer" else "<none>"
            row = [
                s["metadata"]["name"],
                s["spec"].get("type", "ClusterIP"),
                s["spec"].get("clusterIP", "None"),
                ext,
                service_ports(s),
                age(s, now),
            ]
            if wide:
                row += [
                    ",".join(f"{k}={v}" for k, v in (s["spec"].get("selector") or {}).items()) or "<none>"
                ]
            rows.append(row)
    elif kind == "Endpoints":
        headers = ["NAME", "ENDPOINTS", "AGE"]
        for e in objs:
            addrs = []
            for sub in e.get("subsets") or []:
                for a in sub.get("addresses") or []:
                    for p in sub.get("ports") or []:
                        addrs.append(f"{a['ip']}:{p['port']}")
            shown = ",".join(addrs[:3]) + (f" + {len(addrs) - 3} more..." if len(addrs) > 3 else "")
            rows.append([e["metadata"]["name"], shown or "<none>", age(e, now)])
    elif kind == "Node":
        headers = ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
        if wide:
            headers += ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]
        for n in objs:
            info = n["status"].get("nodeInfo") or {}
            row = [
                n["metadata"]["name"],
                node_status(n),
                node_roles(n),
                age(n, now),
                info.get("kubeletVersion", ""),
            ]
            if wide:
                ip = next(
                    (a["address"] for a in n["status"].get("addresses", ()) if a["type"] == "InternalIP"), ""
                )
                row += [
                    ip,
                    "<none>",
                    info.get("osImage", ""),
                    info.get("kernelVersion", ""),
                    info.get("containerRuntimeVersion", ""),
                ]
            rows.append(row)
    elif kind == "Namespace":
        headers = ["NAME", "STATUS", "AGE"]
        rows = [
            [n["metadata"]["name"], (n.get("status") or {}).get("phase", "Active"), age(n, now)] for n in objs
        ]
    elif kind == "Secret":
        headers = ["NAME", "TYPE", "DATA", "AGE"]
        rows = [
            [s["metadata"]["name"], s.get("type", "Opaque"), str(len(s.get("data") or {})), age(s, now)]
            for s in objs
        ]
    elif kind == "ConfigMap":
        headers = ["NAME", "DATA", "AGE"]
        rows = [[m["metadata"]["name"], str(len(m.get("data") or {})), age(m, now)] for m in objs]
    elif kind == "PersistentVolume":
        headers = [
            "NAME",
            "CAPACITY",
            "ACCESS MODES",
            "RECLAIM POLICY",
            "STATUS",
            "CLAIM",
            "STORAGECLASS",
            "VOLUMEATTRIBUTESCLASS",
            "REASON",
            "AGE",
        ]
        for v in objs:
            cr = v["spec"].get("claimRef")
            rows.append(
                [
                    v["metadata"]["name"],
                    _cap(v["spec"].get("capacity")),
                    _modes(v["spec"].get("accessModes")),
                    v["spec"].get("persistentVolumeReclaimPolicy", "Retain"),
                    (v.get("status") or {}).get("phase", "Pending"),
                    f"{cr['namespace']}/{cr['name']}" if cr else "",
                    v["spec"].get("storageClassName", ""),
                    "<unset>",
                    "",
                    age(v, now),
                ]
                + ([v["spec"].get("volumeMode") or "<unset>"] if wide else [])
            )
        if wide:
            headers = headers + ["VOLUMEMODE"]  # printers.go: priority-1 column of PVs and PVCs
    elif kind == "PersistentVolumeClaim":
        headers = [
            "NAME",
            "STATUS",
            "VOLUME",
            "CAPACITY",
            "ACCESS MODES",
            "STORAGECLASS",
            "VOLUMEATTRIBUTESCLASS",
            "AGE",
        ]
        for c in objs:
            st = c.get("status") or {}
            rows.append(
                [
                    c["metadata"]["name"],
                    st.get("phase", "Pending"),
                    c["spec"].get("volumeName", ""),
                    _cap(st.get("capacity")),
                    _modes(st.get("accessModes")),
                    c["spec"].get("storageClassName", ""),
                    "<unset>",
                    age(c, now),
                ]
                + ([c["spec"].get("volumeMode") or "<unset>"] if wide else [])
            )
        if wide:
            headers = headers + ["VOLUMEMODE"]
    elif kind == "StorageClass":
        headers = ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"]
        for s in objs:
            default = (s["metadata"].get("annotations") or {}).get(
                "storageclass.kubernetes.io/is-default-class"
            )
            rows.append(
                [
                    s["metadata"]["name"] + (" (default)" if default == "true" else ""),
                    s.get("provisioner", ""),
                    s.get("reclaimPolicy", "Delete"),
                    s.get("volumeBindingMode", "Immediate"),
                    str(bool(s.get("allowVolumeExpansion"))).lower(),
                    age(s, now),
                ]
            )
    elif kind == "HorizontalPodAutoscaler":
        headers = ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
        for h in objs:
            ref = h["spec"]["scaleTargetRef"]
            rows.append(
                [
                    h["metadata"]["name"],
                    f"{ref.get('kind')}/{ref.get('name')}",
                    hpa_targets(h),
                    str(h["spec"].get("minReplicas", 1)),
                    str(h["spec"]["maxReplicas"]),
                    str((h.get("status") or {}).get("currentReplicas", 0)),
                    age(h, now),
                ]
            )
    elif kind in _WORKLOAD_ROWS:
        headers, rows = _WORKLOAD_ROWS[kind](objs, now, wide)  # printers_workloads.py
    elif kind in POLICY_KINDS:
        from .policy_printers import policy_rows

        headers, rows = policy_rows(kind, objs, now, wide)
    else:
        headers = ["NAME", "AGE"]
        rows = [[o["metadata"]["name"], age(o, now)] for o in objs]
    if all_ns and BY_KIND[kind].namespaced:
        headers = ["NAMESPACE"] + headers
        rows = [[o["metadata"].get("namespace", "")] + r for o, r in zip(objs, rows, strict=False)]
    return headers, rows


def _cap(capacity) -> str:
    if not capacity or "storage" not in capacity:
        return ""
    try:
        return format_bytes(parse_bytes(capacity["storage"]))
    except ValueError:
        return str(capacity["storage"])


class _KubectlDumper(yaml.SafeDumper):
    """Quotes ambiguous strings with double quotes, as kubectl (go-yaml) does: "2025-03-03T09:00:00Z", "80"."""


def _represent_str(dumper, value: str):
    style = None
    if value == "" or _resolves_to_other_type(value):
        style = '"'
    elif "\n" in value:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _resolves_to_other_type(value: str) -> bool:
    for first in (value[:1], None):
        for tag, regexp in yaml.SafeLoader.yaml_implicit_resolvers.get(first, ()):
            if tag != "tag:yaml.org,2002:str" and regexp.match(value):
                return True
    return False


_KubectlDumper.add_representer(str, _represent_str)


def omit_managed_fields(data):
    """Returns `data` without `metadata.managedFields` (itself, or each of a List's items), as kubectl prints
    objects unless `--show-managed-fields` [cli-runtime pkg/printers/managedfields.go `OmitManagedFieldsPrinter`].
    The API server records managedFields for writes from a real kubectl (visualizer/kubeapi/managed_fields.py)."""
    if not isinstance(data, dict):
        return data
    if isinstance(data.get("items"), list):
        return {**data, "items": [omit_managed_fields(i) for i in data["items"]]}
    meta = data.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        return {**data, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
    return data


def to_yaml(data) -> str:
    """Returns YAML as kubectl prints it (keys sorted, block style, ambiguous strings double-quoted)."""
    data = displayed(omit_managed_fields(data))
    text = yaml.dump(
        data, Dumper=_KubectlDumper, sort_keys=True, default_flow_style=False, allow_unicode=True, width=80
    )
    return text.rstrip("\n")


def to_json(data, sort_keys: bool = False) -> str:
    """Returns JSON as kubectl prints it (4-space indent). Objects kubectl read from the server are
    unstructured maps, which Go's encoding/json writes with sorted keys (`sort_keys=True`, as `get` prints);
    typed objects built client-side (`create --dry-run=client`) keep their struct field order."""
    text = json.dumps(displayed(omit_managed_fields(data)), indent=4, ensure_ascii=False, sort_keys=sort_keys)
    return go_json_escape(text)


def go_json_escape(text: str) -> str:
    """Escapes `<`, `>`, `&`, U+2028 and U+2029 as Go's encoding/json does by default (HTML-safe), as the
    real kubectl's `-o json` prints them (`a && b` as `a \\u0026\\u0026 b`). Inside JSON text these characters only
    occur in strings, so replacing them everywhere is exact."""
    for ch, esc in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, esc)
    return text


def as_list(items: list[dict]) -> dict:
    """Returns a `kind: List` wrapper around several objects."""
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


from .printers_workloads import ROWS as _WORKLOAD_ROWS  # noqa: E402  (imports age from here)
