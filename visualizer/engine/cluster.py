"""The `Cluster` facade: builds the control plane and workers, runs commands, advances the simulated clock.

Everything that happens flows as in the lesson's 동작 원리: a command reaches the API server (admission,
validation) which stores objects in etcd; every write notifies watchers, which put keys on the work queues of
the controllers, the scheduler and the kubelets; the queues are drained in a fixed order, each component
reading the current state and writing fixes back through the API server (level-triggered reconcile loops).
Time-based work (image pulls, probes, back-offs, heartbeats, the HPA period) is a wake-up on the clock.

Determinism: one seeded `random.Random` owned by the cluster, a counter for timer ties, and no iteration over
unordered sets. `to_dict()` captures everything (RNG state included) so `from_dict()` continues identically.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field
from operator import itemgetter

from .addons import is_cluster_addon
from .apiserver import APIServer
from .clock import Clock
from .controllers.cronjob import CronJobController
from .controllers.daemonset import DaemonSetController
from .controllers.deployment import DeploymentController
from .controllers.endpoints import EndpointsController
from .controllers.garbage_collector import GarbageCollector
from .controllers.hpa import HPAController
from .controllers.job import JobController
from .controllers.job import finished as job_finished
from .controllers.node_lifecycle import NodeLifecycleController
from .controllers.ownership import AdoptionController, queue_for_kind
from .controllers.persistentvolume import PersistentVolumeController
from .controllers.policy import PolicyControllers
from .controllers.replicaset import ReplicaSetController
from .controllers.statefulset import StatefulSetController
from .kube_proxy import KubeProxy
from .kubelet import Kubelet
from .narration import narrate
from .objects import BY_KIND, etcd_key, parse_bytes, parse_cpu, ref
from .runtime import Runtime
from .saving import SaveTracker
from .scheduler import Scheduler
from .store import Store, controller_uid, pod_active, pod_ready

# The most images a cluster's colour order remembers (Cluster.images); later ones get the page's fallback colour.
MAX_IMAGES = 256
# Kinds whose images the cluster runs: a pod's spec, a workload's pod template.
IMAGE_KINDS = frozenset({"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob"})


def images_of(obj: dict) -> list[str]:
    """Returns the container images of a Pod or of a workload's pod template (a CronJob's job template), in
    container order; [] when it has none."""
    spec = obj.get("spec") or {}
    if obj["kind"] == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    if obj["kind"] != "Pod":
        spec = (spec.get("template") or {}).get("spec") or {}
    return [ctr.get("image") for ctr in spec.get("containers") or () if isinstance(ctr.get("image"), str)]


SCHEMA = 1
# Lower layers settle before the controllers above them look: a Deployment sync then sees every ReplicaSet
# status of the current instant at once instead of reacting to each pod separately.
QUEUE_ORDER = (
    "gc",
    "pv",
    "kubelet",
    "docker",
    "scheduler",
    "adoption",
    "replicaset",
    "daemonset",
    "statefulset",
    "job",
    "cronjob",
    "deployment",
    "endpoints",
    "kube-proxy",
    "node-lifecycle",
    "hpa",
    "policy",
)
# Bounded memory whatever a client sends (issue 12 §3). Events: a ring, like kube-apiserver's event store
# bounded by --event-ttl (here by count, which bounds memory even for a flood within the hour). The change log
# behind `diff_since`: a window like the apiserver's watch cache (pkg/storage/cacher); a viewer older than it
# gets None and re-lists (a fresh snapshot), as a watcher gets 410 Gone "too old resource version". It is
# halved when it overflows, so it holds between LOG_MAX/2 and LOG_MAX entries (~100 bytes each).
EVENT_RING = 300
_EVENT_TRIM_AT = 2 * EVENT_RING  # emit trims the ring back to EVENT_RING when it reaches this length
SNAPSHOT_EVENTS = 50
LOG_MAX = 20_000
_NO_STATUS: dict = {}  # read-only default for a pod without status or labels (no empty dict built per write)
_TERMINAL = ("Succeeded", "Failed")
TRACE_MAX = 80  # control-plane trace entries kept for the last command
# Pods' controllers by the etcd resource of the owner key: which work queue reconciles them.
_OWNER_QUEUE = {
    "replicasets": "replicaset",
    "controllers": "replicaset",
    "daemonsets": "daemonset",
    "statefulsets": "statefulset",
    "jobs": "job",
}
_VERSION_OF = itemgetter(0)  # key for bisecting the change log by version
MAX_ADVANCE = 7 * 24 * 3600  # one call may simulate at most a week
K8S_VERSION = "v1.37.1"
SECTION_OF_KIND = {
    "Pod": "pods",
    "Deployment": "deployments",
    "ReplicaSet": "replicasets",
    "Service": "services",
    "Endpoints": "services",
    "Node": "nodes",
    "Secret": "secrets",
    "ConfigMap": "configmaps",
    "PersistentVolume": "pvs",
    "PersistentVolumeClaim": "pvcs",
    "StorageClass": "storageclasses",
    "HorizontalPodAutoscaler": "hpas",
    "Namespace": None,
}


@dataclass
class CommandResult:
    """What `Cluster.run` returns: success, kubectl/docker-like output, events, and a structured error."""

    ok: bool
    output: str
    events: list = field(default_factory=list)
    error: dict | None = None  # {"message", "line", "column"} for YAML errors, {"message"} otherwise

    def to_dict(self) -> dict:
        """Returns a JSON-ready dict of the result."""
        return {"ok": self.ok, "output": self.output, "events": self.events, "error": self.error}


class Cluster:
    """A simulated Kubernetes cluster (control plane + workers) plus a Docker engine on every worker."""

    def __init__(
        self,
        workers: int = 3,
        seed: int = 7,
        *,
        cpu="2",
        memory="4Gi",
        max_pods: int = 2000,
        max_pods_per_request: int = 100,
        _restore: dict | None = None,
    ):
        if _restore is None:
            if not isinstance(workers, int) or not 1 <= workers <= 50:
                raise ValueError("workers must be an integer between 1 and 50")
            if not isinstance(seed, int):
                raise ValueError("seed must be an integer")
            parse_cpu(cpu)
            parse_bytes(memory)
            config = {
                "workers": workers,
                "seed": seed,
                "cpu": str(cpu),
                "memory": str(memory),
                "max_pods": int(max_pods),
                "max_pods_per_request": int(max_pods_per_request),
            }
        else:
            config = dict(_restore["config"])
        # Whole seconds between simulated timestamps and the user's clock, set by the live host before each
        # console command (visualizer/engine/wallclock.py); 0 keeps the engine's own dates (tests).
        self.wall_offset = 0
        # What was last saved, so the next save writes only what changed (saving.py); a new or restored
        # cluster's first save is a whole base.
        self.saving = SaveTracker()
        self._setup(config)
        if _restore is None:
            self._bootstrap()
        else:
            self._load(_restore)

    # ------------------------------------------------------------------------------------------ wiring
    def _setup(self, config: dict) -> None:
        self.config = config
        self.rng = random.Random(config["seed"])
        self.clock = Clock()
        self.store = Store()
        self.runtime = Runtime(self)
        self.api = APIServer(self)
        self.scheduler = Scheduler(self)
        self.kubelet = Kubelet(self)
        self.kube_proxy = KubeProxy(self)
        self.deployments = DeploymentController(self)
        self.replicasets = ReplicaSetController(self)
        self.endpoints = EndpointsController(self)
        self.nodes = NodeLifecycleController(self)
        self.hpa = HPAController(self)
        self.gc = GarbageCollector(self)
        self.pv = PersistentVolumeController(self)
        self.adoption = AdoptionController(self)
        self.daemonsets = DaemonSetController(self)
        self.statefulsets = StatefulSetController(self)
        self.jobs = JobController(self)
        self.cronjobs = CronJobController(self)
        self.policy = PolicyControllers(self)  # namespace, resource-quota and ingress controllers
        self.handlers = {
            "gc": self.gc.sync,
            "deployment": self.deployments.sync,
            "replicaset": self.replicasets.sync,
            "pv": self.pv.sync,
            "scheduler": self.scheduler.sync,
            "kubelet": self.kubelet.sync,
            "docker": self.runtime.docker_sync,
            "endpoints": self.endpoints.sync,
            "kube-proxy": self.kube_proxy.sync,
            "node-lifecycle": self.nodes.sync,
            "hpa": self.hpa.sync,
            "adoption": self.adoption.sync,
            "daemonset": self.daemonsets.sync,
            "statefulset": self.statefulsets.sync,
            "job": self.jobs.sync,
            "cronjob": self.cronjobs.sync,
            "policy": self.policy.sync,
        }
        self.queues: dict[str, dict[str, None]] = {q: {} for q in QUEUE_ORDER}
        # (queue, name) pairs in QUEUE_ORDER for _drain, which scans them after every step (the handler is looked
        # up per step, so a replaced entry of `handlers` takes effect).
        self._pending = [(self.queues[name], name) for name in QUEUE_ORDER]
        self.events: list[dict] = []
        self.event_seq = 0
        self.version = 0
        self.trace: list[dict] = []
        self.encrypt_at_rest = False
        self.hpa_history: dict[str, list] = {}
        self.once: dict[str, float] = {}
        self.docker_host = "worker-1"
        # Every image the cluster ran, in the order it first ran it (note_images): the page colours versions by
        # this index, so every page of a cluster, reloaded or fresh, gives nginx:1.21 the same colour.
        self.images: dict[str, None] = {}
        self._node_ips: dict[str, str] = {}
        self._log: list[tuple[int, str, str]] = []
        self._log_floor = 0
        self._collect: list | None = None
        self._trace: list | None = None
        self._svc_selectors: dict[str, list] = {}  # namespace -> Services with a selector (a pure cache)
        self._svc_links: dict[str, tuple] = {}  # namespace -> service-link env vars (a pure cache, same life)
        self._event_now: float | None = None  # emit's cache of round(now, 3)
        self._event_time = 0.0
        self.store.watchers.append(self._on_change)

    def _bootstrap(self) -> None:
        c = self.config
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.api.create(
                {
                    "apiVersion": "v1",
                    "kind": "Namespace",
                    "metadata": {"name": ns},
                    "spec": {"finalizers": ["kubernetes"]},
                    "status": {"phase": "Active"},
                },
                "apiserver",
            )
        names = ["control-plane"] + [f"worker-{i}" for i in range(1, c["workers"] + 1)]
        for i, name in enumerate(names):
            self.runtime.add_node(name, i)
            self.api.create(self._node_object(name, i), f"kubelet/{name}")
            if i == 0:
                self._bootstrap_coredns(name)
        self.docker_host = names[1]
        self.api.create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {
                    "name": "kubernetes",
                    "namespace": "default",
                    "labels": {"component": "apiserver", "provider": "kubernetes"},
                },
                "spec": {
                    "type": "ClusterIP",
                    "clusterIP": "10.96.0.1",
                    "sessionAffinity": "None",
                    "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
                },
            },
            "apiserver",
        )
        self.api.create(
            {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {
                    "name": "kubernetes",
                    "namespace": "default",
                    "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"},
                },
                "subsets": [
                    {
                        "addresses": [{"ip": self.node_ip("control-plane")}],
                        "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
                    }
                ],
            },
            "apiserver",
        )
        self.api.create(
            {
                "apiVersion": "storage.k8s.io/v1",
                "kind": "StorageClass",
                "metadata": {
                    "name": "standard",
                    "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
                },
                "provisioner": "k8s.io/minikube-hostpath",
                "reclaimPolicy": "Delete",
                "volumeBindingMode": "Immediate",
            },
            "apiserver",
        )
        self.clock.wake("node-lifecycle", "monitor", 5.0)
        self._drain()
        self._bootstrap_kube_proxy(names)
        self.events = []
        self.trace = []

    def _bootstrap_coredns(self, control_plane: str) -> None:
        """Installs CoreDNS as `kubeadm init` does, before any worker joins: so both `coredns` pods run on the
        control plane (they tolerate its taint), as on a fresh kubeadm or kind cluster, and take no worker
        capacity. kubeadm pre-pulls the image; the pods are handed over Running with the kube-proxy pods.
        """
        from .coredns_addon import COREDNS_IMAGE, coredns_objects
        from .registry import parse_image

        self.runtime.node(control_plane)["images"][parse_image(COREDNS_IMAGE).full] = True
        for obj in coredns_objects():
            self.api.create(obj, "kubeadm")
        self._drain()

    def _bootstrap_kube_proxy(self, nodes: list[str]) -> None:
        """Runs kube-proxy as kubeadm does: a DaemonSet `kube-proxy` in kube-system, one pod per node.

        kubeadm pre-pulls the image, so the pods start as soon as their sandboxes exist; the cluster is
        handed over with them Running (at time 0, their events cleared like the rest of the bootstrap).
        """
        from .kube_proxy_daemonset import kube_proxy_daemonset

        ds = kube_proxy_daemonset(K8S_VERSION)
        image = ds["spec"]["template"]["spec"]["containers"][0]["image"]
        for name in nodes:
            self.runtime.node(name)["images"][image] = True
        self.api.create(ds, "kubeadm")
        self._drain()
        for name in nodes:
            for sb in self.runtime.node(name)["sandboxes"].values():
                sb["readyAt"] = 0.0
            for pod in self.store.pods_on(name):
                self.enqueue(
                    "kubelet", etcd_key(BY_KIND["Pod"], pod["metadata"]["namespace"], pod["metadata"]["name"])
                )
        self._drain()

    def _node_object(self, name: str, index: int) -> dict:
        cp = name == "control-plane"
        cpu = "2" if cp else self.config["cpu"]
        memory = "2Gi" if cp else self.config["memory"]
        labels = {"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
        if cp:
            labels["node-role.kubernetes.io/control-plane"] = ""
        spec = {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"]}
        if cp:
            spec["taints"] = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
        res = {"cpu": cpu, "memory": memory, "pods": "110", "ephemeral-storage": "20Gi"}
        conds = [
            (
                "MemoryPressure",
                "False",
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
            ),
            ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ]
        from .clock import stamp

        ts = stamp(self.clock.now)
        return {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": name, "labels": labels},
            "spec": spec,
            "status": {
                "capacity": dict(res),
                "allocatable": dict(res),
                "conditions": [
                    {
                        "type": t,
                        "status": s,
                        "reason": r,
                        "message": m,
                        "lastHeartbeatTime": ts,
                        "lastTransitionTime": ts,
                    }
                    for t, s, r, m in conds
                ],
                "addresses": [
                    {"type": "InternalIP", "address": self.node_ip(name)},
                    {"type": "Hostname", "address": name},
                ],
                # Every NodeSystemInfo field is required (core/v1 types.go has no omitempty on them; typed
                # clients refuse a node without machineID, systemUUID or bootID). Drawn from the node's name,
                # not the cluster's random stream, so adding them changed no other seeded value.
                "nodeInfo": {
                    "machineID": _node_hex(name, "machine")[:32],
                    "systemUUID": _uuid(_node_hex(name, "system")),
                    "bootID": _uuid(_node_hex(name, "boot")),
                    "kubeletVersion": K8S_VERSION,
                    "kubeProxyVersion": K8S_VERSION,
                    "containerRuntimeVersion": "containerd://1.7.24",
                    "osImage": "Ubuntu 22.04.5 LTS",
                    "kernelVersion": "5.15.0-126-generic",
                    "architecture": "amd64",
                    "operatingSystem": "linux",
                },
            },
        }

    def node_ip(self, name: str) -> str:
        """Returns a node's InternalIP (192.168.49.2 for the control plane, .3, .4, … for workers)."""
        ip = self._node_ips.get(name)
        if ip is None:
            rn = self.runtime.node(name)
            ip = f"192.168.49.{2 + (rn['index'] if rn else 0)}"
            if rn:
                self._node_ips[name] = ip
        return ip

    # ------------------------------------------------------------------------------------------ events
    def emit(
        self,
        etype: str,
        reason: str,
        obj: str,
        component: str,
        message: str,
        ko: str,
        en: str,
        step: int | None,
        namespace: str = "default",
        quiet: bool = False,
    ) -> dict:
        """Records an event (quiet ones are narration only and do not show in `kubectl get events`)."""
        seq = self.event_seq = self.event_seq + 1
        now = self.clock.now
        if now != self._event_now:
            # Many events share an instant; round() is slow enough to be worth doing once per instant.
            self._event_now, self._event_time = now, round(now, 3)
        ev = {
            "seq": seq,
            "time": self._event_time,
            "type": etype,
            "reason": reason,
            "object": obj,
            "namespace": namespace,
            "component": component,
            "message": message,
            "ko": ko,
            "en": en,
            "step": step,
            "synthetic": quiet,
        }
        ring = self._events
        ring.append(ev)
        if len(ring) >= _EVENT_TRIM_AT:
            # Trimmed in batches (the `events` property trims on read): one `del` of the oldest events per
            # EVENT_RING emissions instead of shifting the whole ring on every one.
            del ring[: len(ring) - EVENT_RING]
        collect = self._collect
        if collect is not None:
            collect.append(ev)
        trace = self._trace
        if trace is not None and len(trace) < TRACE_MAX:
            trace.append(
                {"step": step, "component": component, "reason": reason, "object": obj, "ko": ko, "en": en}
            )
        # touch("events", seq), inlined
        version = self.version = self.version + 1
        log = self._log
        log.append((version, "events", f"{seq}"))
        if len(log) > LOG_MAX:
            self._trim_log()
        return ev

    @property
    def events(self) -> list[dict]:
        """Returns the ring of the last EVENT_RING (300) emitted events, oldest first (shared: do not mutate)."""
        ring = self._events
        if len(ring) > EVENT_RING:
            del ring[: len(ring) - EVENT_RING]
        return ring

    @events.setter
    def events(self, value: list[dict]) -> None:
        self._events = value

    def emit_once(self, key: str, *args, **kwargs) -> None:
        """Emits an event unless the same key was emitted in the last 60 s (kubelet retry noise)."""
        last = self.once.get(key)
        if last is not None and self.clock.now - last < 60:
            return
        if len(self.once) > 2000:
            self.once.clear()
        self.once[key] = self.clock.now
        self.emit(*args, **kwargs)

    def emit_request(self, verb: str, obj: dict, deleted: bool = False) -> None:
        """Emits the step-1 (API server) and step-2 (etcd) events of a user request."""
        r = ref(obj)
        ns = obj["metadata"].get("namespace", "")
        step, ko, en = narrate("request", verb=verb, obj=r)
        self.emit("Normal", "Accepted", r, "apiserver", f"{verb} {r}", ko, en, step, namespace=ns, quiet=True)
        if deleted:
            step, ko, en = narrate("deleted", obj=r)
        else:
            step, ko, en = narrate("stored", obj=r, rv=obj["metadata"]["resourceVersion"])
        self.emit(
            "Normal",
            "Stored",
            r,
            "etcd",
            f"{'deleted' if deleted else 'wrote'} {etcd_key(BY_KIND[obj['kind']], ns or None, obj['metadata']['name'])}",
            ko,
            en,
            step,
            namespace=ns,
            quiet=True,
        )

    # ------------------------------------------------------------------------------------------ images
    def note_images(self, images) -> None:
        """Records images (str) the cluster runs for the first time, in order, up to MAX_IMAGES; each new one
        touches ("images", index) so snapshots and diffs carry the list (`images`). Idempotent."""
        known = self.images
        for image in images:
            if image not in known and len(known) < MAX_IMAGES:
                known[image] = None
                self.touch("images", str(len(known) - 1))

    # ------------------------------------------------------------------------------------------ versions
    def touch(self, section: str, ident: str) -> None:
        """Marks one snapshot item as changed: bumps `version` and logs it for `diff_since`."""
        # One list (bisected by its first field) rather than a parallel list of versions: one append per touch.
        self.version += 1
        log = self._log
        log.append((self.version, section, ident))
        if len(log) > LOG_MAX:
            self._trim_log()

    def _trim_log(self) -> None:
        """Drops the older half of the change log (diff_since then answers None before the new floor)."""
        log = self._log
        cut = len(log) // 2
        self._log_floor = log[cut - 1][0]
        del log[:cut]

    def changes_since(self, version: int) -> list[tuple[int, str, str]] | None:
        """Returns the (version, section, id) log after `version`, or None if it is no longer kept."""
        if version < self._log_floor or version > self.version:
            return None
        i = bisect.bisect_right(self._log, version, key=_VERSION_OF)
        return self._log[i:]

    # ------------------------------------------------------------------------------------------ watch fan-out
    def enqueue(self, queue: str, key: str) -> None:
        """Puts a key on a component's work queue (deduplicated)."""
        self.queues[queue][key] = None

    def _on_change(self, etype: str, key: str, old: dict | None, new: dict | None) -> None:
        obj = new if new is not None else old
        kind = obj["kind"]
        section = SECTION_OF_KIND.get(kind)
        # touch(section, nsname) then touch("etcd", key), inlined: this runs on every write.
        log = self._log
        if section:
            self.version += 1
            meta = obj["metadata"]  # nsname(obj), inlined
            ns = meta.get("namespace")
            log.append((self.version, section, f"{ns}/{meta['name']}" if ns else meta["name"]))
            if len(log) > LOG_MAX:
                self._trim_log()
        self.version += 1
        log.append((self.version, "etcd", key))
        if len(log) > LOG_MAX:
            self._trim_log()
        status_write = self.store.status_write
        if status_write is not None:
            # A pod write that changed nothing but status (the kubelet's): none of the checks below but the
            # pod's can apply (not a deletion, a pod's images never change).
            self._pod_status_changed(key, old, new, status_write)
            return
        if etype == "DELETED":
            if self.store.by_owner.get(obj["metadata"].get("uid")):
                self.enqueue("gc", obj["metadata"]["uid"])
            owner = controller_uid(obj)
            if owner and owner in self.store.by_uid:
                # An owner deleted in the foreground waits for this dependent (garbage collector).
                self.enqueue("gc", "fg:" + owner)
        if new is not None and kind in IMAGE_KINDS and (old is None or kind != "Pod"):
            # A pod's images never change after its creation; a workload's template may (kubectl set image).
            images = images_of(new)
            known = self.images
            if any(i not in known for i in images) and not is_cluster_addon(new):
                self.note_images(images)
        if kind == "Pod":
            self._pod_changed(key, old, new)
        elif kind == "ReplicaSet":
            self.enqueue("replicaset", key)
            if etype == "ADDED":
                self.adoption.enqueue_orphans_for(new)
            owner = controller_uid(obj)
            okey = self.store.by_uid_key(owner) if owner else None
            if okey:
                self.enqueue("deployment", okey)
        elif kind == "Deployment":
            self.enqueue("deployment", key)
        elif kind in ("DaemonSet", "StatefulSet", "ReplicationController", "Job", "CronJob"):
            self._workload_changed(etype, kind, key, obj, new)
        elif kind == "Service":
            self._svc_selectors.clear()
            self._svc_links.clear()
            self.enqueue("endpoints", key)
            self.enqueue("kube-proxy", key)
        elif kind == "Endpoints":
            self.enqueue(
                "kube-proxy",
                etcd_key(BY_KIND["Service"], obj["metadata"]["namespace"], obj["metadata"]["name"]),
            )
        elif kind == "Node":
            self.enqueue("node-lifecycle", obj["metadata"]["name"])
            for ds_key in self.store.by_kind["DaemonSet"]:
                self.enqueue("daemonset", ds_key)
            self.touch("nodes", obj["metadata"]["name"])
            self._retry_unscheduled()
        elif kind == "HorizontalPodAutoscaler":
            if etype == "ADDED":
                self.enqueue("hpa", key)
        elif kind in ("Secret", "ConfigMap"):
            self._wake_pods_of_namespace(obj["metadata"]["namespace"])
        elif kind == "PersistentVolumeClaim":
            if etype == "DELETED":
                self.enqueue("pv", "volumes")
            else:
                self.enqueue("pv", "claim:" + key)
            if new is not None and (new.get("status") or {}).get("phase") == "Bound":
                self._retry_unscheduled()
                self._wake_pods_of_namespace(obj["metadata"]["namespace"])
        elif kind in ("PersistentVolume", "StorageClass"):
            self.enqueue("pv", "volumes")

    def _workload_changed(self, etype: str, kind: str, key: str, obj: dict, new: dict | None) -> None:
        """Queues the controller of a DaemonSet, StatefulSet, ReplicationController, Job or CronJob write."""
        self.enqueue(queue_for_kind(kind), key)
        if etype == "ADDED" and kind in ("DaemonSet", "StatefulSet", "ReplicationController"):
            self.adoption.enqueue_orphans_for(new)
        if kind == "Job":
            owner = controller_uid(obj)
            okey = self.store.by_uid_key(owner) if owner else None
            if okey and okey.startswith("/registry/cronjobs/"):
                self.enqueue("cronjob", okey)

    def _pod_changed(self, key: str, old: dict | None, new: dict | None) -> None:
        # The busiest watcher (every kubelet status write lands here), so each pod property is read once and
        # the checks below are plain comparisons; the order of enqueue/touch calls is part of the behaviour.
        obj = new if new is not None else old
        meta = obj["metadata"]
        owner = controller_uid(obj)
        old_meta = old["metadata"] if old is not None else None
        new_meta = new["metadata"] if new is not None else None
        ready_old = ready_new = False
        if old is not None and new is not None:
            ready_old, ready_new = pod_ready(old), pod_ready(new)
        # A write that leaves the pod's (active, ready) state alone cannot change its ReplicaSet's status.
        relevant = (
            old is None
            or new is None
            or pod_active(old) != pod_active(new)
            or ready_old != ready_new
            or old_meta.get("ownerReferences") is not new_meta.get("ownerReferences")
        )
        labels_changed = (
            old_meta is not None
            and new_meta is not None
            and old_meta.get("labels") is not new_meta.get("labels")
            and (old_meta.get("labels") or {}) != (new_meta.get("labels") or {})
        )
        # enqueue(queue, key) is inlined below as queues[queue][key] = None: this runs on every pod write.
        queues = self.queues
        if (
            new is not None
            and not new_meta.get("deletionTimestamp")
            and (labels_changed or (old is None and not owner))
        ):
            # A bare pod or a relabelled one may be adopted or released by a controller's selector.
            queues["adoption"][key] = None
        if owner and (relevant or labels_changed):
            okey = self.store.by_uid.get(owner)
            queue = _OWNER_QUEUE.get(okey.split("/", 3)[2]) if okey else None
            if queue:
                queues[queue][okey] = None
            if queue == "replicaset" and new is None:
                # The Deployment controller watches pod deletions too (Recreate waits for old pods).
                rs = self.store.get(okey)
                dep = controller_uid(rs) if rs else None
                dkey = self.store.by_uid_key(dep) if dep else None
                if dkey:
                    queues["deployment"][dkey] = None
        node_new = new["spec"].get("nodeName") if new is not None else None
        node_old = old["spec"].get("nodeName") if old is not None else None
        deleting_new = new_meta.get("deletionTimestamp") if new_meta is not None else None
        if new is not None and not node_new and not deleting_new:
            queues["scheduler"][key] = None
        if node_new and (
            node_new != node_old
            or (old is not None and old["spec"] is not new["spec"])
            or deleting_new != (old_meta.get("deletionTimestamp") if old_meta is not None else None)
        ):
            queues["kubelet"][key] = None
        if new is None and node_old:
            queues["kubelet"][key] = None
        if node_new is not None and node_old is not None and node_new != node_old:
            for n in {node_new, node_old}:
                self.touch("nodes", n)
        elif node_new is not None or node_old is not None:
            # touch("nodes", node), inlined: the common case of every pod write
            self.version += 1
            log = self._log
            log.append((self.version, "nodes", node_new if node_new is not None else node_old))
            if len(log) > LOG_MAX:
                self._trim_log()
        if self.store.by_kind["Service"] and _endpoints_may_change(old, new, ready_old, ready_new):
            ns = meta["namespace"]
            old_labels = (old_meta.get("labels") if old_meta is not None else None) or {}
            new_labels = (new_meta.get("labels") if new_meta is not None else None) or {}
            same = old_labels is new_labels
            # A pod that is in no Endpoints list before nor after the write (no IP yet, finished, or
            # terminating) changes no list: a Service whose Endpoints are still the ones its last pass left
            # would get a pass that writes nothing (EndpointsController.settled says when that holds).
            listed = _listed(old) or _listed(new)
            endpoints = queues["endpoints"]
            for svc_key, sel in self._service_selectors(ns):
                for k, v in sel:
                    if old_labels.get(k) != v:
                        break
                else:
                    if listed or not self.endpoints.settled(svc_key):
                        endpoints[svc_key] = None
                    continue
                if same:
                    continue
                for k, v in sel:
                    if new_labels.get(k) != v:
                        break
                else:
                    if listed or not self.endpoints.settled(svc_key):
                        endpoints[svc_key] = None
        if new is None or (
            node_old
            and new.get("status", {}).get("phase") in ("Succeeded", "Failed")
            and old.get("status", {}).get("phase") != new["status"]["phase"]
        ):
            self._retry_unscheduled()

    def _pod_status_changed(
        self, key: str, old: dict, new: dict, write: tuple[bool, bool, str | None]
    ) -> None:
        """`_pod_changed` for a write that changed nothing but the pod's status (Store.status_write): the same
        spec object, labels and owners, the same deletionTimestamp, so no adoption, kubelet or node-move check
        can fire, and the readiness pair and the owner come from the store. Same queue insertions and log
        entries, in the same order, as `_pod_changed` makes for such a write."""
        ready_old, ready_new, owner = write
        meta = new["metadata"]
        spec = new["spec"]
        status_old = old.get("status") or _NO_STATUS
        status_new = new.get("status") or _NO_STATUS
        phase_old = status_old.get("phase")
        phase_new = status_new.get("phase")
        deleting = meta.get("deletionTimestamp")
        queues = self.queues
        # relevant: (active, ready) changed; active differs only through the phase (deletionTimestamp is kept)
        if owner and (
            ready_old != ready_new or (not deleting and (phase_old in _TERMINAL) != (phase_new in _TERMINAL))
        ):
            okey = self.store.by_uid.get(owner)
            queue = _OWNER_QUEUE.get(okey.split("/", 3)[2]) if okey else None
            if queue:
                queues[queue][okey] = None
        node = spec.get("nodeName")
        if not node and not deleting:
            queues["scheduler"][key] = None
        if node is not None:
            # touch("nodes", node), inlined
            self.version += 1
            log = self._log
            log.append((self.version, "nodes", node))
            if len(log) > LOG_MAX:
                self._trim_log()
        if self.store.by_kind["Service"] and (
            ready_old != ready_new
            or status_old.get("podIP") != status_new.get("podIP")
            or phase_old != phase_new
        ):
            # _endpoints_may_change with the same labels; the labels are the same object before and after,
            # so one pass over the selectors answers for both versions.
            labels = meta.get("labels") or _NO_STATUS
            # _listed(old) or _listed(new), inlined: both versions have the same deletionTimestamp
            listed = not deleting and (
                (bool(status_old.get("podIP")) and phase_old not in _TERMINAL)
                or (bool(status_new.get("podIP")) and phase_new not in _TERMINAL)
            )
            endpoints = self.queues["endpoints"]
            for svc_key, sel in self._service_selectors(meta["namespace"]):
                for k, v in sel:
                    if labels.get(k) != v:
                        break
                else:
                    if listed or not self.endpoints.settled(svc_key):
                        endpoints[svc_key] = None
        if node and phase_new in _TERMINAL and phase_old != phase_new:
            self._retry_unscheduled()

    def _service_selectors(self, namespace: str) -> list[tuple[str, tuple]]:
        """Returns (Service key, selector items) for the Services of a namespace that have a selector, in the
        order `store.list` gives (cached: every pod write asks, Services change rarely)."""
        cached = self._svc_selectors.get(namespace)
        if cached is None:
            cached = [
                (
                    etcd_key(BY_KIND["Service"], namespace, svc["metadata"]["name"]),
                    tuple(svc["spec"]["selector"].items()),
                )
                for svc in self.store.list("Service", namespace)
                if svc["spec"].get("selector")
            ]
            self._svc_selectors[namespace] = cached
        return cached

    def service_links(self, namespace: str) -> tuple[tuple[str, str], ...]:
        """Returns the (name, value) environment variables of the Docker-style links to the namespace's Services
        (`<NAME>_SERVICE_HOST`, `<NAME>_PORT_80_TCP`, …) in the order the kubelet sets them: Services in
        `store.list` order, skipping `kubernetes`, headless ones and ones without ports [S kubelet
        pkg/kubelet/envvars/envvars.go FromServices].

        Cached per namespace like `_service_selectors`, and dropped at the same moments (any Service write, a
        rollback): every container start asks, Services change rarely."""
        cached = self._svc_links.get(namespace)
        if cached is None:
            links: list[tuple[str, str]] = []
            for svc in self.store.list("Service", namespace):
                if svc["metadata"]["name"] == "kubernetes" or svc["spec"].get("clusterIP") in (None, "None"):
                    continue
                ports = svc["spec"].get("ports") or []
                if not ports:
                    continue
                prefix = svc["metadata"]["name"].upper().replace("-", "_")
                ip, port = svc["spec"]["clusterIP"], ports[0]["port"]
                proto = ports[0].get("protocol", "TCP").lower()
                links.append((f"{prefix}_SERVICE_HOST", ip))
                links.append((f"{prefix}_SERVICE_PORT", str(port)))
                links.append((f"{prefix}_PORT", f"{proto}://{ip}:{port}"))
                links.append((f"{prefix}_PORT_{port}_{proto.upper()}", f"{proto}://{ip}:{port}"))
                links.append((f"{prefix}_PORT_{port}_{proto.upper()}_ADDR", ip))
            cached = self._svc_links[namespace] = tuple(links)
        return cached

    def _retry_unscheduled(self) -> None:
        for key in self.store.unscheduled:
            self.enqueue("scheduler", key)

    def _wake_pods_of_namespace(self, namespace: str) -> None:
        for pod in self.store.list("Pod", namespace):
            if pod["spec"].get("nodeName") and not pod_ready(pod):
                self.enqueue("kubelet", etcd_key(BY_KIND["Pod"], namespace, pod["metadata"]["name"]))

    # ------------------------------------------------------------------------------------------ running
    def _drain(self) -> None:
        """Runs the work queues until every component has settled."""
        pending = self._pending
        handlers = self.handlers
        steps = 0
        while True:
            for entry in pending:
                if entry[0]:
                    break
            else:
                return
            q, name = entry
            key = next(iter(q))
            del q[key]
            handlers[name](key)
            steps += 1
            if steps > 5_000_000:
                raise RuntimeError("the reconcile loops did not settle")

    @property
    def now(self) -> float:
        """Returns the simulated time in seconds since the cluster was created."""
        return self.clock.now

    def advance(self, seconds: float = 1.0) -> list[dict]:
        """Advances simulated time by `seconds`, running everything that falls due; returns the events."""
        if (
            not isinstance(seconds, (int, float))
            or isinstance(seconds, bool)
            or not math.isfinite(seconds)
            or seconds < 0
            or seconds > MAX_ADVANCE
        ):
            raise ValueError(f"seconds must be a finite number between 0 and {MAX_ADVANCE:,}")
        # Rounded to the microsecond: 2,400 steps of 0.1 s must land on 240.0, not 239.99999999999, or a timer
        # due at 240.0 would fire after a command issued "at" 240 rather than before it.
        target = round(self.clock.now + seconds, 6)
        collected: list[dict] = []
        if not any(self.queues.values()):
            due = self.clock.next_time()
            if due is None or due > target:
                self.clock.now = target  # nothing falls due: only the clock moves
                return collected
        self._collect = collected
        try:
            self._drain()
            while True:
                fired = self.clock.pop_due(target)
                if fired is None:
                    break
                for queue, key in fired:
                    self.enqueue(queue, key)
                self._drain()
            self.clock.now = target
        finally:
            self._collect = None
        return collected

    def run(self, command: str, stdin: str | None = None) -> CommandResult:
        """Runs one console command (kubectl …, docker …, sim …); never raises on bad input."""
        from .commands import dispatch

        # Namespaces an earlier document of this command creates (kubectl sends a file's objects in order).
        self.api.batch_namespaces = set()
        return dispatch(self, command, stdin)

    # ------------------------------------------------------------------------------------------ persistence
    def to_dict(self, *, copy: bool = True) -> dict:
        """Returns the complete state as JSON-ready data (RNG state included).

        `copy=False` shares the live objects instead of copying them: only for encoding at once, before the
        cluster changes again (a base save, saving.py: the copies were ~45 % of its CPU on the classroom demo).
        """
        from .objects import clone

        cp = clone if copy else _shared
        state = self.rng.getstate()
        return {
            "schema": SCHEMA,
            "config": dict(self.config),
            "rng": [state[0], list(state[1]), state[2]],
            "clock": self.clock.to_dict(),
            "store": self.store.to_dict(copy=copy),
            "runtime": self.runtime.to_dict(copy=copy),
            "proxy": {"counts": cp(self.kube_proxy.counts), "rules": dict(self.kube_proxy.rules)},
            "events": cp(self.events),
            "event_seq": self.event_seq,
            "version": self.version,
            "trace": cp(self.trace),
            "encrypt_at_rest": self.encrypt_at_rest,
            "hpa_history": cp(self.hpa_history),
            "once": dict(self.once),
            "docker_host": self.docker_host,
            "images": list(self.images),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Cluster:
        """Returns a cluster restored from `to_dict` output; it continues exactly as the original would."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ValueError("not a cluster state of a supported schema")
        try:
            return cls(_restore=data)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise ValueError(f"damaged cluster state ({type(exc).__name__}: {exc})") from None

    def _load(self, data: dict) -> None:
        from .objects import clone

        rng = data["rng"]
        self.rng.setstate((rng[0], tuple(rng[1]), rng[2]))
        self.clock = Clock.from_dict(data["clock"])
        self.store.load(data["store"])
        self.runtime.load(data["runtime"])
        self.kube_proxy.counts = clone(data["proxy"]["counts"])
        self.kube_proxy.rules = dict(data["proxy"]["rules"])
        self.events = clone(data["events"])
        self.event_seq = data["event_seq"]
        self.version = data["version"]
        self._log_floor = self.version
        self.trace = clone(data["trace"])
        self.encrypt_at_rest = data["encrypt_at_rest"]
        self.hpa_history = clone(data["hpa_history"])
        self.once = dict(data["once"])
        self.docker_host = data["docker_host"]
        if "images" in data:
            self.images = dict.fromkeys(data["images"])
        else:  # saved before the list existed: the images of the stored objects, in creation order
            self.images = {}
            for obj in self.store.objects.values():
                if obj["kind"] in IMAGE_KINDS and not is_cluster_addon(obj):
                    for image in images_of(obj):
                        if len(self.images) < MAX_IMAGES:
                            self.images.setdefault(image, None)

    # ------------------------------------------------------------------------------------------ helpers
    def pod_cpu_usage(self, pod: dict) -> float:
        """Returns the simulated CPU usage of a running pod in millicores (`sim load` demand, shared evenly)."""
        owner = controller_uid(pod)
        rs_key = self.store.by_uid_key(owner) if owner else None
        rs = self.store.get(rs_key) if rs_key else None
        dep_uid = controller_uid(rs) if rs else None
        dep_key = self.store.by_uid_key(dep_uid) if dep_uid else None
        if dep_key is None or pod.get("status", {}).get("phase") != "Running":
            return 1.0
        dep = self.store.get(dep_key)
        pods = self.store.pods_matching(
            pod["metadata"]["namespace"], (dep["spec"].get("selector") or {}).get("matchLabels") or {}
        )
        return self.hpa.usage(dep_key, pods).get(pod["metadata"]["name"], 1.0)

    def desired_pods(self) -> dict[tuple, int]:
        """Returns the pods each top-level workload asks for: Deployments, stand-alone ReplicaSets, bare pods."""
        out: dict[tuple, int] = {}
        for kind in ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"):
            for o in self.store.list(kind):
                if kind == "ReplicaSet" and controller_uid(o):
                    continue
                out[(kind, o["metadata"]["namespace"], o["metadata"]["name"])] = o["spec"].get("replicas", 1)
        for o in self.store.list("Job"):
            if not job_finished(o):
                out[("Job", o["metadata"]["namespace"], o["metadata"]["name"])] = o["spec"].get(
                    "parallelism", 1
                )
        nodes = len(self.store.by_kind["Node"])
        for o in self.store.list("DaemonSet"):
            if o["metadata"]["namespace"] != "kube-system":  # the cluster's own kube-proxy is not the user's
                out[("DaemonSet", o["metadata"]["namespace"], o["metadata"]["name"])] = nodes
        for p in self.store.list("Pod"):
            if not controller_uid(p) and not p["metadata"].get("deletionTimestamp"):
                out[("Pod", p["metadata"]["namespace"], p["metadata"]["name"])] = 1
        return out

    def shell_file_exists(self, pod: dict, container: str, path: str) -> bool | None:
        """Returns whether a path exists inside a running container (exec probes use it)."""
        from .kubectl.shell import file_exists

        return file_exists(self, pod, container, path)

    # ------------------------------------------------------------------------------------------ views
    def snapshot(self) -> dict:
        """Returns the JSON-ready view the visualizer draws (see docs/engine.md for the shape)."""
        from .snapshot import build_snapshot

        return build_snapshot(self)

    def diff_since(self, version: int) -> dict | None:
        """Returns the changes since `version` (apply with `apply_diff`), or None when a resync is needed."""
        from .snapshot import build_diff

        return build_diff(self, version)

    def completions(self, prefix: str) -> list[str]:
        """Returns full command lines completing `prefix` (commands, flags, resource types, object names)."""
        from .completion import complete

        try:
            return complete(self, prefix)
        except Exception:  # noqa: BLE001 - completion must never break a console
            return []


def _endpoints_may_change(old: dict | None, new: dict | None, ready_old: bool, ready_new: bool) -> bool:
    """Returns True when the write changed what the endpoints controller reads of a pod (same answer as
    comparing `_endpoint_signature`s, without building them; readiness is passed in, already computed)."""
    if old is None or new is None:
        return True
    if ready_old != ready_new:
        return True
    so, sn = old.get("status") or {}, new.get("status") or {}
    if so.get("podIP") != sn.get("podIP") or so.get("phase") != sn.get("phase"):
        return True
    om, nm = old["metadata"], new["metadata"]
    if bool(om.get("deletionTimestamp")) != bool(nm.get("deletionTimestamp")):
        return True
    lo, ln = om.get("labels") or {}, nm.get("labels") or {}
    return lo is not ln and tuple(lo.items()) != tuple(ln.items())


def _listed(pod: dict | None) -> bool:
    """Returns True when the pod version may be in an Endpoints list: it has an IP, has not finished and is not
    terminating (the endpoints controller leaves every other pod out, unless its Service publishes not-ready
    addresses, which `EndpointsController.settled` excludes)."""
    if pod is None or pod["metadata"].get("deletionTimestamp"):
        return False
    st = pod.get("status")
    return bool(st and st.get("podIP")) and st.get("phase") not in ("Succeeded", "Failed")


def _endpoint_signature(pod: dict | None):
    if pod is None:
        return None
    st = pod.get("status") or {}
    return (
        st.get("podIP"),
        pod_ready(pod),
        bool(pod["metadata"].get("deletionTimestamp")),
        st.get("phase"),
        tuple((pod["metadata"].get("labels") or {}).items()),
    )


def _node_hex(name: str, what: str) -> str:
    """Returns 64 hex digits derived from a node's name (stable identifiers of a simulated machine)."""
    import hashlib

    return hashlib.sha256(f"{what}:{name}".encode()).hexdigest()


def _uuid(hexdigits: str) -> str:
    """Formats 32 hex digits as a UUID (8-4-4-4-12)."""
    h = hexdigits[:32]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _shared(value):
    """The value itself (Cluster.to_dict without copies)."""
    return value
