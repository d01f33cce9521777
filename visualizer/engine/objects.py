"""The object model: resource names, etcd keys, quantities, label selectors and generated names.

Objects are plain JSON-ready dicts in the Kubernetes shape (apiVersion, kind, metadata, spec, status), so
`-o yaml`, `-o json`, `to_dict` and the etcd view need no conversion. Helpers here are pure functions.
"""

from __future__ import annotations

import json
import re

from .quantity import _bytes, _millicores, format_binary, format_millicores, to_bytes, to_millicores

# Alphabet used by the API server for generateName suffixes and by SafeEncodeString for template hashes.
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


class Resource:
    """Describes one API resource: its kind, group/version, plural, short names and etcd prefix."""

    __slots__ = ("kind", "api_version", "plural", "singular", "short", "namespaced", "etcd", "group")

    def __init__(self, kind, api_version, plural, short=(), namespaced=True, etcd=None):
        self.kind = kind
        self.api_version = api_version
        self.plural = plural
        self.singular = kind.lower()
        self.short = tuple(short)
        self.namespaced = namespaced
        self.etcd = etcd or plural
        self.group = api_version.split("/")[0] if "/" in api_version else ""

    @property
    def qualified(self) -> str:
        """Returns `deployments.apps` or `pods`, the form kubectl prints in errors."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def name_prefix(self) -> str:
        """Returns `deployment.apps` or `pod`, the form the name printer uses."""
        return f"{self.singular}.{self.group}" if self.group else self.singular


RESOURCES = [
    Resource("Pod", "v1", "pods", ("po",)),
    Resource("Deployment", "apps/v1", "deployments", ("deploy",)),
    Resource("ReplicaSet", "apps/v1", "replicasets", ("rs",)),
    Resource("Service", "v1", "services", ("svc",), etcd="services/specs"),
    Resource("Endpoints", "v1", "endpoints", ("ep",), etcd="services/endpoints"),
    Resource("Node", "v1", "nodes", ("no",), namespaced=False, etcd="minions"),
    Resource("Namespace", "v1", "namespaces", ("ns",), namespaced=False),
    Resource("Ingress", "networking.k8s.io/v1", "ingresses", ("ing",), etcd="ingress"),
    Resource("IngressClass", "networking.k8s.io/v1", "ingressclasses", (), namespaced=False),
    Resource("ResourceQuota", "v1", "resourcequotas", ("quota",)),
    Resource("LimitRange", "v1", "limitranges", ("limits",)),
    Resource("Secret", "v1", "secrets", ()),
    Resource("ConfigMap", "v1", "configmaps", ("cm",)),
    Resource("PersistentVolume", "v1", "persistentvolumes", ("pv",), namespaced=False),
    Resource("PersistentVolumeClaim", "v1", "persistentvolumeclaims", ("pvc",)),
    Resource("StorageClass", "storage.k8s.io/v1", "storageclasses", ("sc",), namespaced=False),
    Resource("HorizontalPodAutoscaler", "autoscaling/v2", "horizontalpodautoscalers", ("hpa",)),
    Resource("DaemonSet", "apps/v1", "daemonsets", ("ds",)),
    Resource("StatefulSet", "apps/v1", "statefulsets", ("sts",)),
    Resource("ControllerRevision", "apps/v1", "controllerrevisions", ()),
    Resource("Job", "batch/v1", "jobs", ()),
    Resource("CronJob", "batch/v1", "cronjobs", ("cj",)),
    Resource("ReplicationController", "v1", "replicationcontrollers", ("rc",), etcd="controllers"),
]
BY_KIND = {r.kind: r for r in RESOURCES}
BY_PLURAL = {r.plural: r for r in RESOURCES}
# Accepted apiVersions per kind (autoscaling/v1 HPAs are accepted and stored as v2).
ACCEPTED_VERSIONS = {r.kind: {r.api_version} for r in RESOURCES}
ACCEPTED_VERSIONS["HorizontalPodAutoscaler"] = {"autoscaling/v2", "autoscaling/v1"}


def lookup_resource(word: str) -> Resource | None:
    """Returns the resource a kubectl type word names, or None.

    Accepts a plural, singular, kind or short name (`po`, `pods`, `Deployment`), `RESOURCE.GROUP`
    (`deployment.apps`, `ingresses.networking.k8s.io`) and `RESOURCE.VERSION.GROUP` (`deployment.v1.apps`, as
    the Deployments page writes it). With two or more dots kubectl tries both readings, the version form
    first (k8s.io/apimachinery pkg/runtime/schema `ParseResourceArg`; cli-runtime resource builder); the
    version must be one this API server serves.
    """
    w = word.lower()
    if "." not in w:
        for r in RESOURCES:
            if w in (r.plural, r.singular, r.kind.lower()) or w in r.short:
                return r
        return None
    head, _, rest = w.partition(".")
    res = lookup_resource(head)
    if res is None:
        return None
    if "." in rest:
        version, _, group = rest.partition(".")
        if res.group == group and res.api_version.rsplit("/", 1)[-1] == version:
            return res
    if res.group == rest or (not res.group and rest == "core"):
        return res
    return None


def etcd_key(res: Resource, namespace: str | None, name: str) -> str:
    """Returns the etcd key the real API server would use, e.g. `/registry/pods/default/web-x2k4p`."""
    if res.namespaced:
        return f"/registry/{res.etcd}/{namespace}/{name}"
    return f"/registry/{res.etcd}/{name}"


def key_of(obj: dict) -> str:
    """Returns the etcd key of an object."""
    res = BY_KIND[obj["kind"]]
    meta = obj["metadata"]
    return etcd_key(res, meta.get("namespace"), meta["name"])


def ref(obj: dict) -> str:
    """Returns `pod/web-x2k4p`, the short reference used in events."""
    return f"{obj['kind'].lower()}/{obj['metadata']['name']}"


def nsname(obj: dict) -> str:
    """Returns `default/web` for namespaced objects and `worker-1` otherwise."""
    meta = obj["metadata"]
    return f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"]


def omit_zero(data: dict, *keys: str) -> dict:
    """Drops `keys` whose value is 0 from `data` (in place) and returns it: the `omitempty` integer fields a
    real API server never writes when zero (apps/v1 DeploymentStatus `unavailableReplicas`, ReplicaSetSpec
    `minReadySeconds`, …; k8s.io/api apps/v1 types.go), so `-o yaml` shows what a real cluster shows."""
    for key in keys:
        if data.get(key) == 0:
            del data[key]
    return data


def clone(value):
    """Returns a deep copy of JSON-like data (faster than copy.deepcopy)."""
    # Leaves (strings, numbers, None: most values) are copied without a call of their own.
    if isinstance(value, dict):
        return {k: clone(v) if isinstance(v, _NESTED) else v for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) if isinstance(v, _NESTED) else v for v in value]
    return value


_NESTED = (dict, list)


def with_status(obj: dict, status: dict) -> dict:
    """Returns a new version of obj with another status, sharing the unchanged spec (objects in the store are
    never mutated in place, so versions may share sub-dicts; metadata is copied because the store stamps it)."""
    new = dict(obj)
    new["metadata"] = dict(obj["metadata"])
    new["status"] = status
    return new


# ---------------------------------------------------------------------------------------------- quantities
# The grammar and printing rules live in quantity.py (a port of apimachinery's resource.Quantity); these
# names stay for the callers that count millicores and bytes.


# text -> parsed value, pure caches in front of quantity's lru_caches: a dict lookup costs a fraction of an
# lru_cache call (its key building and recency list), and the scheduler asks for every node on every pod.
# Cleared when full; a refused text raises and is not kept, as with lru_cache.
_QUANTITY_CACHE_MAX = 4096
_CPU_CACHE: dict[str, int] = {}
_BYTES_CACHE: dict[str, int] = {}


def parse_cpu(value) -> int:
    """Returns millicores for `250m`, `0.5`, `1`, `1e3` or 2, rounded up as `MilliValue` does; raises
    QuantityError (a ValueError) with the API server's words for a malformed or negative quantity."""
    if type(value) is not str:
        return to_millicores(value)
    hit = _CPU_CACHE.get(value)
    if hit is None:
        hit = _millicores(value)
        if len(_CPU_CACHE) >= _QUANTITY_CACHE_MAX:
            _CPU_CACHE.clear()
        _CPU_CACHE[value] = hit
    return hit


def parse_bytes(value) -> int:
    """Returns bytes for `128Mi`, `1Gi`, `500M`, `129e6` or 1024, rounded up as `Value` does; raises
    QuantityError (a ValueError) with the API server's words for a malformed or negative quantity."""
    if type(value) is not str:
        return to_bytes(value)
    hit = _BYTES_CACHE.get(value)
    if hit is None:
        hit = _bytes(value)
        if len(_BYTES_CACHE) >= _QUANTITY_CACHE_MAX:
            _BYTES_CACHE.clear()
        _BYTES_CACHE[value] = hit
    return hit


def format_cpu(milli: int) -> str:
    """Returns `250m` or `2` for a millicore count (the canonical DecimalSI text)."""
    return format_millicores(milli)


def format_bytes(n: int) -> str:
    """Returns `128Mi`, `4Gi` or a plain number for a byte count (the canonical BinarySI text)."""
    return format_binary(n)


def pod_requests(pod: dict) -> tuple[int, int]:
    """Returns (cpu millicores, memory bytes) requested by a pod's containers (0 when unset)."""
    cpu = mem = 0
    for c in pod.get("spec", {}).get("containers", []):
        req = (c.get("resources") or {}).get("requests") or {}
        if "cpu" in req:
            cpu += parse_cpu(req["cpu"])
        if "memory" in req:
            mem += parse_bytes(req["memory"])
    return cpu, mem


DEFAULT_CPU_REQUEST = 100  # millicores; what the scheduler assumes for scoring when a container has none
DEFAULT_MEM_REQUEST = 200 * 1024 * 1024


def pod_nonzero_requests(pod: dict) -> tuple[int, int]:
    """Returns the requests the scheduler scores with: unset cpu/memory count as 100m / 200Mi per container."""
    cpu = mem = 0
    for c in pod.get("spec", {}).get("containers", []):
        req = (c.get("resources") or {}).get("requests") or {}
        cpu += parse_cpu(req["cpu"]) if "cpu" in req else DEFAULT_CPU_REQUEST
        mem += parse_bytes(req["memory"]) if "memory" in req else DEFAULT_MEM_REQUEST
    return cpu, mem


# ------------------------------------------------------------------------------------------------- labels
def parse_selector(text: str) -> list[tuple[str, str, list[str]]]:
    """Returns requirements (key, op, values) from a kubectl `-l` string, `=`/`==` as In and `!=` as NotIn;
    raises ValueError with the API server's message when malformed (apimachinery labels.Parse, in
    selectors.py)."""
    from .selectors import normalized, parse_label_selector

    return normalized(parse_label_selector(text))


def selector_requirements(selector: dict | None) -> list[tuple[str, str, list[str]]]:
    """Returns requirements from a LabelSelector object (matchLabels + matchExpressions)."""
    if not selector:
        return []
    reqs = [(k, "In", [v]) for k, v in (selector.get("matchLabels") or {}).items()]
    for e in selector.get("matchExpressions") or []:
        reqs.append((e.get("key", ""), e.get("operator", "In"), list(e.get("values") or [])))
    return reqs


def matches(reqs: list, labels: dict | None) -> bool:
    """Returns True when the labels satisfy every requirement."""
    labels = labels or {}
    for key, op, values in reqs:
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
        if op in ("Gt", "Lt"):
            # selector.go Requirement.Matches: both sides must parse as integers.
            raw = labels.get(key)
            if raw is None or not re.fullmatch(r"[+-]?[0-9]+", raw) or not values:
                return False
            have, want = int(raw), int(values[0])
            if (op == "Gt" and not have > want) or (op == "Lt" and not have < want):
                return False
    return True


def selector_string(selector: dict | None) -> str:
    """Returns `app=web` for a selector (the form kubectl prints in -o wide)."""
    if not selector:
        return "<none>"
    if "matchLabels" in selector or "matchExpressions" in selector:
        parts = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
        for e in selector.get("matchExpressions") or []:
            parts.append(
                f"{e.get('key')} {e.get('operator', '').lower()} ({','.join(e.get('values') or [])})"
            )
        return ",".join(parts) or "<none>"
    return ",".join(f"{k}={v}" for k, v in selector.items()) or "<none>"


# -------------------------------------------------------------------------------------------------- names
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def is_subdomain(name) -> bool:
    """Returns True for a valid DNS-1123 subdomain (the rule for most object names)."""
    return isinstance(name, str) and len(name) <= 253 and bool(_DNS1123_SUBDOMAIN.match(name))


def is_label(name) -> bool:
    """Returns True for a valid DNS-1123 label (container names, ...)."""
    return isinstance(name, str) and len(name) <= 63 and bool(_DNS1123_LABEL.match(name))


def is_dns1035(name) -> bool:
    """Returns True for a valid DNS-1035 label (Service names)."""
    return isinstance(name, str) and len(name) <= 63 and bool(_DNS1035_LABEL.match(name))


def safe_encode(text: str) -> str:
    """Returns apimachinery's SafeEncodeString: each byte mapped onto the vowel-free alphabet."""
    return "".join(NAME_ALPHABET[ord(ch) % len(NAME_ALPHABET)] for ch in text)


def fnv32a(data: bytes) -> int:
    """Returns the 32-bit FNV-1a hash, the hash the Deployment controller uses for pod-template-hash."""
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def template_hash(template: dict, collision_count: int = 0) -> str:
    """Returns the pod-template-hash for a pod template (labels' hash key excluded)."""
    t = clone(template)
    labels = (t.get("metadata") or {}).get("labels") or {}
    labels.pop("pod-template-hash", None)
    data = json.dumps(t, sort_keys=True, separators=(",", ":")) + f"/{collision_count}"
    return safe_encode(str(fnv32a(data.encode())))


def random_suffix(rng, n: int = 5) -> str:
    """Returns n characters from the generateName alphabet drawn from the cluster's RNG."""
    return "".join(rng.choice(NAME_ALPHABET) for _ in range(n))


def generate_name(base: str, rng) -> str:
    """Returns `base` + 5 random characters; base truncated to 58 characters as the API server does."""
    return base[:58] + random_suffix(rng)


def did_you_mean(word: str, options) -> list[str]:
    """Returns the closest options to a mistyped word (Levenshtein distance ≤ 2, or a shared prefix)."""

    def dist(a, b):
        prev = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            cur = [i]
            for j, cb in enumerate(b, 1):
                cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
            prev = cur
        return prev[-1]

    scored = sorted((dist(word, o), o) for o in set(options))
    best = [o for d, o in scored if d <= max(1, min(2, len(word) // 2))]
    if not best:
        best = sorted(o for o in set(options) if len(word) >= 2 and o.startswith(word))
    return best[:3]
