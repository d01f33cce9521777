"""Admission plugins the API server runs on every create: NamespaceLifecycle, LimitRanger, ResourceQuota and
DefaultIngressClass (plus the Namespace defaults and the request-from-limit pod defaulting they depend on).

`admit_create(cluster, obj)` is called by `APIServer.create` after the name is generated and the key is known
to be free; it mutates `obj` (defaults) or raises `ApiError` with the API server's words (403 Forbidden).
`admit_update` is called by `APIServer.update` (a Namespace keeps its name label and lifecycle fields);
`begin_namespace_termination` is called by `APIServer.delete` for a Namespace.

Sources: kubernetes plugin/pkg/admission/{namespace/lifecycle,limitranger,resourcequota}/admission.go,
apiserver pkg/admission/plugin/resourcequota/controller.go (`prettyPrint`, "exceeded quota"),
pkg/quota/v1/evaluator/core/pods.go (`Constraints`, "must specify"), pkg/apis/core/v1/defaults.go
(`SetDefaults_Namespace`, `SetDefaults_LimitRangeItem`, `SetDefaults_Pod` requests from limits),
kubernetes.io concepts/policy/resource-quotas.md and limit-range.md.
"""

from __future__ import annotations

from .addons import is_cluster_own
from .clock import stamp
from .objects import BY_KIND, parse_bytes, parse_cpu

NAME_LABEL = "kubernetes.io/metadata.name"
LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger"
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
COMPUTE = ("cpu", "memory")


# ---------------------------------------------------------------------------------------------- quantities
def is_cpu(resource: str) -> bool:
    """Returns True for resource names measured in cores (`cpu`, `requests.cpu`, `limits.cpu`)."""
    return resource.rsplit(".", 1)[-1] == "cpu"


def is_bytes(resource: str) -> bool:
    """Returns True for resource names measured in bytes (memory, storage, ephemeral-storage)."""
    return resource.rsplit(".", 1)[-1] in ("memory", "storage", "ephemeral-storage")


def parse_amount(resource: str, value) -> int:
    """Returns millicores, bytes or a count for a quantity of the named resource; raises ValueError."""
    if is_cpu(resource):
        return parse_cpu(value)
    if is_bytes(resource):
        return parse_bytes(value)
    n = parse_cpu(value)  # counts are whole numbers; parse as milli-units to accept "10" and 10
    if n % 1000:
        raise ValueError(value)
    return n // 1000


_BINARY = (("Ei", 1024**6), ("Pi", 1024**5), ("Ti", 1024**4), ("Gi", 1024**3), ("Mi", 1024**2), ("Ki", 1024))
_DECIMAL = (("E", 1000**6), ("P", 1000**5), ("T", 1000**4), ("G", 1000**3), ("M", 1000**2), ("k", 1000))


def format_amount(resource: str, n: int, like: str | None = None) -> str:
    """Returns the canonical quantity text (`800m`, `2`, `600Mi`, `1G`, `10`) as resource.Quantity.String()
    prints it; `like` (the text the value was written as) chooses the decimal family for `1G`-style input."""
    if is_cpu(resource):
        return str(n // 1000) if n % 1000 == 0 else f"{n}m"
    if is_bytes(resource) and n:
        decimal_first = like is not None and not like.rstrip().endswith("i") and not like.strip().isdigit()
        families = (_DECIMAL, _BINARY) if decimal_first else (_BINARY, _DECIMAL)
        for family in families:
            for suffix, unit in family:
                if n % unit == 0:
                    return f"{n // unit}{suffix}"
    return str(n)


# ---------------------------------------------------------------------------------------------- errors
def forbidden(obj: dict, message: str):
    """Returns the 403 the admission chain answers: `pods "x" is forbidden: <message>`."""
    from .apiserver import ApiError  # the API server imports this module

    res = BY_KIND[obj["kind"]]
    name = obj["metadata"].get("name", "")
    return ApiError(
        f'Error from server (Forbidden): {res.qualified} "{name}" is forbidden: {message}', "Forbidden", 403
    )


# ---------------------------------------------------------------------------------------------- entry points
def admit_create(c, obj: dict) -> None:
    """Runs the create-time admission plugins on `obj` (mutating it); raises ApiError when one refuses."""
    kind = obj["kind"]
    if kind == "Namespace":
        default_namespace(obj)
        return
    ns = obj["metadata"].get("namespace")
    if ns is None:
        return
    namespace = c.store.get(f"/registry/namespaces/{ns}")
    if namespace is not None and (
        namespace["metadata"].get("deletionTimestamp")
        or (namespace.get("status") or {}).get("phase") == "Terminating"
    ):
        raise forbidden(obj, f"unable to create new content in namespace {ns} because it is being terminated")
    if kind == "Pod":
        default_requests_from_limits(obj["spec"])
        limit_ranger(c, obj)
    elif kind == "Ingress":
        default_ingress_class(c, obj)
    elif kind == "PersistentVolumeClaim":
        limit_ranger_claim(c, obj)
    resource_quota(c, obj)


def admit_update(c, obj: dict, old: dict) -> None:
    """Update-time admission: a Namespace keeps its `kubernetes.io/metadata.name` label (the API server
    resets it on every write), its finalizers, phase and deletionTimestamp [S kubernetes
    pkg/registry/core/namespace/strategy.go `PrepareForUpdate`]."""
    if obj["kind"] != "Namespace":
        return
    meta = obj["metadata"]
    meta["labels"] = dict(meta.get("labels") or {}, **{NAME_LABEL: meta["name"]})
    if old["metadata"].get("deletionTimestamp"):
        meta["deletionTimestamp"] = old["metadata"]["deletionTimestamp"]
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    spec.setdefault("finalizers", list((old.get("spec") or {}).get("finalizers") or ["kubernetes"]))
    obj["spec"] = spec
    obj["status"] = dict(old.get("status") or {"phase": "Active"})


def default_namespace(obj: dict) -> None:
    """Namespace defaults: the immutable `kubernetes.io/metadata.name` label, the `kubernetes` finalizer and
    phase Active [S kubernetes pkg/apis/core/v1/defaults.go `SetDefaults_Namespace`, namespace strategy]."""
    meta = obj["metadata"]
    meta["labels"] = dict(meta.get("labels") or {}, **{NAME_LABEL: meta["name"]})
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    spec.setdefault("finalizers", ["kubernetes"])
    obj["spec"] = spec
    obj["status"] = {"phase": "Active"}


def begin_namespace_termination(c, ns: dict, user: bool) -> bool:
    """Marks a Namespace for deletion (deletionTimestamp, phase Terminating) instead of removing it, so the
    namespace controller can delete its contents first. Returns True when the caller must not delete it."""
    if (ns.get("spec") or {}).get("finalizers") is None:
        return False
    if ns["metadata"].get("deletionTimestamp"):
        return True
    upd = dict(ns)
    upd["metadata"] = dict(ns["metadata"], deletionTimestamp=stamp(c.clock.now))
    upd["status"] = dict(ns.get("status") or {}, phase="Terminating")
    stored = c.store.put(upd)
    if user:
        c.emit_request("delete", stored)
    return True


# ---------------------------------------------------------------------------------------------- pods
def _containers(spec: dict) -> list[tuple[str, dict]]:
    out = [("container", ctr) for ctr in spec.get("containers") or () if isinstance(ctr, dict)]
    out += [("init container", ctr) for ctr in spec.get("initContainers") or () if isinstance(ctr, dict)]
    return out


def default_requests_from_limits(spec: dict) -> None:
    """Pod defaulting: a container with a limit but no request for a resource gets request = limit
    [S kubernetes pkg/apis/core/v1/defaults.go `SetDefaults_Pod`]."""
    for _, ctr in _containers(spec):
        res = ctr.get("resources")
        if not isinstance(res, dict) or not isinstance(res.get("limits"), dict):
            continue
        requests = res.setdefault("requests", {}) if isinstance(res.get("requests", {}), dict) else None
        if requests is None:
            continue
        for name, value in res["limits"].items():
            requests.setdefault(name, value)
        if not requests:
            res.pop("requests")


def limit_ranges(c, ns: str) -> list[dict]:
    """Returns the LimitRanges of a namespace, sorted by name."""
    return sorted(c.store.list("LimitRange", ns), key=lambda o: o["metadata"]["name"])


def limit_ranger(c, pod: dict) -> None:
    """LimitRanger for pods: fills missing limits from `default` and requests from `defaultRequest` (recording
    the `kubernetes.io/limit-ranger` annotation), then checks `min`, `max` and `maxLimitRequestRatio` for each
    container (type Container) and for the pod's sums (type Pod). Raises 403 Forbidden with every violation."""
    ranges = limit_ranges(c, pod["metadata"]["namespace"])
    if not ranges:
        return
    notes: list[str] = []
    errors: list[str] = []
    containers = _containers(pod["spec"])
    for lr in ranges:
        for item in (lr.get("spec") or {}).get("limits") or ():
            if item.get("type") != "Container":
                continue
            for ctype, ctr in containers:
                res = ctr.setdefault("resources", {})
                set_limits = [
                    r for r in sorted(item.get("default") or {}) if r not in (res.get("limits") or {})
                ]
                set_requests = [
                    r
                    for r in sorted(item.get("defaultRequest") or {})
                    if r not in (res.get("requests") or {})
                ]
                for r in set_limits:
                    res.setdefault("limits", {})[r] = item["default"][r]
                for r in set_requests:
                    res.setdefault("requests", {})[r] = item["defaultRequest"][r]
                if set_requests:
                    notes.append(f"{', '.join(set_requests)} request for {ctype} {ctr.get('name')}")
                if set_limits:
                    notes.append(f"{', '.join(set_limits)} limit for {ctype} {ctr.get('name')}")
    if notes:
        meta = pod["metadata"]
        meta["annotations"] = dict(meta.get("annotations") or {})
        meta["annotations"][LIMIT_RANGER_ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)
    for lr in ranges:
        for item in (lr.get("spec") or {}).get("limits") or ():
            if item.get("type") == "Container":
                for _, ctr in containers:
                    res = ctr.get("resources") or {}
                    errors += _check(item, "Container", res.get("requests") or {}, res.get("limits") or {})
            elif item.get("type") == "Pod":
                req, lim = _pod_sums(pod)
                errors += _check(item, "Pod", req, lim)
    if errors:
        raise forbidden(pod, errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")


def limit_ranger_claim(c, pvc: dict) -> None:
    """LimitRanger for claims (type PersistentVolumeClaim): `min` and `max` apply to the requested storage
    [S limitranger/admission.go PersistentVolumeClaimValidateLimitFunc, maxRequestConstraint]."""
    ranges = limit_ranges(c, pvc["metadata"]["namespace"])
    if not ranges:
        return
    requests = (((pvc.get("spec") or {}).get("resources") or {}).get("requests")) or {}
    errors = []
    for lr in ranges:
        for item in (lr.get("spec") or {}).get("limits") or ():
            if item.get("type") != "PersistentVolumeClaim":
                continue
            errors += _check({"min": item.get("min") or {}}, "PersistentVolumeClaim", requests, {})
            for r, enforced in sorted((item.get("max") or {}).items()):
                e = parse_amount(r, enforced)
                shown = format_amount(r, e, str(enforced))
                if r not in requests:
                    errors.append(
                        f"maximum {r} usage per PersistentVolumeClaim is {shown}.  No request is specified"
                    )
                elif parse_amount(r, requests[r]) > e:
                    req = format_amount(r, parse_amount(r, requests[r]), str(requests[r]))
                    errors.append(
                        f"maximum {r} usage per PersistentVolumeClaim is {shown}, but request is {req}"
                    )
    if errors:
        raise forbidden(pvc, errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")


def _pod_sums(pod: dict) -> tuple[dict, dict]:
    req: dict[str, str] = {}
    lim: dict[str, str] = {}
    for section, out in (("requests", req), ("limits", lim)):
        totals: dict[str, int] = {}
        complete: dict[str, bool] = {}
        ctrs = [ctr for t, ctr in _containers(pod["spec"]) if t == "container"]
        for ctr in ctrs:
            values = ((ctr.get("resources") or {}).get(section)) or {}
            for r in COMPUTE:
                if r in values:
                    totals[r] = totals.get(r, 0) + parse_amount(r, values[r])
                    complete.setdefault(r, True)
                else:
                    complete[r] = False
        for r, total in totals.items():
            if complete.get(r):
                out[r] = format_amount(r, total)
    return req, lim


def _check(item: dict, limit_type: str, requests: dict, limits: dict) -> list[str]:
    """One LimitRangeItem against one container's (or the pod's) requests and limits
    [S plugin/pkg/admission/limitranger/admission.go minConstraint, maxConstraint, limitRequestRatioConstraint]."""
    errors = []
    for r, enforced in sorted((item.get("min") or {}).items()):
        e = parse_amount(r, enforced)
        shown = format_amount(r, e, str(enforced))
        if r not in requests:
            errors.append(f"minimum {r} usage per {limit_type} is {shown}.  No request is specified")
        elif parse_amount(r, requests[r]) < e:
            req = format_amount(r, parse_amount(r, requests[r]), str(requests[r]))
            errors.append(f"minimum {r} usage per {limit_type} is {shown}, but request is {req}")
        elif r in limits and parse_amount(r, limits[r]) < e:
            lim = format_amount(r, parse_amount(r, limits[r]), str(limits[r]))
            errors.append(f"minimum {r} usage per {limit_type} is {shown}, but limit is {lim}")
    for r, enforced in sorted((item.get("max") or {}).items()):
        e = parse_amount(r, enforced)
        shown = format_amount(r, e, str(enforced))
        if r not in limits:
            errors.append(f"maximum {r} usage per {limit_type} is {shown}.  No limit is specified")
        elif parse_amount(r, limits[r]) > e:
            lim = format_amount(r, parse_amount(r, limits[r]), str(limits[r]))
            errors.append(f"maximum {r} usage per {limit_type} is {shown}, but limit is {lim}")
    for r, enforced in sorted((item.get("maxLimitRequestRatio") or {}).items()):
        ratio_m = parse_cpu(enforced)
        shown = format_amount("cpu", ratio_m)
        req = parse_amount(r, requests[r]) if r in requests else 0
        lim = parse_amount(r, limits[r]) if r in limits else 0
        if not req:
            errors.append(
                f"{r} max limit to request ratio per {limit_type} is {shown}, but no request is specified or "
                "request is 0"
            )
        elif not lim:
            errors.append(
                f"{r} max limit to request ratio per {limit_type} is {shown}, but no limit is specified or "
                "limit is 0"
            )
        elif lim / req * 1000 > ratio_m:
            errors.append(
                f"{r} max limit to request ratio per {limit_type} is {shown}, but provided ratio is {lim / req:f}"
            )
    return errors


def default_limit_range_item(item: dict) -> None:
    """LimitRangeItem defaults for type Container: `default` ← `max`, `defaultRequest` ← `default`, then ←
    `min` [S kubernetes pkg/apis/core/v1/defaults.go `SetDefaults_LimitRangeItem`]."""
    if item.get("type") != "Container":
        return
    default = dict(item.get("default") or {})
    request = dict(item.get("defaultRequest") or {})
    for r, v in (item.get("max") or {}).items():
        default.setdefault(r, v)
    for r, v in default.items():
        request.setdefault(r, v)
    for r, v in (item.get("min") or {}).items():
        request.setdefault(r, v)
    if default:
        item["default"] = default
    if request:
        item["defaultRequest"] = request


# ---------------------------------------------------------------------------------------------- ingress
def default_ingress_class(c, ing: dict) -> None:
    """DefaultIngressClass: an Ingress without `ingressClassName` gets the class marked
    `ingressclass.kubernetes.io/is-default-class: "true"` [D concepts/services-networking/ingress.md]."""
    spec = ing.get("spec")
    if not isinstance(spec, dict) or spec.get("ingressClassName"):
        return
    defaults = [
        k["metadata"]["name"]
        for k in c.store.list("IngressClass")
        if (k["metadata"].get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION) == "true"
    ]
    if len(defaults) == 1:
        spec["ingressClassName"] = defaults[0]


# ---------------------------------------------------------------------------------------------- quota
# Object-count resource names and the kind each counts [D concepts/policy/resource-quotas.md].
COUNTED = {
    "pods": "Pod",
    "services": "Service",
    "configmaps": "ConfigMap",
    "secrets": "Secret",
    "persistentvolumeclaims": "PersistentVolumeClaim",
    "replicationcontrollers": "ReplicationController",
    "resourcequotas": "ResourceQuota",
}
POD_RESOURCES = ("cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory")
OTHER = ("services.nodeports", "services.loadbalancers", "requests.storage")


def standard_resource(name: str) -> bool:
    """Returns True for a resource name ResourceQuota accepts and the simulator counts."""
    if name in COUNTED or name in POD_RESOURCES or name in OTHER:
        return True
    if name.startswith("count/"):
        plural, _, group = name[len("count/") :].partition(".")
        from .objects import BY_PLURAL

        res = BY_PLURAL.get(plural)
        return res is not None and res.group == group
    return False


def pod_counts_for_quota(pod: dict) -> bool:
    """`pods` and compute resources count only pods that are not Succeeded or Failed
    [S pkg/quota/v1/evaluator/core/pods.go `QuotaV1Pod`]."""
    return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")


def pod_usage(pod: dict) -> dict[str, int]:
    """Returns the quota usage of one pod: pods, count/pods, requests.* (= cpu/memory) and limits.*
    (millicores, bytes); init containers count as max(sum of containers, largest init container)."""
    usage = {"count/pods": 1}
    if not pod_counts_for_quota(pod):
        return usage
    usage["pods"] = 1
    spec = pod.get("spec") or {}
    for section in ("requests", "limits"):
        for r in COMPUTE:
            total = 0
            for ctr in spec.get("containers") or ():
                value = ((ctr.get("resources") or {}).get(section) or {}).get(r)
                if value is not None:
                    total += parse_amount(r, value)
            for ctr in spec.get("initContainers") or ():
                value = ((ctr.get("resources") or {}).get(section) or {}).get(r)
                if value is not None:
                    total = max(total, parse_amount(r, value))
            if total:
                usage[f"{section}.{r}"] = total
                if section == "requests":
                    usage[r] = total
    return usage


def object_usage(obj: dict) -> dict[str, int]:
    """Returns what one object adds to a namespace's quota usage."""
    kind = obj["kind"]
    res = BY_KIND[kind]
    if kind == "Pod":
        return pod_usage(obj)
    usage = {f"count/{res.qualified}": 1}
    for name, k in COUNTED.items():
        if k == kind:
            usage[name] = 1
    if kind == "Service":
        stype = (obj.get("spec") or {}).get("type", "ClusterIP")
        if stype in ("NodePort", "LoadBalancer"):
            usage["services.nodeports"] = len((obj.get("spec") or {}).get("ports") or ())
        if stype == "LoadBalancer":
            usage["services.loadbalancers"] = 1
    elif kind == "PersistentVolumeClaim":
        storage = ((obj.get("spec") or {}).get("resources") or {}).get("requests", {}).get("storage")
        if storage is not None:
            usage["requests.storage"] = parse_bytes(storage)
    return usage


def namespace_usage(c, ns: str, resources: set[str]) -> dict[str, int]:
    """Returns the current usage of the named resources in a namespace, counted from the stored objects."""
    used = dict.fromkeys(resources, 0)
    kinds = set()
    for r in resources:
        if r in COUNTED:
            kinds.add(COUNTED[r])
        elif r in POD_RESOURCES:
            kinds.add("Pod")
        elif r.startswith("services."):
            kinds.add("Service")
        elif r == "requests.storage":
            kinds.add("PersistentVolumeClaim")
        elif r.startswith("count/"):
            from .objects import BY_PLURAL

            kinds.add(BY_PLURAL[r[len("count/") :].partition(".")[0]].kind)
    for kind in sorted(kinds):
        if kind not in BY_KIND:
            continue
        for obj in c.store.list(kind, ns):
            for r, n in object_usage(obj).items():
                if r in used:
                    used[r] += n
    return used


def quota_hard(quota: dict) -> dict[str, str]:
    """Returns `spec.hard` with canonical quantity text (what `status.hard` shows)."""
    return {
        r: format_amount(r, parse_amount(r, v), str(v))
        for r, v in sorted(((quota.get("spec") or {}).get("hard") or {}).items())
    }


def resource_quota(c, obj: dict) -> None:
    """ResourceQuota admission: refuses a create that would take any quota of the namespace over `hard`, and
    pods missing a request/limit a quota constrains. Raises 403 Forbidden with the real message."""
    if not c.store.by_kind.get("ResourceQuota"):
        return
    ns = obj["metadata"]["namespace"]
    quotas = sorted(c.store.list("ResourceQuota", ns), key=lambda q: q["metadata"]["name"])
    if not quotas or obj["kind"] not in BY_KIND:
        return
    delta = object_usage(obj)
    if obj["kind"] == "Pod":
        for quota in quotas:
            hard = (quota.get("spec") or {}).get("hard") or {}
            required = sorted(set(hard) & set(POD_RESOURCES))
            missing: dict[str, list[str]] = {}
            for _, ctr in _containers(obj["spec"]):
                res = ctr.get("resources") or {}
                have = set()
                for r in COMPUTE:
                    if r in (res.get("requests") or {}):
                        have |= {r, f"requests.{r}"}
                    if r in (res.get("limits") or {}):
                        have.add(f"limits.{r}")
                for r in required:
                    if r not in have:
                        missing.setdefault(r, []).append(ctr.get("name", ""))
            if missing:
                parts = [f"{r} for: {','.join(sorted(names))}" for r, names in sorted(missing.items())]
                raise forbidden(
                    obj, f"failed quota: {quota['metadata']['name']}: must specify {'; '.join(parts)}"
                )
    for quota in quotas:
        hard = (quota.get("spec") or {}).get("hard") or {}
        touched = {r for r in hard if delta.get(r)}
        if not touched:
            continue
        used = namespace_usage(c, ns, touched)
        exceeded = sorted(r for r in touched if used[r] + delta[r] > parse_amount(r, hard[r]))
        if exceeded:

            def show(values, exceeded=exceeded, hard=hard):
                return ",".join(f"{r}={format_amount(r, values[r], str(hard[r]))}" for r in exceeded)

            limited = {r: parse_amount(r, hard[r]) for r in exceeded}
            raise forbidden(
                obj,
                f"exceeded quota: {quota['metadata']['name']}, requested: {show(delta)}, used: {show(used)}, "
                f"limited: {show(limited)}",
            )


# ---------------------------------------------------------------------------------------------- the simulator's object counts
# Every kind has a ceiling per cluster on what users create (kubectl in the console and through the API), so
# one sandbox cannot grow without bound: 50 ConfigMaps applied twice a second made every command slower for the
# whole class (issue 12). Refusals read exactly as ResourceQuota's object-count quotas do (`count/<resource>`,
# quota name OBJECT_QUOTA, 403 Forbidden) and `sim limits` lists them with their use. Real clusters do the
# same per namespace with ResourceQuota objects an administrator (or the platform: GKE's `gke-resource-quotas`
# in every namespace of a small cluster) puts there [D concepts/policy/resource-quotas.md, "Object count
# quota"]; a simulator's ceiling is per cluster, since a student can make namespaces. The numbers never bother a
# lesson: the course's largest example has 12 objects of a kind. Pods: the engine's `max_pods` (2,000), which
# also bounds what controllers create; the other limits apply to user requests only (controllers' objects are
# bounded by their owners).
OBJECT_QUOTA = "simulator-limits"
OBJECT_LIMITS: dict[str, int] = {
    "Namespace": 50,
    "ConfigMap": 200,
    "Secret": 200,
    "Deployment": 100,
    "ReplicaSet": 100,
    "StatefulSet": 50,
    "DaemonSet": 20,
    "Job": 100,
    "CronJob": 50,
    "Service": 100,
    "Ingress": 50,
    "PersistentVolumeClaim": 100,
    "PersistentVolume": 100,
    "Event": 500,
}
DEFAULT_OBJECT_LIMIT = 100  # any kind not listed: ServiceAccount, Role, NetworkPolicy, ResourceQuota, …


def object_limit(c, kind: str) -> int:
    """Returns the most objects of `kind` a cluster may hold from user requests (see OBJECT_LIMITS)."""
    if kind == "Pod":
        return int(c.config["max_pods"])
    return OBJECT_LIMITS.get(kind, DEFAULT_OBJECT_LIMIT)


def object_count_quota(c, obj: dict) -> None:
    """Refuses a user's create that would take the cluster over its ceiling for the object's kind.

    Raises ApiError 403 with ResourceQuota's words [S apiserver pkg/admission/plugin/resourcequota/
    controller.go `prettyPrint`]: `configmaps "x" is forbidden: exceeded quota: simulator-limits, requested:
    count/configmaps=1, used: count/configmaps=200, limited: count/configmaps=200`. `used` counts what is not
    the cluster's own (addons.is_cluster_own: CoreDNS's ConfigMap, the system namespaces), so it agrees with
    `kubectl get` after the student's own objects. O(1) below the ceiling (the store keeps an index per kind);
    O(objects of the kind) when the index alone reaches it.
    """
    kind = obj["kind"]
    limit = object_limit(c, kind)
    if len(c.store.by_kind.get(kind) or ()) + 1 <= limit:
        return
    used = user_object_count(c, kind)
    if used + 1 <= limit:
        return
    name = f"count/{BY_KIND[kind].qualified}"
    raise forbidden(
        obj,
        f"exceeded quota: {OBJECT_QUOTA}, requested: {name}=1, used: {name}={used}, limited: {name}={limit}",
    )


def user_object_count(c, kind: str) -> int:
    """Returns how many objects of `kind` the cluster holds that are not its own (addons.is_cluster_own): what
    the ceiling of `kind` counts. Pods count whole, as `max_pods` bounds every pod."""
    keys = c.store.by_kind.get(kind) or ()
    if kind == "Pod":
        return len(keys)
    return sum(1 for k in keys if not is_cluster_own(c.store.objects[k]))


def object_counts(c) -> list[tuple[str, str, int, int]]:
    """Returns (kind, resource name, used, limit) for every kind in use or with its own limit, by name; `used`
    as the ceiling counts it (user_object_count)."""
    kinds = {k for k, keys in c.store.by_kind.items() if keys} | set(OBJECT_LIMITS) | {"Pod"}
    rows = [
        (k, f"count/{BY_KIND[k].qualified}", user_object_count(c, k), object_limit(c, k))
        for k in kinds
        if k in BY_KIND
    ]
    return sorted(rows, key=lambda row: row[1])
