"""`kubectl describe`: the human-readable view of one object, ending with its Events table."""

from __future__ import annotations

from ..clock import human_duration, parse_stamp
from . import printers
from .policy_printers import describe_policy


def _kv(d: dict | None) -> str:
    if not d:
        return "<none>"
    return "\n".join(f"{' ' * 18 if i else ''}{k}={v}" for i, (k, v) in enumerate(sorted(d.items())))


def _field(label: str, value) -> str:
    return f"{label + ':':<18}{value}"


def template_lines(template: dict, indent: str = "  ") -> list[str]:
    """Returns the `Pod Template:` block lines shared by Deployment, ReplicaSet and rollout history."""
    meta = template.get("metadata") or {}
    lines = [
        f"{indent}Labels:  "
        + (", ".join(f"{k}={v}" for k, v in (meta.get("labels") or {}).items()) or "<none>")
    ]
    ann = meta.get("annotations") or {}
    if ann:
        lines.append(f"{indent}Annotations:  " + ", ".join(f"{k}: {v}" for k, v in ann.items()))
    lines.append(f"{indent}Containers:")
    for ctr in template["spec"].get("containers") or []:
        lines.append(f"{indent} {ctr['name']}:")
        lines.append(f"{indent}  Image:      {ctr.get('image')}")
        ports = ",".join(
            f"{p.get('containerPort')}/{p.get('protocol', 'TCP')}" for p in ctr.get("ports") or []
        )
        lines.append(f"{indent}  Port:       {ports or '<none>'}")
        req = (ctr.get("resources") or {}).get("requests")
        if req:
            lines.append(f"{indent}  Requests:")
            lines += [f"{indent}    {k}:  {v}" for k, v in req.items()]
        for probe, label in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness")):
            p = ctr.get(probe)
            if p:
                lines.append(f"{indent}  {label}:  {_probe(p)}")
        env = ctr.get("env") or []
        lines.append(f"{indent}  Environment:" + ("  <none>" if not env else ""))
        for e in env:
            vf = e.get("valueFrom") or {}
            if "secretKeyRef" in vf:
                val = f"<set to the key '{vf['secretKeyRef'].get('key')}' in secret '{vf['secretKeyRef'].get('name')}'>"
            elif "configMapKeyRef" in vf:
                val = (
                    f"<set to the key '{vf['configMapKeyRef'].get('key')}' of config map "
                    f"'{vf['configMapKeyRef'].get('name')}'>"
                )
            else:
                val = e.get("value", "")
            lines.append(f"{indent}    {e['name']}:  {val}")
        mounts = ctr.get("volumeMounts") or []
        lines.append(f"{indent}  Mounts:" + ("  <none>" if not mounts else ""))
        for m in mounts:
            lines.append(
                f"{indent}    {m['mountPath']} from {m['name']} ({'ro' if m.get('readOnly') else 'rw'})"
            )
    vols = template["spec"].get("volumes") or []
    lines.append(f"{indent}Volumes:" + ("  <none>" if not vols else ""))
    for v in vols:
        lines.append(f"{indent} {v['name']}:")
        lines.append(f"{indent}  {_volume(v)}")
    return lines


def _probe(p: dict) -> str:
    if "httpGet" in p:
        what = f"http-get http://:{p['httpGet'].get('port')}{p['httpGet'].get('path', '/')}"
    elif "tcpSocket" in p:
        what = f"tcp-socket :{p['tcpSocket'].get('port')}"
    else:
        what = "exec [" + " ".join((p.get("exec") or {}).get("command") or []) + "]"
    return (
        f"{what} delay={p.get('initialDelaySeconds', 0)}s timeout={p.get('timeoutSeconds', 1)}s "
        f"period={p.get('periodSeconds', 10)}s #success={p.get('successThreshold', 1)} "
        f"#failure={p.get('failureThreshold', 3)}"
    )


def _volume(v: dict) -> str:
    if "persistentVolumeClaim" in v:
        return (
            f"Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n"
            f"    ClaimName:  {v['persistentVolumeClaim'].get('claimName')}"
        )
    if "secret" in v:
        return f"Type:        Secret (a volume populated by a Secret)\n    SecretName:  {v['secret'].get('secretName')}"
    if "configMap" in v:
        return f"Type:      ConfigMap (a volume populated by a ConfigMap)\n    Name:      {v['configMap'].get('name')}"
    if "emptyDir" in v:
        return "Type:       EmptyDir (a temporary directory that shares a pod's lifetime)"
    return "Type:       " + next(iter(k for k in v if k != "name"), "<unknown>")


def _events(c, obj: dict) -> str:
    kind = obj["kind"].lower()
    name = obj["metadata"]["name"]
    ns = obj["metadata"].get("namespace", "")
    evs = [
        e
        for e in c.events
        if not e.get("synthetic") and e["object"] == f"{kind}/{name}" and e.get("namespace", "") in (ns, "")
    ]
    if not evs:
        return "Events:            <none>"
    rows = [
        ["  " + e["type"], e["reason"], human_duration(c.clock.now - e["time"]), e["component"], e["message"]]
        for e in evs[-20:]
    ]
    return "Events:\n" + printers.table(
        ["  Type", "Reason", "Age", "From", "Message"],
        [["  ----", "------", "----", "----", "-------"]] + rows,
    )


def describe(c, obj: dict) -> str:
    """Returns the describe text of one object."""
    if obj["kind"] in printers.POLICY_KINDS:
        return describe_policy(c, obj)  # Ingress, IngressClass, ResourceQuota, LimitRange
    meta = obj["metadata"]
    kind = obj["kind"]
    if kind in WORKLOAD_DESCRIBERS:
        return WORKLOAD_DESCRIBERS[kind](c, obj)  # describe_workloads.py
    lines = [_field("Name", meta["name"])]
    if meta.get("namespace"):
        lines.append(_field("Namespace", meta["namespace"]))
    if kind == "Pod":
        st = obj.get("status") or {}
        lines += [
            _field("Priority", 0),
            _field("Service Account", "default"),
            _field(
                "Node",
                f"{obj['spec'].get('nodeName')}/{c.node_ip(obj['spec']['nodeName'])}"
                if obj["spec"].get("nodeName")
                else "<none>",
            ),
            _field("Start Time", st.get("startTime", "<unset>")),
        ]
    lines.append(_field("Labels", _kv(meta.get("labels"))))
    ann = {
        k: v
        for k, v in (meta.get("annotations") or {}).items()
        if k != "kubectl.kubernetes.io/last-applied-configuration"
    }
    lines.append(_field("Annotations", _kv(ann)))
    if meta.get("deletionTimestamp"):
        lines.append(
            _field(
                "Status",
                f"Terminating (lasts {human_duration(max(0, parse_stamp(meta['deletionTimestamp']) - c.clock.now))})",
            )
        )
    if kind == "Pod":
        st = obj.get("status") or {}
        owner = (meta.get("ownerReferences") or [{}])[0]
        lines += [
            _field(
                "Status", printers.pod_status(obj) if not meta.get("deletionTimestamp") else "Terminating"
            ),
            _field("IP", st.get("podIP", "")),
            _field("Controlled By", f"{owner.get('kind')}/{owner.get('name')}" if owner else "<none>"),
            "Containers:",
        ]
        statuses = {cs["name"]: cs for cs in st.get("containerStatuses") or []}
        for ctr in obj["spec"]["containers"]:
            cs = statuses.get(ctr["name"], {})
            state = cs.get("state") or {}
            lines.append(f"  {ctr['name']}:")
            lines.append(f"    Image:          {ctr['image']}")
            if "running" in state:
                lines.append("    State:          Running")
                lines.append(f"      Started:      {state['running'].get('startedAt')}")
            elif "waiting" in state:
                lines.append("    State:          Waiting")
                lines.append(f"      Reason:       {state['waiting'].get('reason')}")
            elif "terminated" in state:
                lines.append("    State:          Terminated")
                lines.append(f"      Reason:       {state['terminated'].get('reason')}")
                lines.append(f"      Exit Code:    {state['terminated'].get('exitCode')}")
            last = (cs.get("lastState") or {}).get("terminated")
            if last:
                lines.append("    Last State:     Terminated")
                lines.append(f"      Reason:       {last.get('reason')}")
                lines.append(f"      Exit Code:    {last.get('exitCode')}")
            lines.append(f"    Ready:          {str(cs.get('ready', False))}")
            lines.append(f"    Restart Count:  {cs.get('restartCount', 0)}")
            for probe, label in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness")):
                if ctr.get(probe):
                    lines.append(f"    {label}:      {_probe(ctr[probe])}")
            env = ctr.get("env") or []
            if env:
                lines.append("    Environment:")
                for e in env:
                    vf = e.get("valueFrom") or {}
                    if "secretKeyRef" in vf:
                        lines.append(
                            f"      {e['name']}:  <set to the key '{vf['secretKeyRef'].get('key')}' in secret "
                            f"'{vf['secretKeyRef'].get('name')}'>  Optional: false"
                        )
                    else:
                        lines.append(f"      {e['name']}:  {e.get('value', '')}")
            for m in ctr.get("volumeMounts") or []:
                lines.append(
                    f"    Mounts:         {m['mountPath']} from {m['name']} ({'ro' if m.get('readOnly') else 'rw'})"
                )
        lines.append("Conditions:\n  Type              Status")
        for cd in st.get("conditions") or []:
            lines.append(f"  {cd['type']:<18}{cd['status']}")
        vols = obj["spec"].get("volumes") or []
        if vols:
            lines.append("Volumes:")
            for v in vols:
                lines.append(f"  {v['name']}:\n    {_volume(v)}")
        lines.append(_field("Node-Selectors", _kv(obj["spec"].get("nodeSelector"))))
        tol = [
            f"{t.get('key')}:{t.get('effect')} op={t.get('operator', 'Equal')}"
            + (f" for {t['tolerationSeconds']}s" if "tolerationSeconds" in t else "")
            for t in obj["spec"].get("tolerations") or []
        ]
        lines.append(_field("Tolerations", ("\n" + " " * 18).join(tol) or "<none>"))
    elif kind == "Deployment":
        spec, st = obj["spec"], obj.get("status") or {}
        lines += [
            _field("Selector", printers.selector_string(spec.get("selector"))),
            _field(
                "Replicas",
                f"{spec.get('replicas', 1)} desired | {st.get('updatedReplicas', 0)} updated | "
                f"{st.get('replicas', 0)} total | {st.get('availableReplicas', 0)} available | "
                f"{st.get('unavailableReplicas', 0)} unavailable",
            ),
            _field("StrategyType", (spec.get("strategy") or {}).get("type", "RollingUpdate")),
            _field("MinReadySeconds", spec.get("minReadySeconds", 0)),
        ]
        ru = (spec.get("strategy") or {}).get("rollingUpdate")
        if ru:
            lines.append(
                _field(
                    "RollingUpdateStrategy",
                    f"{ru.get('maxUnavailable')} max unavailable, {ru.get('maxSurge')} max surge",
                )
            )
        lines.append("Pod Template:")
        lines += template_lines(spec["template"])
        lines.append("Conditions:\n  Type           Status  Reason\n  ----           ------  ------")
        for cd in st.get("conditions") or []:
            lines.append(f"  {cd['type']:<15}{cd['status']:<8}{cd.get('reason', '')}")
        rses = c.store.owned(meta["uid"], "ReplicaSet")
        from ..controllers.deployment import templates_equal

        new = [r for r in rses if templates_equal(r["spec"]["template"], spec["template"])]
        olds = [r for r in rses if r not in new and r["spec"].get("replicas")]
        lines.append(
            _field(
                "OldReplicaSets",
                ", ".join(
                    f"{r['metadata']['name']} ({(r.get('status') or {}).get('replicas', 0)}/"
                    f"{r['spec'].get('replicas', 0)} replicas created)"
                    for r in olds
                )
                or "<none>",
            )
        )
        lines.append(
            _field(
                "NewReplicaSet",
                ", ".join(
                    f"{r['metadata']['name']} ({(r.get('status') or {}).get('replicas', 0)}/"
                    f"{r['spec'].get('replicas', 0)} replicas created)"
                    for r in new
                )
                or "<none>",
            )
        )
    elif kind == "ReplicaSet":
        spec, st = obj["spec"], obj.get("status") or {}
        owner = (meta.get("ownerReferences") or [{}])[0]
        lines += [
            _field("Selector", printers.selector_string(spec.get("selector"))),
            _field("Controlled By", f"{owner.get('kind')}/{owner.get('name')}" if owner else "<none>"),
            _field("Replicas", f"{st.get('replicas', 0)} current / {spec.get('replicas', 1)} desired"),
            _field(
                "Pods Status", f"{st.get('readyReplicas', 0)} Running / 0 Waiting / 0 Succeeded / 0 Failed"
            ),
            "Pod Template:",
        ] + template_lines(spec["template"])
    elif kind == "Service":
        spec = obj["spec"]
        eps = c.kube_proxy.backends(meta["namespace"], meta["name"])
        lines += [
            _field(
                "Selector", ",".join(f"{k}={v}" for k, v in (spec.get("selector") or {}).items()) or "<none>"
            ),
            _field("Type", spec.get("type")),
            _field("IP Family Policy", spec.get("ipFamilyPolicy", "SingleStack")),
            _field("IP", spec.get("clusterIP")),
            _field("IPs", spec.get("clusterIP")),
        ]
        for p in spec.get("ports") or []:
            lines.append(
                _field("Port", f"{p.get('name', '<unset>')}  {p['port']}/{p.get('protocol', 'TCP')}")
            )
            lines.append(_field("TargetPort", f"{p.get('targetPort')}/{p.get('protocol', 'TCP')}"))
            if p.get("nodePort"):
                lines.append(_field("NodePort", f"{p.get('name', '<unset>')}  {p['nodePort']}/TCP"))
            lines.append(
                _field("Endpoints", ",".join(f"{a['ip']}:{p.get('targetPort')}" for a in eps) or "<none>")
            )
        lines += [
            _field("Session Affinity", spec.get("sessionAffinity", "None")),
            _field("Internal Traffic Policy", spec.get("internalTrafficPolicy", "Cluster")),
        ]
    elif kind == "Node":
        st = obj["status"]
        lines.insert(1, _field("Roles", printers.node_roles(obj)))
        lines += [
            _field("CreationTimestamp", meta.get("creationTimestamp")),
            _field(
                "Taints",
                ("\n" + " " * 18).join(f"{t['key']}:{t['effect']}" for t in obj["spec"].get("taints") or [])
                or "<none>",
            ),
            _field("Unschedulable", str(bool(obj["spec"].get("unschedulable"))).lower()),
            "Conditions:\n  Type             Status  Reason                       Message",
        ]
        for cd in st.get("conditions") or []:
            lines.append(
                f"  {cd['type']:<17}{cd['status']:<8}{cd.get('reason', ''):<29}{cd.get('message', '')}"
            )
        lines.append("Addresses:")
        lines += [f"  {a['type']}:  {a['address']}" for a in st.get("addresses") or []]
        lines.append("Capacity:")
        lines += [f"  {k}:  {v}" for k, v in st.get("capacity", {}).items()]
        lines.append("Allocatable:")
        lines += [f"  {k}:  {v}" for k, v in st.get("allocatable", {}).items()]
        pods = c.store.pods_on(meta["name"])
        lines.append(f"Non-terminated Pods:          ({len(pods)} in total)")
        rows = [
            [f"  {p['metadata']['namespace']}", p["metadata"]["name"], printers.age(p, c.clock.now)]
            for p in pods
        ]
        if rows:
            lines.append(printers.table(["  Namespace", "Name", "Age"], rows))
        u = c.store.node_usage.get(meta["name"], [0, 0, 0])
        lines.append(f"Allocated resources:\n  cpu     {u[0]}m\n  memory  {u[1] // (1024 * 1024)}Mi")
    elif kind == "Secret":
        lines += [_field("Type", obj.get("type", "Opaque")), "", "Data", "===="]
        from ..runtime import decode_secret_value

        for k, v in (obj.get("data") or {}).items():
            lines.append(f"{k}:  {len(decode_secret_value(v))} bytes")
    elif kind == "ConfigMap":
        lines += ["", "Data", "===="]
        for k, v in (obj.get("data") or {}).items():
            lines += [f"{k}:", "----", v, ""]
    elif kind == "PersistentVolumeClaim":
        st = obj.get("status") or {}
        lines += [
            _field("StorageClass", obj["spec"].get("storageClassName", "")),
            _field("Status", st.get("phase")),
            _field("Volume", obj["spec"].get("volumeName", "")),
            _field("Capacity", (st.get("capacity") or {}).get("storage", "")),
            _field("Access Modes", ",".join(st.get("accessModes") or [])),
            _field(
                "Used By",
                ", ".join(
                    p["metadata"]["name"]
                    for p in c.store.list("Pod", meta["namespace"])
                    if any(
                        (v.get("persistentVolumeClaim") or {}).get("claimName") == meta["name"]
                        for v in p["spec"].get("volumes") or []
                    )
                )
                or "<none>",
            ),
        ]
    elif kind == "PersistentVolume":
        cr = obj["spec"].get("claimRef")
        lines += [
            _field("StorageClass", obj["spec"].get("storageClassName", "")),
            _field("Status", (obj.get("status") or {}).get("phase")),
            _field("Claim", f"{cr['namespace']}/{cr['name']}" if cr else ""),
            _field("Reclaim Policy", obj["spec"].get("persistentVolumeReclaimPolicy")),
            _field("Access Modes", ",".join(obj["spec"].get("accessModes") or [])),
            _field("Capacity", (obj["spec"].get("capacity") or {}).get("storage")),
        ]
    elif kind == "HorizontalPodAutoscaler":
        ref = obj["spec"]["scaleTargetRef"]
        st = obj.get("status") or {}
        lines += [
            _field("Reference", f"{ref.get('kind')}/{ref.get('name')}"),
            "Metrics:                                               ( current / target )",
            f"  resource cpu on pods  (as a percentage of request):  {printers.hpa_targets(obj)[5:]}",
            _field("Min replicas", obj["spec"].get("minReplicas", 1)),
            _field("Max replicas", obj["spec"]["maxReplicas"]),
            f"{ref.get('kind')} pods:    {st.get('currentReplicas', 0)} current / {st.get('desiredReplicas', 0)} desired",
            "Conditions:\n  Type            Status  Reason            Message",
        ]
        for cd in st.get("conditions") or []:
            lines.append(
                f"  {cd['type']:<16}{cd['status']:<8}{cd.get('reason', ''):<18}{cd.get('message', '')}"
            )
    lines.append(_events(c, obj))
    return "\n".join(lines)


from .describe_workloads import DESCRIBERS as WORKLOAD_DESCRIBERS  # noqa: E402
