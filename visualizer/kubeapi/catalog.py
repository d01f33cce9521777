"""The resources this API server serves, per group-version, with what discovery says of each.

Built from the engine's kinds (visualizer.engine.objects.RESOURCES) plus the values of the real server's
discovery dumps (kubernetes api/discovery/*.json; reference §A1.3): short names, the `all` category that drives
`kubectl get all`, verbs, and the subresources with the kind each one answers (`*/scale` answers
`autoscaling/v1 Scale`). `Event` (core and events.k8s.io) and `Lease` (node heartbeats) are served from what
the engine keeps elsewhere; `metrics.k8s.io` is served by metrics.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from visualizer.engine.objects import BY_KIND

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
READ_VERBS = ["get", "list", "watch"]


@dataclass(frozen=True)
class Subresource:
    """A subresource (`scale`, `status`, `log`, `exec`, `eviction`): the kind it answers and its verbs."""

    name: str
    group: str
    version: str
    kind: str
    verbs: tuple[str, ...]


@dataclass(frozen=True)
class Served:
    """One resource of one group-version as discovery lists it.

    `engine_kind` is the engine's kind whose objects it serves (None for resources served from elsewhere:
    events, leases). `group` is "" for the core group.
    """

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = tuple(ALL_VERBS)
    subresources: tuple[Subresource, ...] = ()
    engine_kind: str | None = None
    singular: str = field(default="")
    storage_hash: str = ""

    @property
    def scope(self) -> str:
        """`Namespaced` or `Cluster`, as aggregated discovery writes it."""
        return "Namespaced" if self.namespaced else "Cluster"

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """`deployments.apps` or `pods`: how errors name the resource."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def sub(self, name: str) -> Subresource | None:
        return next((s for s in self.subresources if s.name == name), None)


def _status(group: str, version: str, kind: str) -> Subresource:
    return Subresource("status", group, version, kind, ("get", "patch", "update"))


def _scale() -> Subresource:
    return Subresource("scale", "autoscaling", "v1", "Scale", ("get", "patch", "update"))


def _engine(
    group: str,
    version: str,
    kind: str,
    *,
    categories=(),
    subs=(),
    verbs=tuple(ALL_VERBS),
    short=None,
    status=True,
    storage_hash: str = "",
) -> Served:
    res = BY_KIND[kind]
    subresources = tuple(subs) + ((_status(group, version, kind),) if status else ())
    return Served(
        group,
        version,
        res.plural,
        kind,
        res.namespaced,
        tuple(res.short if short is None else short),
        tuple(categories),
        tuple(verbs),
        tuple(sorted(subresources, key=lambda s: s.name)),
        kind,
        kind.lower(),
        storage_hash,
    )


_POD_SUBS = (
    Subresource("attach", "", "v1", "PodAttachOptions", ("create", "get")),
    Subresource("binding", "", "v1", "Binding", ("create",)),
    Subresource("eviction", "policy", "v1", "Eviction", ("create",)),
    Subresource("exec", "", "v1", "PodExecOptions", ("create", "get")),
    Subresource("log", "", "v1", "Pod", ("get",)),
    Subresource("portforward", "", "v1", "PodPortForwardOptions", ("create", "get")),
)
_NAMESPACE_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")

SERVED: list[Served] = [
    # core/v1, in the order of the real /api/v1 (alphabetical by plural)
    _engine("", "v1", "ConfigMap", short=("cm",), status=False, storage_hash="qFsyl6wFWjQ="),
    _engine("", "v1", "Endpoints", short=("ep",), status=False, storage_hash="fWeeMqaN/OA="),
    Served(
        "", "v1", "events", "Event", True, ("ev",), (), tuple(ALL_VERBS), (), None, "event", "r2yiGXH7wu8="
    ),
    _engine("", "v1", "LimitRange", short=("limits",), status=False, storage_hash="EBKMFVe6cwo="),
    Served(
        "",
        "v1",
        "namespaces",
        "Namespace",
        False,
        ("ns",),
        (),
        _NAMESPACE_VERBS,
        (Subresource("finalize", "", "v1", "Namespace", ("update",)), _status("", "v1", "Namespace")),
        "Namespace",
        "namespace",
        "Q3oi5N2YM8M=",
    ),
    _engine("", "v1", "Node", short=("no",), storage_hash="XwShjMxG9Fs="),
    _engine("", "v1", "PersistentVolumeClaim", short=("pvc",), storage_hash="QWTyNDq0dC4="),
    _engine("", "v1", "PersistentVolume", short=("pv",), storage_hash="HN/zwEC+JgM="),
    _engine("", "v1", "Pod", categories=("all",), subs=_POD_SUBS, short=("po",), storage_hash="xPOwRZ+Yhw8="),
    _engine(
        "",
        "v1",
        "ReplicationController",
        categories=("all",),
        subs=(_scale(),),
        short=("rc",),
        storage_hash="Jond2If31h0=",
    ),
    _engine("", "v1", "ResourceQuota", short=("quota",), storage_hash="8uhSgffRX6w="),
    _engine("", "v1", "Secret", short=(), status=False, storage_hash="S6u1pOWzb84="),
    _engine("", "v1", "Service", categories=("all",), short=("svc",), storage_hash="0/CO1lhkEBI="),
    # apps/v1
    _engine("apps", "v1", "ControllerRevision", status=False, storage_hash="85nkx63pcBU="),
    _engine("apps", "v1", "DaemonSet", categories=("all",), short=("ds",), storage_hash="dd7pWHUlMKQ="),
    _engine(
        "apps",
        "v1",
        "Deployment",
        categories=("all",),
        subs=(_scale(),),
        short=("deploy",),
        storage_hash="8aSe+NMegvE=",
    ),
    _engine(
        "apps",
        "v1",
        "ReplicaSet",
        categories=("all",),
        subs=(_scale(),),
        short=("rs",),
        storage_hash="P1RzHs8/mWQ=",
    ),
    _engine(
        "apps",
        "v1",
        "StatefulSet",
        categories=("all",),
        subs=(_scale(),),
        short=("sts",),
        storage_hash="H+vl74LkKdo=",
    ),
    # autoscaling/v2 (preferred) and v1
    _engine(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        categories=("all", "podautoscalers"),
        short=("hpa",),
        storage_hash="qwQve8ut294=",
    ),
    _engine(
        "autoscaling",
        "v1",
        "HorizontalPodAutoscaler",
        categories=("all", "podautoscalers"),
        short=("hpa",),
        storage_hash="qwQve8ut294=",
    ),
    # batch/v1
    _engine("batch", "v1", "CronJob", categories=("all",), short=("cj",), storage_hash="sd5LIXh4Fjs="),
    _engine("batch", "v1", "Job", categories=("all",), short=(), storage_hash="mudhfqk/qZY="),
    # coordination.k8s.io/v1: node Leases (the kubelet's heartbeat; `describe node` reads them)
    Served(
        "coordination.k8s.io",
        "v1",
        "leases",
        "Lease",
        True,
        (),
        (),
        tuple(ALL_VERBS),
        (),
        None,
        "lease",
        "gqkMMb/YqFM=",
    ),
    # discovery.k8s.io/v1: EndpointSlices derived from the engine's Endpoints (read-only; `describe svc` reads them)
    Served(
        "discovery.k8s.io",
        "v1",
        "endpointslices",
        "EndpointSlice",
        True,
        (),
        (),
        ("get", "list"),
        (),
        None,
        "endpointslice",
        "Nx3SIv6I0mE=",
    ),
    # events.k8s.io/v1
    Served(
        "events.k8s.io",
        "v1",
        "events",
        "Event",
        True,
        ("ev",),
        (),
        tuple(ALL_VERBS),
        (),
        None,
        "event",
        "r2yiGXH7wu8=",
    ),
    # networking.k8s.io/v1
    _engine("networking.k8s.io", "v1", "IngressClass", status=False, storage_hash="l/iqIbDgFyQ="),
    _engine("networking.k8s.io", "v1", "Ingress", short=("ing",), storage_hash="39NQlfNR+bo="),
    # metrics.k8s.io/v1beta1: what metrics-server registers (served by metrics.py, never by the engine's store)
    Served("metrics.k8s.io", "v1beta1", "nodes", "NodeMetrics", False, verbs=("get", "list")),
    Served("metrics.k8s.io", "v1beta1", "pods", "PodMetrics", True, verbs=("get", "list")),
    # storage.k8s.io/v1
    _engine("storage.k8s.io", "v1", "StorageClass", short=("sc",), status=False, storage_hash="K+m6uJwbjGY="),
    # authentication.k8s.io/v1 and authorization.k8s.io/v1: the create-only reviews `kubectl auth whoami` and
    # `kubectl auth can-i` send, answered from the request's role and never stored (authz.py)
    Served(
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "SelfSubjectReview",
        False,
        verbs=("create",),
        singular="selfsubjectreview",
    ),
    Served(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        False,
        verbs=("create",),
        singular="selfsubjectaccessreview",
    ),
    Served(
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "SelfSubjectRulesReview",
        False,
        verbs=("create",),
        singular="selfsubjectrulesreview",
    ),
]

# Groups in the order the real /apis lists them (kube-apiserver's group priority), each with its versions in
# order of preference.
GROUPS: list[tuple[str, list[str]]] = [
    ("", ["v1"]),
    ("apps", ["v1"]),
    ("events.k8s.io", ["v1"]),
    ("authentication.k8s.io", ["v1"]),
    ("authorization.k8s.io", ["v1"]),
    ("autoscaling", ["v2", "v1"]),
    ("batch", ["v1"]),
    ("networking.k8s.io", ["v1"]),
    ("storage.k8s.io", ["v1"]),
    ("coordination.k8s.io", ["v1"]),
    ("discovery.k8s.io", ["v1"]),
    ("metrics.k8s.io", ["v1beta1"]),
]


def resources_of(group: str, version: str) -> list[Served]:
    """Returns the resources of one group-version in discovery order (empty if not served)."""
    return [s for s in SERVED if s.group == group and s.version == version]


def find(group: str, version: str, plural: str) -> Served | None:
    """Returns the served resource at `/apis/<group>/<version>/<plural>` (group "" = `/api/v1`)."""
    return next((s for s in SERVED if s.group == group and s.version == version and s.plural == plural), None)


def for_kind(kind: str) -> Served | None:
    """Returns the preferred served resource of an engine kind (autoscaling/v2 for HPAs)."""
    return next((s for s in SERVED if s.engine_kind == kind), None)
