"""`kubectl describe`: the human-readable view of one object, as kubectl v1.3x prints it.

kubectl's describers (kubernetes/kubectl `pkg/describe/describe.go`) write lines whose fields are separated by
tabs through a `PrefixWriter` (indent levels of two spaces) into Go's `text/tabwriter` (`tabbedString`: min
width 0, padding 2, pad with spaces). This module writes the same lines, in the same section order and with
the same field names, and `tabwrite` reproduces the tabwriter's column blocks: consecutive lines that have a
cell in a column are aligned together; a line without that cell ends the block. That is why
`Conditions:` rows read `PodReadyToStartContainers   True ` and `RollingUpdateStrategy:  25% max unavailable…`
and never glue. The `Events:` table is flushed separately, as `DescribeEvents` does (`w.Flush()`).
Timestamps print as RFC 1123 with a numeric zone (`Mon, 03 Mar 2025 09:00:00 +0000`); absent values print
`<none>` / `<unset>` where kubectl prints them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..clock import EPOCH, human_duration, parse_stamp
from ..objects import BY_KIND, etcd_key, selector_string
from ..wallclock import display_offset
from . import printers
from .describe_extra import namespace_policies, pv_source

LEVEL = ("", "  ", "    ", "      ")


# ------------------------------------------------------------------------------------------ tabwriter
def tabwrite(text: str, padding: int = 2) -> str:
    """Returns text aligned as Go's text/tabwriter aligns it (cells end at `\\t`; the last cell is free).

    Mirrors tabwriter.Writer.format: a column block is a run of consecutive lines having a cell in that
    column; its width is the widest cell plus padding; lines outside the block are not padded.
    """
    lines = [line.split("\t") for line in text.split("\n")]
    out: list[str] = ["" for _ in lines]

    def write_lines(line0: int, line1: int, widths: list[int]) -> None:
        for i in range(line0, line1):
            cells = lines[i]
            parts = []
            for j, cell in enumerate(cells):
                if j < len(widths) and j < len(cells) - 1:
                    parts.append(cell + " " * (widths[j] - len(cell)))
                else:
                    parts.append(cell)
            out[i] = "".join(parts)

    def fmt(line0: int, line1: int, widths: list[int]) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(lines[this]) - 1:
                this += 1
                continue
            write_lines(line0, this, widths)
            line0 = this
            width = 0
            while this < line1 and column < len(lines[this]) - 1:
                width = max(width, len(lines[this][column]) + padding)
                this += 1
            fmt(line0, this, widths + [width])
            line0 = this
        write_lines(line0, line1, widths)

    fmt(0, len(lines), [])
    return "\n".join(out)


class _Writer:
    """kubectl's PrefixWriter: `write(level, text)` prefixes two spaces per level; text may hold tabs."""

    def __init__(self):
        self.parts: list[str] = []
        self.blocks: list[str] = []
        self.show_events = True

    def write(self, level: int, text: str) -> None:
        self.parts.append(LEVEL[level] + text)

    def flush(self) -> None:
        """Formats what was written so far on its own (tabwriter Flush)."""
        if self.parts:
            self.blocks.append(tabwrite("".join(self.parts)))
            self.parts = []

    def text(self) -> str:
        self.flush()
        return "".join(self.blocks).rstrip("\n")


def _time(stamp: str | None) -> str:
    """Returns an API timestamp as Go's time.RFC1123Z (`Mon, 03 Mar 2025 09:00:00 +0000`)."""
    t = parse_stamp(stamp)
    if t is None:
        return "<unset>"
    seconds = EPOCH.timestamp() + t + display_offset.get()  # in the user's clock (engine/wallclock.py)
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


# ------------------------------------------------------------------------------------------ shared helpers
def _labels(w: _Writer, title: str, labels: dict | None, initial: str = "") -> None:
    """printLabelsMultiline: sorted `key=value` lines, continuation lines start with a tab."""
    w.write(0, f"{initial}{title}:\t")
    if not labels:
        w.write(0, "<none>\n")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(0, f"{initial}\t")
        w.write(0, f"{key}={labels[key]}\n")


def _annotations(w: _Writer, title: str, annotations: dict | None) -> None:
    """printAnnotationsMultiline: skips last-applied-configuration; long or multi-line values wrap."""
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k != "kubectl.kubernetes.io/last-applied-configuration")
    if not keys:
        w.write(0, "<none>\n")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = str(annotations[key]).rstrip("\n")
        if len(value) + len(key) + 2 > 140 or "\n" in value:
            w.write(0, f"{key}:\n")
            for line in value.split("\n"):
                short = line if len(line) <= 138 else line[:135] + "..."
                w.write(0, f"\t  {short}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def _taints(w: _Writer, title: str, taints: list | None, initial: str = "") -> None:
    w.write(0, f"{initial}{title}:\t")
    if not taints:
        w.write(0, "<none>\n")
        return
    ordered = sorted(taints, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    for i, t in enumerate(ordered):
        if i:
            w.write(0, f"{initial}\t")
        value = f"={t['value']}" if t.get("value") else ""
        w.write(0, f"{t.get('key', '')}{value}:{t.get('effect', '')}\n")


def _tolerations(w: _Writer, title: str, tolerations: list | None, initial: str = "") -> None:
    """printPodTolerationsMultiline: `key=value:Effect op=Exists for 300s`, sorted by key."""
    w.write(0, f"{initial}{title}:\t")
    if not tolerations:
        w.write(0, "<none>\n")
        return
    for i, t in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if i:
            w.write(0, f"{initial}\t")
        text = t.get("key", "")
        if t.get("value"):
            text += f"={t['value']}"
        if t.get("effect"):
            text += f":{t['effect']}"
        if t.get("operator") == "Exists" and not t.get("value"):
            text += " op=Exists" if t.get("key") or t.get("effect") else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            text += f" for {t['tolerationSeconds']}s"
        w.write(0, text + "\n")


def _probe(p: dict) -> str:
    """DescribeProbe: `http-get http://:8080/healthz delay=3s timeout=1s period=3s #success=1 #failure=3`."""
    attrs = (
        f"delay={p.get('initialDelaySeconds', 0)}s timeout={p.get('timeoutSeconds', 1)}s "
        f"period={p.get('periodSeconds', 10)}s #success={p.get('successThreshold', 1)} "
        f"#failure={p.get('failureThreshold', 3)}"
    )
    if "exec" in p:
        return f"exec [{' '.join((p['exec'] or {}).get('command') or [])}] {attrs}"
    if "httpGet" in p:
        h = p["httpGet"]
        scheme = str(h.get("scheme", "HTTP")).lower()
        return f"http-get {scheme}://{h.get('host', '')}:{h.get('port')}{h.get('path', '')} {attrs}"
    if "tcpSocket" in p:
        return f"tcp-socket {p['tcpSocket'].get('host', '')}:{p['tcpSocket'].get('port')} {attrs}"
    if "grpc" in p:
        return f"grpc <pod>:{p['grpc'].get('port')} {p['grpc'].get('service', '')} {attrs}"
    return attrs


def _state(w: _Writer, name: str, state: dict | None) -> None:
    state = state or {}
    if "running" in state:
        w.write(2, f"{name}:\tRunning\n")
        w.write(3, f"Started:\t{_time(state['running'].get('startedAt'))}\n")
    elif "terminated" in state:
        t = state["terminated"]
        w.write(2, f"{name}:\tTerminated\n")
        if t.get("reason"):
            w.write(3, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            w.write(3, f"Message:\t{t['message']}\n")
        w.write(3, f"Exit Code:\t{t.get('exitCode', 0)}\n")
        if t.get("signal"):
            w.write(3, f"Signal:\t{t['signal']}\n")
        w.write(3, f"Started:\t{_time(t.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{_time(t.get('finishedAt'))}\n")
    else:
        w.write(2, f"{name}:\tWaiting\n")
        reason = (state.get("waiting") or {}).get("reason")
        if reason:
            w.write(3, f"Reason:\t{reason}\n")


def _env_value(e: dict) -> str:
    vf = e.get("valueFrom") or {}
    if "secretKeyRef" in vf:
        r = vf["secretKeyRef"]
        return f"<set to the key '{r.get('key')}' in secret '{r.get('name')}'>\tOptional: {str(bool(r.get('optional'))).lower()}"
    if "configMapKeyRef" in vf:
        r = vf["configMapKeyRef"]
        return (
            f"<set to the key '{r.get('key')}' of config map '{r.get('name')}'>\t"
            f"Optional: {str(bool(r.get('optional'))).lower()}"
        )
    if "fieldRef" in vf:
        r = vf["fieldRef"]
        return f" ({r.get('apiVersion', 'v1')}:{r.get('fieldPath')})"
    if "resourceFieldRef" in vf:
        r = vf["resourceFieldRef"]
        return f" ({r.get('resource')})"
    return ""


def _containers(w: _Writer, label: str, containers: list, statuses: list | None, space: str) -> None:
    """describeContainers: basic info, command/args, state, resources, probes, env, mounts."""
    by_name = {s["name"]: s for s in statuses or []}
    if not containers:
        w.write(0, f"{space}{label}: <none>\n")
        return
    w.write(0, f"{space}{label}:\n")
    indent = " " if space else ""
    for ctr in containers:
        status = by_name.get(ctr["name"]) if statuses is not None else None
        w.write(1, f"{indent}{ctr['name']}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{ctr.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        ports = ctr.get("ports") or []
        # describeContainerPorts: `80/TCP`, with the port's name appended in parentheses when it has one.
        named = [f" ({p['name']})" if p.get("name") else "" for p in ports]
        port_text = ",".join(
            f"{p.get('containerPort')}/{p.get('protocol', 'TCP')}{n}"
            for p, n in zip(ports, named, strict=True)
        )
        host_text = ",".join(
            f"{p.get('hostPort', 0)}/{p.get('protocol', 'TCP')}{n}" for p, n in zip(ports, named, strict=True)
        )
        w.write(2, f"Ports:\t{port_text}\n" if "," in port_text else f"Port:\t{port_text or '<none>'}\n")
        w.write(
            2, f"Host Ports:\t{host_text}\n" if "," in host_text else f"Host Port:\t{host_text or '<none>'}\n"
        )
        for field, title in (("command", "Command"), ("args", "Args")):
            if ctr.get(field):
                w.write(2, f"{title}:\n")
                for word in ctr[field]:
                    for part in str(word).split("\n"):
                        w.write(3, f"{part}\n")
        if status is not None:
            _state(w, "State", status.get("state"))
            last = status.get("lastState") or {}
            if last.get("terminated"):
                _state(w, "Last State", last)
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        resources = ctr.get("resources") or {}
        for key, title in (("limits", "Limits"), ("requests", "Requests")):
            if resources.get(key):
                w.write(2, f"{title}:\n")
                for name in sorted(resources[key]):
                    w.write(3, f"{name}:\t{resources[key][name]}\n")
        for field, title in (
            ("livenessProbe", "Liveness"),
            ("readinessProbe", "Readiness"),
            ("startupProbe", "Startup"),
        ):
            if ctr.get(field):
                w.write(2, f"{title}:\t{_probe(ctr[field])}\n")
        if ctr.get("envFrom"):
            w.write(2, "Environment Variables from:\n")
            for e in ctr["envFrom"]:
                ref = e.get("configMapRef") or e.get("secretRef") or {}
                source = "ConfigMap" if "configMapRef" in e else "Secret"
                prefix = f" with prefix '{e['prefix']}'" if e.get("prefix") else ""
                w.write(
                    3,
                    f"{ref.get('name')}\t{source}{prefix}\tOptional: {str(bool(ref.get('optional'))).lower()}\n",
                )
        env = ctr.get("env") or []
        w.write(2, "Environment:" + ("\t<none>\n" if not env else "\n"))
        for e in env:
            if "valueFrom" not in e:
                for i, part in enumerate(str(e.get("value", "")).split("\n")):
                    w.write(3, f"{e['name']}:\t{part}\n" if i == 0 else f"\t{part}\n")
            else:
                w.write(3, f"{e['name']}:\t{_env_value(e)}\n")
        mounts = sorted(ctr.get("volumeMounts") or [], key=lambda m: m.get("mountPath", ""))
        w.write(2, "Mounts:" + ("\t<none>\n" if not mounts else "\n"))
        for m in mounts:
            flags = ["ro" if m.get("readOnly") else "rw"]
            if m.get("subPath"):
                flags.append(f'path="{m["subPath"]}"')
            w.write(3, f"{m.get('mountPath')} from {m.get('name')} ({','.join(flags)})\n")


def _volumes(w: _Writer, volumes: list | None, space: str) -> None:
    """describeVolumes: one block per volume with its source's fields."""
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    indent = " " if space else ""
    for v in volumes:
        w.write(1, f"{indent}{v['name']}:\n")
        if "hostPath" in v:
            h = v["hostPath"] or {}
            w.write(
                2,
                f"Type:\tHostPath (bare host directory volume)\n    Path:\t{h.get('path')}\n"
                f"    HostPathType:\t{h.get('type', '<none>')}\n",
            )
        elif "emptyDir" in v:
            e = v["emptyDir"] or {}
            w.write(
                2,
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                f"    Medium:\t{e.get('medium', '')}\n    SizeLimit:\t{e.get('sizeLimit') or '<unset>'}\n",
            )
        elif "secret" in v:
            s = v["secret"] or {}
            w.write(
                2,
                f"Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{s.get('secretName')}\n"
                f"    Optional:\t{str(bool(s.get('optional'))).lower()}\n",
            )
        elif "configMap" in v:
            cm = v["configMap"] or {}
            w.write(
                2,
                f"Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{cm.get('name')}\n"
                f"    Optional:\t{str(bool(cm.get('optional'))).lower()}\n",
            )
        elif "persistentVolumeClaim" in v:
            pvc = v["persistentVolumeClaim"] or {}
            w.write(
                2,
                "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n"
                f"    ClaimName:\t{pvc.get('claimName')}\n    ReadOnly:\t{str(bool(pvc.get('readOnly'))).lower()}\n",
            )
        elif "downwardAPI" in v:
            w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n")
            for item in (v["downwardAPI"] or {}).get("items") or []:
                ref = item.get("fieldRef") or item.get("resourceFieldRef") or {}
                w.write(3, f"{ref.get('fieldPath') or ref.get('resource')} -> {item.get('path')}\n")
        else:
            w.write(1, "<unknown>\n")


def pod_template(w: _Writer, template: dict) -> None:
    """DescribePodTemplate: the `Pod Template:` block of Deployments, ReplicaSets, Jobs and DaemonSets."""
    w.write(0, "Pod Template:\n")
    meta = template.get("metadata") or {}
    spec = template.get("spec") or {}
    # DescribePodTemplate: printLabelsMultiline(w, "  Labels", …): the indent is part of the title, so a
    # continuation line starts with the tab alone (seen raw in `rollout history --revision=N`).
    _labels(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        _annotations(w, "  Annotations", meta.get("annotations"))
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        _containers(w, "Init Containers", spec["initContainers"], None, "  ")
    _containers(w, "Containers", spec.get("containers") or [], None, "  ")
    _volumes(w, spec.get("volumes"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    _labels(w, "  Node-Selectors", spec.get("nodeSelector"))
    _tolerations(w, "  Tolerations", spec.get("tolerations"))


def template_lines(template: dict, indent: str = "  ") -> list[str]:
    """Returns the `Pod Template:` block lines as `rollout history --revision=N` prints them.

    rollout history writes DescribePodTemplate through a PrefixWriter without a tabwriter, so fields stay
    separated by a raw tab (`  Labels:\tapp=web`), header line included (kubectl `polymorphichelpers/history.go`).
    """
    w = _Writer()
    pod_template(w, template)
    return "".join(w.parts).rstrip("\n").split("\n")


# ------------------------------------------------------------------------------------------ events


def _source(component: str) -> str:
    """Returns the event's `From` as kubectl shows it: the Event's source.component (`kubelet`,
    `deployment-controller`, `horizontal-pod-autoscaler`), the same as the REST face's Events carry."""
    from .events import source_of

    return source_of(component)


def _events(c, obj: dict, w: _Writer) -> None:
    """DescribeEvents: `Type Reason Age From Message`; repeated events aggregate into `(xN over AGE)`."""
    if not w.show_events:
        return
    kind = obj["kind"].lower()
    name = obj["metadata"]["name"]
    ns = obj["metadata"].get("namespace", "")
    groups: dict[tuple, list] = {}
    for e in c.events:
        if e.get("synthetic") or e["object"] != f"{kind}/{name}" or e.get("namespace", "") not in (ns, ""):
            continue
        key = (e["type"], e["reason"], _source(e["component"]), e["message"].strip())
        entry = groups.setdefault(key, [e["time"], e["time"], 0])
        entry[1] = e["time"]
        entry[2] += 1
    if not groups:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    now = c.clock.now
    for (etype, reason, source, message), (first, last, count) in sorted(
        groups.items(), key=lambda kv: kv[1][1]
    ):
        age = human_duration(now - first)
        if count > 1:
            age = f"{human_duration(now - last)} (x{count} over {age})"
        w.write(1, f"{etype}\t{reason}\t{age}\t{source}\t{message}\n")


# ------------------------------------------------------------------------------------------ kinds
def _describe_pod(c, pod: dict, w: _Writer) -> None:
    meta, spec, st = pod["metadata"], pod["spec"], pod.get("status") or {}
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    # The Priority admission plugin sets 0 and the ServiceAccount admission plugin `default` on every pod.
    w.write(0, f"Priority:\t{spec.get('priority', 0)}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    w.write(0, f"Service Account:\t{spec.get('serviceAccountName', 'default')}\n")
    if spec.get("nodeName"):
        w.write(0, f"Node:\t{spec['nodeName']}/{st.get('hostIP', '')}\n")
    else:
        w.write(0, "Node:\t<none>\n")
    if st.get("startTime"):
        w.write(0, f"Start Time:\t{_time(st['startTime'])}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    if meta.get("deletionTimestamp") and st.get("phase") not in ("Failed", "Succeeded"):
        lasts = human_duration(max(0.0, parse_stamp(meta["deletionTimestamp"]) - c.clock.now))
        w.write(0, f"Status:\tTerminating (lasts {lasts})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 30)}s\n")
    else:
        w.write(0, f"Status:\t{st.get('phase', '')}\n")
    if st.get("reason"):
        w.write(0, f"Reason:\t{st['reason']}\n")
    if st.get("message"):
        w.write(0, f"Message:\t{st['message']}\n")
    w.write(0, f"IP:\t{st.get('podIP', '')}\n")
    ips = st.get("podIPs") or ([{"ip": st["podIP"]}] if st.get("podIP") else [])
    if not ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip.get('ip')}\n")
    owner = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
    if owner:
        w.write(0, f"Controlled By:\t{owner.get('kind')}/{owner.get('name')}\n")
    if st.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{st['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        _containers(w, "Init Containers", spec["initContainers"], st.get("initContainerStatuses") or [], "")
    _containers(w, "Containers", spec.get("containers") or [], st.get("containerStatuses") or [], "")
    if st.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for cd in st["conditions"]:
            w.write(1, f"{cd['type']} \t{cd['status']} \n")
    _volumes(w, spec.get("volumes"), "")
    w.write(0, f"QoS Class:\t{st.get('qosClass', 'BestEffort')}\n")
    _labels(w, "Node-Selectors", spec.get("nodeSelector"))
    _tolerations(w, "Tolerations", spec.get("tolerations"))
    _events(c, pod, w)


def _replica_sets_text(rses: list[dict]) -> str:
    text = ", ".join(
        f"{r['metadata']['name']} ({(r.get('status') or {}).get('replicas', 0)}/{r['spec'].get('replicas', 0)} "
        "replicas created)"
        for r in rses
    )
    return text or "<none>"


def _describe_deployment(c, d: dict, w: _Writer) -> None:
    meta, spec, st = d["metadata"], d["spec"], d.get("status") or {}
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{_time(meta.get('creationTimestamp'))}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(
        0,
        f"Replicas:\t{spec.get('replicas', 1)} desired | {st.get('updatedReplicas', 0)} updated | "
        f"{st.get('replicas', 0)} total | {st.get('availableReplicas', 0)} available | "
        f"{st.get('unavailableReplicas', 0)} unavailable\n",
    )
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', 'RollingUpdate')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    ru = strategy.get("rollingUpdate")
    if ru:
        w.write(
            0,
            f"RollingUpdateStrategy:\t{ru.get('maxUnavailable')} max unavailable, {ru.get('maxSurge')} max surge\n",
        )
    pod_template(w, spec["template"])
    if st.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for cd in st["conditions"]:
            w.write(1, f"{cd['type']} \t{cd['status']}\t{cd.get('reason', '')}\n")
    from ..controllers.deployment import templates_equal

    rses = c.store.owned(meta["uid"], "ReplicaSet") if meta.get("uid") else []
    new = [r for r in rses if templates_equal(r["spec"]["template"], spec["template"])]
    # kubectl v1.37 lists every old set, scaled to zero or not, oldest first (not in the API's name order):
    # `OldReplicaSets:  web-f86486c99 (0/0 replicas created), web-7cc4f779b (0/0 …)` as the real kubectl
    # prints it against this cluster (tests/kubeapi/test_console_oracle.py); ties by name.
    olds = sorted(
        (r for r in rses if r not in new),
        key=lambda r: (r["metadata"].get("creationTimestamp", ""), r["metadata"]["name"]),
    )
    w.write(0, f"OldReplicaSets:\t{_replica_sets_text(olds)}\n")
    w.write(0, f"NewReplicaSet:\t{_replica_sets_text(new[:1])}\n")
    _events(c, d, w)


def _pods_status(c, obj: dict) -> str:
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for p in c.store.owned(obj["metadata"].get("uid"), "Pod") if obj["metadata"].get("uid") else []:
        phase = (p.get("status") or {}).get("phase", "Pending")
        counts[phase] = counts.get(phase, 0) + 1
    return f"{counts['Running']} Running / {counts['Pending']} Waiting / {counts['Succeeded']} Succeeded / {counts['Failed']} Failed"


def _describe_replicaset(c, rs: dict, w: _Writer) -> None:
    """describeReplicaSet, and describeReplicationController whose selector is a plain label map."""
    meta, spec, st = rs["metadata"], rs["spec"], rs.get("status") or {}
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if rs["kind"] == "ReplicationController":
        selector = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items()))
    else:
        selector = selector_string(spec.get("selector"))
    w.write(0, f"Selector:\t{selector}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    owner = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
    if owner:
        w.write(0, f"Controlled By:\t{owner.get('kind')}/{owner.get('name')}\n")
    w.write(0, f"Replicas:\t{st.get('replicas', 0)} current / {spec.get('replicas', 1)} desired\n")
    w.write(0, f"Pods Status:\t{_pods_status(c, rs)}\n")
    pod_template(w, spec["template"])
    if st.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for cd in st["conditions"]:
            w.write(1, f"{cd['type']} \t{cd['status']}\t{cd.get('reason', '')}\n")
    _events(c, rs, w)


def _endpoints_text(c, namespace: str, service: str, port_name: str) -> str:
    """formatEndpointSlices for one service port: the first three ready `ip:port`, then `+ N more...`."""
    ep = c.api.get("Endpoints", namespace, service) or {}
    addrs = []
    for subset in ep.get("subsets") or []:
        for port in subset.get("ports") or []:
            if (port.get("name") or "") == (port_name or ""):
                addrs += [f"{a['ip']}:{port.get('port')}" for a in subset.get("addresses") or []]
    return ",".join(addrs[:3]) + (f" + {len(addrs) - 3} more..." if len(addrs) > 3 else "")


def _describe_service(c, svc: dict, w: _Writer) -> None:
    meta, spec = svc["metadata"], svc["spec"]
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    selector = spec.get("selector") or {}
    w.write(0, f"Selector:\t{','.join(f'{k}={v}' for k, v in sorted(selector.items())) or '<none>'}\n")
    w.write(0, f"Type:\t{spec.get('type', 'ClusterIP')}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    w.write(0, f"IPs:\t{','.join(ips) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        w.write(
            0, f"LoadBalancer Ingress:\t{', '.join(i.get('ip') or i.get('hostname', '') for i in ingress)}\n"
        )
    for p in spec.get("ports") or []:
        name = p.get("name") or "<unset>"
        proto = p.get("protocol", "TCP")
        w.write(0, f"Port:\t{name}\t{p['port']}/{proto}\n")
        w.write(0, f"TargetPort:\t{p.get('targetPort', p['port'])}/{proto}\n")
        if p.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{p['nodePort']}/{proto}\n")
        # formatEndpointSlices: the first three `ip:port`, then `+ N more...`; a Service without an
        # EndpointSlice prints `<none>`, one with no ready pods an empty slice (nothing printed). Every Endpoints
        # object has its slice (the controller's, the mirroring controller's for a selector-less Service with
        # Endpoints, the API server's for `kubernetes`: as the REST face serves them, kubeapi/endpointslices.py).
        has_slice = c.api.get("Endpoints", meta.get("namespace"), meta["name"]) is not None
        endpoints = (
            _endpoints_text(c, meta.get("namespace"), meta["name"], p.get("name")) if has_slice else "<none>"
        )
        w.write(0, f"Endpoints:\t{endpoints}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', 'None')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    _events(c, svc, w)


def _describe_node(c, node: dict, w: _Writer) -> None:
    meta, spec, st = node["metadata"], node.get("spec") or {}, node.get("status") or {}
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Roles:\t{printers.node_roles(node)}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{_time(meta.get('creationTimestamp'))}\n")
    _taints(w, "Taints", spec.get("taints"))
    w.write(0, f"Unschedulable:\t{str(bool(spec.get('unschedulable'))).lower()}\n")
    # Each kubelet holds a Lease in kube-node-lease and renews it every 10 s; both are computed on read.
    from ..node_heartbeat import condition_heartbeats, lease_renew_time

    beats = condition_heartbeats(c, node)
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{meta['name']}\n")
    w.write(1, "AcquireTime:\t<unset>\n")
    w.write(1, f"RenewTime:\t{_time(lease_renew_time(c, node))}\n")
    if st.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for cd in st["conditions"]:
            w.write(
                1,
                f"{cd['type']} \t{cd['status']} \t{_time(beats.get(cd['type']))} \t"
                f"{_time(cd.get('lastTransitionTime'))} \t{cd.get('reason', '')} \t{cd.get('message', '')}\n",
            )
    w.write(0, "Addresses:\n")
    for a in st.get("addresses") or []:
        w.write(1, f"{a['type']}:\t{a['address']}\n")
    for key, title in (("capacity", "Capacity"), ("allocatable", "Allocatable")):
        if st.get(key):
            w.write(0, f"{title}:\n")
            for name in sorted(st[key]):
                w.write(0, f"  {name}:\t{st[key][name]}\n")
    info = st.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for field, title in (
        ("machineID", "Machine ID"),
        ("systemUUID", "System UUID"),
        ("bootID", "Boot ID"),
        ("kernelVersion", "Kernel Version"),
        ("osImage", "OS Image"),
        ("operatingSystem", "Operating System"),
        ("architecture", "Architecture"),
        ("containerRuntimeVersion", "Container Runtime Version"),
        ("kubeletVersion", "Kubelet Version"),
    ):
        # kubectl 1.37 no longer prints `Kube-Proxy Version` (NodeSystemInfo.kubeProxyVersion is deprecated).
        w.write(0, f"  {title}:\t{info.get(field, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    _node_resources(c, node, w)
    _events(c, node, w)


def _quantity_percent(used: int, total: int) -> int:
    return int(used * 100 / total) if total else 0


def _node_resources(c, node: dict, w: _Writer) -> None:
    """describeNodeResource: non-terminated pods with requests/limits and the node's allocated totals."""
    from ..objects import format_bytes, format_cpu, parse_bytes, parse_cpu

    st = node.get("status") or {}
    alloc = st.get("allocatable") or st.get("capacity") or {}
    cpu_total = parse_cpu(alloc.get("cpu", "0"))
    mem_total = parse_bytes(alloc.get("memory", "0"))
    pods = sorted(
        (
            p
            for p in c.store.pods_on(node["metadata"]["name"])
            if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
        ),
        key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]),
    )
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    totals = [0, 0, 0, 0]
    for p in pods:
        values = [0, 0, 0, 0]
        for ctr in p["spec"].get("containers") or []:
            res = ctr.get("resources") or {}
            req, lim = res.get("requests") or {}, res.get("limits") or {}
            values[0] += parse_cpu(req.get("cpu", lim.get("cpu", 0)))
            values[1] += parse_cpu(lim.get("cpu", 0))
            values[2] += parse_bytes(req.get("memory", lim.get("memory", 0)))
            values[3] += parse_bytes(lim.get("memory", 0))
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        w.write(
            1,
            f"{p['metadata'].get('namespace', '')}\t{p['metadata']['name']}\t\t"
            f"{format_cpu(values[0])} ({_quantity_percent(values[0], cpu_total)}%)\t"
            f"{format_cpu(values[1])} ({_quantity_percent(values[1], cpu_total)}%)\t"
            f"{format_bytes(values[2])} ({_quantity_percent(values[2], mem_total)}%)\t"
            f"{format_bytes(values[3])} ({_quantity_percent(values[3], mem_total)}%)\t"
            f"{printers.age(p, c.clock.now)}\n",
        )
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    w.write(
        1,
        f"cpu\t{format_cpu(totals[0])} ({_quantity_percent(totals[0], cpu_total)}%)\t"
        f"{format_cpu(totals[1])} ({_quantity_percent(totals[1], cpu_total)}%)\n",
    )
    w.write(
        1,
        f"memory\t{format_bytes(totals[2])} ({_quantity_percent(totals[2], mem_total)}%)\t"
        f"{format_bytes(totals[3])} ({_quantity_percent(totals[3], mem_total)}%)\n",
    )
    w.write(1, "ephemeral-storage\t0 (0%)\t0 (0%)\n")


def _owner_line(w: _Writer, meta: dict) -> None:
    owner = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
    if owner:
        w.write(0, f"Controlled By:\t{owner.get('kind')}/{owner.get('name')}\n")


def _describe_job(c, job: dict, w: _Writer) -> None:
    """describeJob: selector, parallelism/completions, times, Pods Statuses, the template."""
    meta, spec, st = job["metadata"], job.get("spec") or {}, job.get("status") or {}
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector')) if spec.get('selector') else ''}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    _owner_line(w, meta)
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{spec['parallelism']}\n")
    completions = spec.get("completions")
    w.write(0, f"Completions:\t{completions if completions is not None else '<unset>'}\n")
    if spec.get("completionMode"):
        w.write(0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(0, f"Suspend:\t{str(spec['suspend']).lower()}\n")
    if spec.get("backoffLimit") is not None:
        w.write(0, f"Backoff Limit:\t{spec['backoffLimit']}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        w.write(0, f"TTL Seconds After Finished:\t{spec['ttlSecondsAfterFinished']}\n")
    if st.get("startTime"):
        w.write(0, f"Start Time:\t{_time(st['startTime'])}\n")
    if st.get("completionTime"):
        w.write(0, f"Completed At:\t{_time(st['completionTime'])}\n")
    if st.get("startTime") and st.get("completionTime"):
        took = parse_stamp(st["completionTime"]) - parse_stamp(st["startTime"])
        w.write(0, f"Duration:\t{human_duration(took)}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    counts = f"{st.get('active', 0)} Active"
    if st.get("ready") is not None:
        counts += f" ({st['ready']} Ready)"
    w.write(
        0, f"Pods Statuses:\t{counts} / {st.get('succeeded', 0)} Succeeded / {st.get('failed', 0)} Failed\n"
    )
    if spec.get("completionMode") == "Indexed":
        w.write(0, f"Completed Indexes:\t{st.get('completedIndexes') or '<none>'}\n")
    pod_template(w, spec.get("template") or {})
    _events(c, job, w)


def _describe_cronjob(c, cj: dict, w: _Writer) -> None:
    """describeCronJob: schedule, policies, history limits, the job template, last schedule, active jobs."""
    meta, spec, st = cj["metadata"], cj.get("spec") or {}, cj.get("status") or {}
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    suspend = spec.get("suspend")
    # printBoolPtr: `True` / `False` / `<unset>`.
    w.write(0, f"Suspend:\t{'<unset>' if suspend is None else str(bool(suspend))}\n")
    w.write(0, f"Time Zone:\t{spec.get('timeZone') or '<unset>'}\n")
    for field, title in (
        ("successfulJobsHistoryLimit", "Successful Job History Limit"),
        ("failedJobsHistoryLimit", "Failed Job History Limit"),
    ):
        value = spec.get(field)
        w.write(0, f"{title}:\t{value if value is not None else '<unset>'}\n")
    deadline = spec.get("startingDeadlineSeconds")
    w.write(0, f"Starting Deadline Seconds:\t{f'{deadline}s' if deadline is not None else '<unset>'}\n")
    template = spec.get("jobTemplate") or {}
    tspec = template.get("spec") or {}
    w.write(0, f"Selector:\t{selector_string(tspec['selector']) if tspec.get('selector') else '<unset>'}\n")
    for field, title in (("parallelism", "Parallelism"), ("completions", "Completions")):
        value = tspec.get(field)
        w.write(0, f"{title}:\t{value if value is not None else '<unset>'}\n")
    if tspec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{tspec['activeDeadlineSeconds']}s\n")
    pod_template(w, tspec.get("template") or {})
    w.write(0, f"Last Schedule Time:\t{_time(st.get('lastScheduleTime'))}\n")
    active = [j.get("name", "") for j in st.get("active") or []]
    w.write(0, f"Active Jobs:\t{', '.join(active) if active else '<none>'}\n")
    _events(c, cj, w)


def _describe_daemonset(c, ds: dict, w: _Writer) -> None:
    """describeDaemonSet: selector, node selector, the five scheduling counters, Pods Status, template."""
    meta, spec, st = ds["metadata"], ds.get("spec") or {}, ds.get("status") or {}
    node_selector = (spec.get("template") or {}).get("spec", {}).get("nodeSelector") or {}
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(
        0, f"Node-Selector:\t{','.join(f'{k}={v}' for k, v in sorted(node_selector.items())) or '<none>'}\n"
    )
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Desired Number of Nodes Scheduled: {st.get('desiredNumberScheduled', 0)}\n")
    w.write(0, f"Current Number of Nodes Scheduled: {st.get('currentNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Up-to-date Pods: {st.get('updatedNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Available Pods: {st.get('numberAvailable', 0)}\n")
    w.write(0, f"Number of Nodes Misscheduled: {st.get('numberMisscheduled', 0)}\n")
    w.write(0, f"Pods Status:\t{_pods_status(c, ds)}\n")
    pod_template(w, spec.get("template") or {})
    _events(c, ds, w)


def _describe_statefulset(c, sts: dict, w: _Writer) -> None:
    """describeStatefulSet: replicas, update strategy, Pods Status, template, volume claim templates."""
    meta, spec, st = sts["metadata"], sts.get("spec") or {}, sts.get("status") or {}
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{_time(meta.get('creationTimestamp'))}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    if spec.get("serviceName"):
        w.write(0, f"Service Name:\t{spec['serviceName']}\n")
    if spec.get("podManagementPolicy"):
        w.write(0, f"Pod Management Policy:\t{spec['podManagementPolicy']}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | {st.get('replicas', 0)} total\n")
    strategy = spec.get("updateStrategy") or {}
    w.write(0, f"Update Strategy:\t{strategy.get('type', 'RollingUpdate')}\n")
    ru = strategy.get("rollingUpdate") or {}
    if ru.get("partition") is not None:
        w.write(1, f"Partition:\t{ru['partition']}\n")
        if ru.get("maxUnavailable") is not None:
            w.write(1, f"MaxUnavailable:\t{ru['maxUnavailable']}\n")
    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    if retention:
        w.write(0, "Persistent Volume Claim Retention Policy:\n")
        w.write(1, f"WhenDeleted:\t{retention.get('whenDeleted', 'Retain')}\n")
        w.write(1, f"WhenScaled:\t{retention.get('whenScaled', 'Retain')}\n")
    w.write(0, f"Pods Status:\t{_pods_status(c, sts)}\n")
    pod_template(w, spec.get("template") or {})
    claims = spec.get("volumeClaimTemplates") or []
    if not claims:
        w.write(0, "Volume Claims:\t<none>\n")
    else:
        w.write(0, "Volume Claims:\n")
        for pvc in claims:
            pmeta, pspec = pvc.get("metadata") or {}, pvc.get("spec") or {}
            w.write(1, f"Name:\t{pmeta.get('name', '')}\n")
            w.write(1, f"StorageClass:\t{pspec.get('storageClassName', '')}\n")
            _labels(w, "Labels", pmeta.get("labels"), initial="  ")
            _labels(w, "Annotations", pmeta.get("annotations"), initial="  ")
            storage = ((pspec.get("resources") or {}).get("requests") or {}).get("storage")
            w.write(1, f"Capacity:\t{storage or '<default>'}\n")
            w.write(1, f"Access Modes:\t[{' '.join(pspec.get('accessModes') or [])}]\n")
    _events(c, sts, w)


def _describe_resourcequota(c, quota: dict, w: _Writer) -> None:
    """DescribeResourceQuota: scopes and a `Resource Used Hard` table (no labels, no events)."""
    meta, spec, st = quota["metadata"], quota.get("spec") or {}, quota.get("status") or {}
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    scopes = sorted(spec.get("scopes") or [])
    if scopes:
        w.write(0, f"Scopes:\t{', '.join(scopes)}\n")
        for scope in scopes:
            if scope in _SCOPE_HELP:
                w.write(0, f" * {_SCOPE_HELP[scope]}\n")
    w.write(0, "Resource\tUsed\tHard\n")
    w.write(0, "--------\t----\t----\n")
    hard, used = st.get("hard") or {}, st.get("used") or {}
    for name in sorted(hard):
        w.write(0, f"{name}\t{used.get(name, '0')}\t{hard[name]}\n")


# helpTextForResourceQuotaScope (kubectl describe.go)
_SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
}


def _backend_text(c, namespace: str, backend: dict) -> str:
    """describeBackendV1: `svc:port (ip:port,…)` from the Service's endpoints, or the lookup error."""
    service = backend.get("service")
    if not service:
        resource = backend.get("resource") or {}
        return f"APIGroup: {resource.get('apiGroup', '<none>')}, Kind: {resource.get('kind')}, Name: {resource.get('name')}"
    port = service.get("port") or {}
    text = f"{service.get('name')}:{port.get('number') if port.get('number') else port.get('name', '')}"
    svc = c.store.get(etcd_key(BY_KIND["Service"], namespace, service.get("name")))
    if svc is None:
        return f'{text} (<error: services "{service.get("name")}" not found>)'
    port_name = ""
    for sp in svc["spec"].get("ports") or []:
        if (port.get("number") and port["number"] == sp.get("port")) or (
            port.get("name") and port["name"] == sp.get("name")
        ):
            port_name = sp.get("name") or ""
    return f"{text} ({_endpoints_text(c, namespace, service.get('name'), port_name)})"


def _describe_ingress(c, ing: dict, w: _Writer) -> None:
    """describeIngressV1: address, class, default backend, TLS, the `Host Path Backends` rules."""
    meta, spec = ing["metadata"], ing.get("spec") or {}
    ns = meta.get("namespace", "")
    w.write(0, f"Name:\t{meta['name']}\n")
    _labels(w, "Labels", meta.get("labels"))
    w.write(0, f"Namespace:\t{ns}\n")
    lb = ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    w.write(0, f"Address:\t{','.join(i.get('ip') or i.get('hostname', '') for i in lb)}\n")
    w.write(0, f"Ingress Class:\t{spec.get('ingressClassName') or '<none>'}\n")
    default = _backend_text(c, ns, spec["defaultBackend"]) if spec.get("defaultBackend") else "<default>"
    w.write(0, f"Default backend:\t{default}\n")
    if spec.get("tls"):
        w.write(0, "TLS:\n")
        for t in spec["tls"]:
            hosts = ",".join(t.get("hosts") or [])
            w.write(
                1,
                f"{t['secretName']} terminates {hosts}\n" if t.get("secretName") else f"SNI routes {hosts}\n",
            )
    w.write(0, "Rules:\n  Host\tPath\tBackends\n")
    w.write(1, "----\t----\t--------\n")
    count = 0
    for rule in spec.get("rules") or []:
        if not rule.get("http"):
            continue
        count += 1
        w.write(1, f"{rule.get('host') or '*'}\t\n")
        for path in rule["http"].get("paths") or []:
            w.write(2, f"\t{path.get('path', '')} \t{_backend_text(c, ns, path.get('backend') or {})}\n")
    if count == 0:
        w.write(1, f"*\t*\t{default}\n")
    _annotations(w, "Annotations", meta.get("annotations"))
    _events(c, ing, w)


def _describe_generic(c, obj: dict, w: _Writer) -> None:
    """Secret, ConfigMap, PVC, PV, HPA and Namespace describers (their own field lists)."""
    from ..runtime import decode_secret_value

    meta, kind = obj["metadata"], obj["kind"]
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    w.write(0, f"Name:\t{meta['name']}\n")
    if kind == "Namespace":
        _labels(w, "Labels", meta.get("labels"))
        _annotations(w, "Annotations", meta.get("annotations"))
        w.write(0, f"Status:\t{st.get('phase', 'Active')}\n")
        namespace_policies(c, meta["name"], w)
        return
    if meta.get("namespace"):
        w.write(0, f"Namespace:\t{meta['namespace']}\n")
    if kind == "PersistentVolumeClaim":
        w.write(0, f"StorageClass:\t{spec.get('storageClassName', '')}\n")
        w.write(0, f"Status:\t{st.get('phase', '')}\n")
        w.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    if kind == "Secret":
        w.write(0, f"\nType:\t{obj.get('type', 'Opaque')}\n\nData\n====\n")
        for key in sorted(obj.get("data") or {}):
            w.write(0, f"{key}:\t{len(decode_secret_value(obj['data'][key]))} bytes\n")
        return
    if kind == "ConfigMap":
        w.write(0, "\nData\n====\n")
        for key in sorted(obj.get("data") or {}):
            w.write(0, f"{key}:\n----\n{obj['data'][key]}\n\n")
        w.write(0, "\nBinaryData\n====\n")
        for key in sorted(obj.get("binaryData") or {}):
            w.write(0, f"{key}: {len(decode_secret_value(obj['binaryData'][key]))} bytes\n")
        w.write(0, "\n")
    elif kind == "PersistentVolumeClaim":
        w.write(0, f"Finalizers:\t[{' '.join(meta.get('finalizers') or [])}]\n")
        w.write(0, f"Capacity:\t{(st.get('capacity') or {}).get('storage', '')}\n")
        w.write(0, f"Access Modes:\t{','.join(_short_modes(st.get('accessModes')))}\n")
        w.write(0, f"VolumeMode:\t{spec.get('volumeMode', 'Filesystem')}\n")
        users = [
            p["metadata"]["name"]
            for p in c.store.list("Pod", meta.get("namespace"))
            if any(
                (v.get("persistentVolumeClaim") or {}).get("claimName") == meta["name"]
                for v in p["spec"].get("volumes") or []
            )
        ]
        w.write(0, f"Used By:\t{users[0] if users else '<none>'}\n")
        for user in users[1:]:
            w.write(0, f"\t{user}\n")
    elif kind == "PersistentVolume":
        claim = spec.get("claimRef")
        w.write(0, f"Finalizers:\t[{' '.join(meta.get('finalizers') or [])}]\n")
        w.write(0, f"StorageClass:\t{spec.get('storageClassName', '')}\n")
        w.write(0, f"Status:\t{st.get('phase', '')}\n")
        w.write(0, f"Claim:\t{claim['namespace'] + '/' + claim['name'] if claim else ''}\n")
        w.write(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
        w.write(0, f"Access Modes:\t{','.join(_short_modes(spec.get('accessModes')))}\n")
        w.write(0, f"VolumeMode:\t{spec.get('volumeMode', 'Filesystem')}\n")
        w.write(0, f"Capacity:\t{(spec.get('capacity') or {}).get('storage', '')}\n")
        w.write(0, "Node Affinity:\t<none>\n")
        w.write(0, "Message:\t\n")
        pv_source(spec, w)
    elif kind == "HorizontalPodAutoscaler":
        ref = spec.get("scaleTargetRef") or {}
        w.write(0, f"CreationTimestamp:\t{_time(meta.get('creationTimestamp'))}\n")
        w.write(0, f"Reference:\t{ref.get('kind')}/{ref.get('name')}\n")
        w.write(0, "Metrics:\t( current / target )\n")
        for metric in spec.get("metrics") or []:
            resource = metric.get("resource") or {}
            goal = (resource.get("target") or {}).get("averageUtilization")
            w.write(1, f"resource {resource.get('name', 'cpu')} on pods")
            w.write(
                1,
                f"(as a percentage of request):\t{_hpa_current(obj)} / {f'{goal}%' if goal is not None else '<auto>'}\n",
            )
        w.write(0, f"Min replicas:\t{spec.get('minReplicas', 1)}\n")
        w.write(0, f"Max replicas:\t{spec.get('maxReplicas')}\n")
        w.write(
            0,
            f"{ref.get('kind')} pods:\t{st.get('currentReplicas', 0)} current / {st.get('desiredReplicas', 0)} desired\n",
        )
        if st.get("conditions"):
            w.write(0, "Conditions:\n")
            w.write(1, "Type\tStatus\tReason\tMessage\n")
            w.write(1, "----\t------\t------\t-------\n")
            for cd in st["conditions"]:
                w.write(1, f"{cd['type']}\t{cd['status']}\t{cd.get('reason', '')}\t{cd.get('message', '')}\n")
    _events(c, obj, w)


def _hpa_current(hpa: dict) -> str:
    for m in (hpa.get("status") or {}).get("currentMetrics") or []:
        cur = (m.get("resource") or {}).get("current") or {}
        if cur.get("averageUtilization") is not None:
            return f"{cur['averageUtilization']}% ({cur.get('averageValue', '0')})"
    return "<unknown>"


def _short_modes(modes) -> list[str]:
    short = {
        "ReadWriteOnce": "RWO",
        "ReadOnlyMany": "ROX",
        "ReadWriteMany": "RWX",
        "ReadWriteOncePod": "RWOP",
    }
    return [short.get(m, m) for m in modes or []]


_DESCRIBERS = {
    "Pod": _describe_pod,
    "Deployment": _describe_deployment,
    "ReplicaSet": _describe_replicaset,
    "Service": _describe_service,
    "Node": _describe_node,
    # Kinds other branches add; their describers are ready for the merge.
    "Job": _describe_job,
    "CronJob": _describe_cronjob,
    "DaemonSet": _describe_daemonset,
    "StatefulSet": _describe_statefulset,
    "ResourceQuota": _describe_resourcequota,
    "Ingress": _describe_ingress,
}


def _preformatted(describer):
    """Adapts a describer that returns its finished text (policy_printers: LimitRange, IngressClass)."""

    def run(c, obj: dict, w: _Writer) -> None:
        w.flush()
        w.blocks.append(describer(c, obj) + "\n")

    return run


def _register_preformatted() -> None:
    from .describe_extra import describe_endpoints, describe_storageclass
    from .policy_printers import describe_policy

    _DESCRIBERS["ReplicationController"] = _describe_replicaset
    _DESCRIBERS["Endpoints"] = describe_endpoints
    _DESCRIBERS["StorageClass"] = describe_storageclass
    _DESCRIBERS["LimitRange"] = _DESCRIBERS["IngressClass"] = _preformatted(describe_policy)


_register_preformatted()


def describe(c, obj: dict, show_events: bool = True) -> str:
    """Returns the describe text of one object (no trailing newline), as kubectl v1.3x prints it; without
    `show_events` there is no Events section at all (describers skip it when events were not fetched)."""
    w = _Writer()
    w.show_events = show_events
    _DESCRIBERS.get(obj["kind"], _describe_generic)(c, obj, w)
    return w.text()
