"""Mermaid text for a saved cluster: its object graph and the trace of its last command.

`export_cluster(state)` returns `{"graph": str, "trace": str}` for a `Cluster.to_dict()` document (None means a
fresh cluster). Both texts are built with mermaid-py's builders (`FlowChart`, `SequenceDiagram`), never with
`mermaid.Mermaid`, which would call a web service; mermaid.js in the browser draws them, and a student can
copy them into Markdown notes.

- **graph** (flowchart): Deployment → ReplicaSet → Pods → Nodes as the controllers own them (개념 2 의
  컨테이너 배포), HorizontalPodAutoscaler → Deployment, Service → its *ready* Pods only (Endpoints, as the
  endpoints controller keeps them), Secret → the Pods that read it, Pod → PersistentVolumeClaim → PersistentVolume,
  and bare `docker run` containers on their machines with nothing owning them (개념 1 의 명령적 관리).
- **trace** (sequence diagram): the last command's path through the control plane, the lesson's 동작 원리:
  user → API Server → etcd → scheduler → kubelet → controllers, each arrow labelled with the engine's Korean
  narration and its step number.

The state document is read directly: `store.objects` holds the objects exactly as the API returns them, so this
module only relies on the Kubernetes object shape plus three engine fields (`runtime.nodes[*].docker`, `trace`,
`config`). Reading it costs no simulation, so the export view stays cheap.

Mermaid safety: object names contain dashes and dots, and a node id such as `end` or `o-x` confuses the parser,
so every node gets a generated id (`pod_3`); labels are escaped with mermaid's entity codes, and
nothing user-typed reaches the text unescaped.
"""

from __future__ import annotations

import re

from course.mermaid_py import load_mermaid
from visualizer.engine.snapshot import is_cluster_addon

MAX_PODS = 120  # A projector can show a classroom cluster (30 pods); beyond that the picture stops helping.
MAX_CONTAINERS = 40
MAX_TRACE = 60

STEP_MARKS = {1: "①", 2: "②", 3: "③", 4: "④", 5: "⑤", 6: "⑥"}
STATUS_KO = {
    "Running": "실행 중",
    "Pending": "대기",
    "Succeeded": "완료",
    "Failed": "실패",
    "Unknown": "알 수 없음",
}


# ---------------------------------------------------------------------------------------------- escaping
ENTITY = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    ";": "#59;",
    "`": "#96;",
    "|": "#124;",
    "{": "#123;",
    "}": "#125;",
    "[": "#91;",
    "]": "#93;",
}
_ENTITY_RE = re.compile("[" + re.escape("".join(ENTITY)) + "]")


def escape_label(text: object) -> str:
    """Returns text safe inside a quoted mermaid label or message (entity codes for the syntax characters)."""
    s = re.sub(r"\s+", " ", str(text)).strip()
    return _ENTITY_RE.sub(lambda m: ENTITY[m.group(0)], s)


def _lines(*parts: object) -> str:
    """Returns escaped parts joined by line breaks (empty parts dropped)."""
    return "<br/>".join(escape_label(p) for p in parts if p not in (None, ""))


class _Ids:
    """Hands out mermaid-safe node ids (`pod_1`, `svc_2`, …) per object key, stable within one export."""

    def __init__(self):
        self.ids: dict[tuple, str] = {}
        self.counts: dict[str, int] = {}

    def get(self, prefix: str, key: tuple) -> str:
        full = (prefix, *key)
        if full not in self.ids:
            self.counts[prefix] = self.counts.get(prefix, 0) + 1
            self.ids[full] = f"{prefix}_{self.counts[prefix]}"
        return self.ids[full]


# ---------------------------------------------------------------------------------------------- reading
def _fresh_state() -> dict:
    from visualizer.engine import Cluster

    return Cluster().to_dict()


def _objects(state: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for obj in (state.get("store") or {}).get("objects") or ():
        if isinstance(obj, dict) and isinstance(obj.get("metadata"), dict):
            if is_cluster_addon(obj):
                continue  # the cluster's add-ons (kube-proxy, CoreDNS), left out as in the snapshot
            out.setdefault(obj.get("kind", ""), []).append(obj)
    return out


def _ns(obj: dict) -> str:
    return obj["metadata"].get("namespace") or ""


def _name(obj: dict) -> str:
    return obj["metadata"].get("name") or "?"


def _controller_uid(obj: dict) -> str | None:
    for owner in obj["metadata"].get("ownerReferences") or ():
        if owner.get("controller"):
            return owner.get("uid")
    return None


def _ready(pod: dict) -> bool:
    for cond in (pod.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


def _pod_status(pod: dict) -> str:
    """Returns the kubectl-like STATUS word (a waiting reason such as ImagePullBackOff wins over the phase)."""
    if pod["metadata"].get("deletionTimestamp"):
        return "Terminating"
    status = pod.get("status") or {}
    for cs in status.get("containerStatuses") or ():
        waiting = (cs.get("state") or {}).get("waiting")
        if waiting and waiting.get("reason"):
            return waiting["reason"]
    return status.get("phase") or "Pending"


def _pod_images(pod: dict) -> str:
    return ", ".join(c.get("image", "?") for c in (pod.get("spec") or {}).get("containers") or ())


def _secret_uses(pod: dict) -> dict[str, str]:
    """Returns {secret name: how it is consumed ('env' or 'volume')} for one pod."""
    uses: dict[str, str] = {}
    spec = pod.get("spec") or {}
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        for env in container.get("env") or ():
            ref = ((env.get("valueFrom") or {}).get("secretKeyRef") or {}).get("name")
            if ref:
                uses.setdefault(ref, "env")
        for src in container.get("envFrom") or ():
            ref = (src.get("secretRef") or {}).get("name")
            if ref:
                uses.setdefault(ref, "env")
    for vol in spec.get("volumes") or ():
        ref = (vol.get("secret") or {}).get("secretName")
        if ref:
            uses.setdefault(ref, "volume")
    return uses


def _claims(pod: dict) -> list[str]:
    return [
        v["persistentVolumeClaim"]["claimName"]
        for v in (pod.get("spec") or {}).get("volumes") or ()
        if (v.get("persistentVolumeClaim") or {}).get("claimName")
    ]


def _selector_matches(selector: dict | None, labels: dict | None) -> bool:
    if not selector:
        return False
    labels = labels or {}
    return all(labels.get(k) == v for k, v in selector.items())


def _service_backends(svc: dict, endpoints: dict | None, pods: list[dict]) -> list[dict]:
    """Returns the pods a Service sends traffic to: its Endpoints' addresses, i.e. only ready pods."""
    same_ns = [p for p in pods if _ns(p) == _ns(svc)]
    if endpoints is not None:
        names = []
        for subset in endpoints.get("subsets") or ():
            for addr in subset.get("addresses") or ():
                target = addr.get("targetRef") or {}
                if target.get("kind", "Pod") == "Pod" and target.get("name"):
                    names.append(target["name"])
                elif addr.get("ip"):
                    names.extend(
                        _name(p) for p in same_ns if (p.get("status") or {}).get("podIP") == addr["ip"]
                    )
        by_name = {_name(p): p for p in same_ns}
        return [by_name[n] for n in dict.fromkeys(names) if n in by_name]
    selector = (svc.get("spec") or {}).get("selector")
    return [p for p in same_ns if _selector_matches(selector, p["metadata"].get("labels")) and _ready(p)]


# ---------------------------------------------------------------------------------------------- graph
def build_graph(state: dict) -> str:
    """Returns the object graph of a cluster state as mermaid flowchart text."""
    mermaid = load_mermaid()  # noqa: F841 - imported for its side effect of a quiet first import
    from mermaid import Style
    from mermaid.flowchart import FlowChart, Link, Node

    styles = {
        "deploy": Style("deploy", fill="#e3f2fd", stroke="#1565c0"),
        "rs": Style("rs", fill="#ede7f6", stroke="#5e35b1"),
        "pod": Style("pod", fill="#e8f5e9", stroke="#2e7d32"),
        "podwait": Style("podwait", fill="#fff8e1", stroke="#f9a825", other="stroke-dasharray:4 3"),
        "machine": Style("machine", fill="#eceff1", stroke="#455a64"),
        "svc": Style("svc", fill="#f3e5f5", stroke="#8e24aa"),
        "secret": Style("secret", fill="#fce4ec", stroke="#ad1457"),
        "storage": Style("storage", fill="#e0f2f1", stroke="#00695c"),
        "docker": Style("docker", fill="#fff3e0", stroke="#e65100", other="stroke-dasharray:6 3"),
        "hpa": Style("hpa", fill="#fffde7", stroke="#f57f17"),
    }
    objs = _objects(state)
    ids = _Ids()
    nodes: list = []
    links: list = []
    node_of: dict[str, object] = {}

    def add(prefix: str, key: tuple, label: str, style: str, shape: str = "round-edge"):
        nid = ids.get(prefix, key)
        if nid not in node_of:
            node = Node(nid, label, shape=shape, styles=[styles[style]])
            node_of[nid] = node
            nodes.append(node)
        return node_of[nid]

    def link(a, b, message: str = "", shape: str = "normal"):
        links.append(Link(a, b, shape=shape, message=escape_label(message)))

    # Machines first, so they sit together at the end of every chain.
    machine: dict[str, object] = {}
    for n in objs.get("Node", []):
        conds = {c.get("type"): c.get("status") for c in (n.get("status") or {}).get("conditions") or ()}
        ready = "Ready" if conds.get("Ready") == "True" else "NotReady"
        if (n.get("spec") or {}).get("unschedulable"):
            ready += ", 배치 금지"
        machine[_name(n)] = add(
            "node", (_name(n),), _lines(f"🖥 {_name(n)}", ready), "machine", shape="normal"
        )

    uid_node: dict[str, object] = {}
    for dep in objs.get("Deployment", []):
        spec, status = dep.get("spec") or {}, dep.get("status") or {}
        label = _lines(
            f"Deployment {_name(dep)}", f"ready {status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}"
        )
        uid_node[dep["metadata"].get("uid", "")] = add(
            "deploy", (_ns(dep), _name(dep)), label, "deploy", shape="stadium-shape"
        )

    pods = objs.get("Pod", [])
    pods_by_owner: dict[str, int] = {}
    for pod in pods:
        owner = _controller_uid(pod)
        if owner:
            pods_by_owner[owner] = pods_by_owner.get(owner, 0) + 1

    for rs in objs.get("ReplicaSet", []):
        uid = rs["metadata"].get("uid", "")
        replicas = (rs.get("spec") or {}).get("replicas", 1)
        # Old ReplicaSets kept for `rollout undo` (0 replicas, no pods) would only clutter the picture.
        if not replicas and not pods_by_owner.get(uid):
            continue
        images = ", ".join(
            c.get("image", "?")
            for c in ((rs.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or ()
        )
        node = add(
            "rs",
            (_ns(rs), _name(rs)),
            _lines(f"ReplicaSet {_name(rs)}", images, f"replicas {replicas}"),
            "rs",
        )
        uid_node[uid] = node
        owner = uid_node.get(_controller_uid(rs) or "")
        if owner is not None:
            link(owner, node, "owns")

    shown_pods: list[dict] = []
    for pod in pods[:MAX_PODS]:
        ready = _ready(pod)
        status = _pod_status(pod)
        label = _lines(f"Pod {_name(pod)}", _pod_images(pod), f"{status}{' · Ready' if ready else ''}")
        node = add("pod", (_ns(pod), _name(pod)), label, "pod" if ready else "podwait")
        uid_node[pod["metadata"].get("uid", "")] = node
        shown_pods.append(pod)
        owner = uid_node.get(_controller_uid(pod) or "")
        if owner is not None:
            link(owner, node, "owns")
        host = (pod.get("spec") or {}).get("nodeName")
        if host in machine:
            link(node, machine[host], "runs on", shape="dotted")
    if len(pods) > MAX_PODS:
        add("more", ("pods",), escape_label(f"… 파드 {len(pods) - MAX_PODS}개 더"), "podwait", shape="normal")

    def pod_node(pod: dict):
        return node_of.get(ids.ids.get(("pod", _ns(pod), _name(pod)), ""))

    for hpa in objs.get("HorizontalPodAutoscaler", []):
        spec, status = hpa.get("spec") or {}, hpa.get("status") or {}
        target = (spec.get("scaleTargetRef") or {}).get("name", "?")
        label = _lines(
            f"HPA {_name(hpa)}",
            f"replicas {status.get('currentReplicas', '?')} ({spec.get('minReplicas', 1)}–"
            f"{spec.get('maxReplicas', '?')})",
        )
        node = add("hpa", (_ns(hpa), _name(hpa)), label, "hpa", shape="hexagon")
        dep_id = ids.ids.get(("deploy", _ns(hpa), target))
        if dep_id:
            link(node, node_of[dep_id], "scales")

    endpoints = {(_ns(e), _name(e)): e for e in objs.get("Endpoints", [])}
    for svc in objs.get("Service", []):
        spec = svc.get("spec") or {}
        if not spec.get("selector"):
            continue  # The built-in `kubernetes` Service points at the API server, not at pods.
        ports = ", ".join(str(p.get("port")) for p in spec.get("ports") or ())
        label = _lines(
            f"Service {_name(svc)}",
            f"{spec.get('type', 'ClusterIP')} {spec.get('clusterIP', '')}",
            f"port {ports}" if ports else "",
        )
        node = add("svc", (_ns(svc), _name(svc)), label, "svc", shape="hexagon")
        for pod in _service_backends(svc, endpoints.get((_ns(svc), _name(svc))), shown_pods):
            target = pod_node(pod)
            if target is not None:
                link(node, target, "traffic", shape="thick")

    secrets_used: dict[tuple, list[tuple[dict, str]]] = {}
    claims_used: dict[tuple, list[dict]] = {}
    for pod in shown_pods:
        for name, how in _secret_uses(pod).items():
            secrets_used.setdefault((_ns(pod), name), []).append((pod, how))
        for claim in _claims(pod):
            claims_used.setdefault((_ns(pod), claim), []).append(pod)
    for secret in objs.get("Secret", []):
        key = (_ns(secret), _name(secret))
        keys = sorted(set(secret.get("data") or {}) | set(secret.get("stringData") or {}))
        node = add(
            "secret",
            key,
            _lines(f"🔐 Secret {_name(secret)}", ", ".join(keys)),
            "secret",
            shape="subroutine-shape",
        )
        for pod, how in secrets_used.get(key, ()):
            link(node, pod_node(pod), how, shape="dotted")

    for pv in objs.get("PersistentVolume", []):
        spec = pv.get("spec") or {}
        label = _lines(
            f"💾 PV {_name(pv)}",
            (spec.get("capacity") or {}).get("storage", ""),
            (pv.get("status") or {}).get("phase", ""),
        )
        add("pv", (_name(pv),), label, "storage", shape="cylindrical")
    for pvc in objs.get("PersistentVolumeClaim", []):
        key = (_ns(pvc), _name(pvc))
        spec = pvc.get("spec") or {}
        label = _lines(
            f"PVC {_name(pvc)}",
            ((spec.get("resources") or {}).get("requests") or {}).get("storage", ""),
            (pvc.get("status") or {}).get("phase", "Pending"),
        )
        node = add("pvc", key, label, "storage")
        for pod in claims_used.get(key, ()):
            link(pod_node(pod), node, "mounts", shape="dotted")
        volume = spec.get("volumeName")
        pv_id = ids.ids.get(("pv", volume)) if volume else None
        if pv_id:
            link(node, node_of[pv_id], "bound")

    # Bare `docker run` containers: on a machine, owned by nothing (개념 1, 명령적 관리).
    shown = 0
    for host, rec in sorted(
        ((state.get("runtime") or {}).get("nodes") or {}).items(),
        key=lambda item: (item[1] or {}).get("index", 0),
    ):
        for container in ((rec or {}).get("docker") or {}).values():
            if shown >= MAX_CONTAINERS:
                break
            shown += 1
            label = _lines(
                f"🐳 docker {container.get('name', '?')}",
                container.get("image", ""),
                container.get("state", ""),
            )
            node = add("docker", (host, container.get("name", "?")), label, "docker", shape="normal")
            if host not in machine:
                machine[host] = add("node", (host,), _lines(f"🖥 {host}"), "machine", shape="normal")
            link(node, machine[host], "docker run", shape="dotted")

    chart = FlowChart("클러스터 객체 그래프", nodes=nodes, links=links, orientation="LR")
    return _sorted_class_defs(chart.script)


def _sorted_class_defs(script: str) -> str:
    """Returns the script with its classDef lines in a fixed order (mermaid-py emits them from a set)."""
    lines = script.split("\n")
    positions = [i for i, line in enumerate(lines) if line.lstrip().startswith("classDef ")]
    ordered = sorted(lines[i] for i in positions)
    for i, line in zip(positions, ordered, strict=True):
        lines[i] = line
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- trace
# Participants of the trace: id, label, the components that speak as them, and the box they sit in (the
# lesson's master–worker picture). The first six are always drawn, so every trace looks like 동작 원리.
PARTICIPANTS = (
    ("apiserver", "API Server", ("apiserver",), "control"),
    ("etcd", "etcd", ("etcd",), "control"),
    ("scheduler", "스케줄러", ("scheduler",), "control"),
    ("controllers", "컨트롤러", ("controller-manager", "hpa", "controller"), "control"),
    ("kubelet", "kubelet", ("kubelet",), "worker"),
    ("kubeproxy", "kube-proxy", ("kube-proxy",), "worker"),
    ("docker", "Docker", ("docker",), "worker"),
)
ALWAYS = ("apiserver", "etcd", "scheduler", "controllers", "kubelet")
BOXES = {"control": "마스터 노드 (Control Plane)", "worker": "워커 노드"}
COMMAND_RE = re.compile(r"`(.+)`")


def _participant_of(component: str) -> str | None:
    comp = (component or "").lower()
    if comp in ("user", "sim"):
        return comp
    for pid, _label, prefixes, _box in PARTICIPANTS:
        if any(comp.startswith(p) for p in prefixes):
            return pid
    return None


def build_trace(state: dict) -> str:
    """Returns the last command's path through the control plane as mermaid sequence-diagram text."""
    load_mermaid()
    from mermaid.sequence import Actor, Box, Link, Note, Participant, SequenceDiagram

    trace = [t for t in state.get("trace") or () if isinstance(t, dict)]

    user = Actor("user")
    user.name = "user as 👩‍💻 사용자"  # mermaid's `actor id as label`; mermaid-py only knows bare names.
    people: dict[str, object] = {"user": user}
    for pid, label, _prefixes, _box in (*PARTICIPANTS, ("sim", "🧪 sim (실습 도구)", (), "")):
        p = Participant(label)
        p.id_ = pid  # Korean labels would all snake-case to "____"; the id must be ASCII and unique.
        p.name = label
        people[pid] = p

    used = set(ALWAYS)
    messages: list = []
    command_target = "apiserver"
    for item in trace[:MAX_TRACE]:
        pid = _participant_of(item.get("component", ""))
        mark = STEP_MARKS.get(item.get("step"), "")
        narration = item.get("ko") or item.get("en") or item.get("reason") or ""
        if pid == "user":
            found = COMMAND_RE.search(item.get("en") or "")
            command = found.group(1) if found else narration
            program = command.split()[0] if command.split() else ""
            # kubectl talks to the API server; docker to the Docker engine on one worker (no control plane).
            command_target = {"docker": "docker", "sim": "sim"}.get(program, "apiserver")
            used.add(command_target)
            messages.append(Link(user, people[command_target], "Solid-arrow", escape_label(f"① {command}")))
            continue
        if pid is None:
            continue
        used.add(pid)
        text = escape_label(f"{mark} {narration}".strip())
        if pid == "etcd":
            source = people["apiserver"]
        elif pid in ("apiserver", "docker", "sim"):
            source = people[pid]  # A component's own step (validation, a container start) is a self-message.
        else:
            # Every other component learns of the change by watching the API server and acts on it.
            source = people["apiserver"]
        messages.append(Link(source, people[pid], "Solid-arrow", text))
    if len(trace) > MAX_TRACE:
        messages.append(Note(escape_label(f"… {len(trace) - MAX_TRACE}단계 더"), people["apiserver"]))
    if not messages:
        messages.append(Note("아직 실행한 명령이 없습니다", people["apiserver"]))

    elements: list = [user]
    for box, title in BOXES.items():
        members = [people[pid] for pid, _l, _p, b in PARTICIPANTS if b == box and pid in used]
        elements.append(Box(title, members))
    if "sim" in used:
        elements.append(people["sim"])
    diagram = SequenceDiagram("마지막 명령의 흐름 (동작 원리)", elements + messages)
    return diagram.script


# ---------------------------------------------------------------------------------------------- entry point
def export_cluster(state: dict | None) -> dict[str, str]:
    """Returns {"graph", "trace"} mermaid text for a `Cluster.to_dict()` document (None: a fresh cluster)."""
    if not state:
        state = _fresh_state()
    return {"graph": build_graph(state), "trace": build_trace(state)}
