"""The API server: the single entry point for every read and write, in front of etcd.

User requests (kubectl) go through mutating admission (defaults, default tolerations), strict decoding and
validation, then persistence; controllers, the scheduler and kubelets write through the same functions. Errors
are raised as `ApiError` carrying kubectl's exact text (`Error from server (NotFound): ...`).
"""

from __future__ import annotations

import base64
import json

from . import admission, quantity, validation
from .clock import stamp
from .objects import BY_KIND, clone, etcd_key, generate_name, key_of

DEFAULT_TOLERATIONS = [
    {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
    {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
]


class ApiError(Exception):
    """A request the API server refused; `str()` is the message kubectl prints."""

    def __init__(self, message: str, reason: str = "BadRequest", code: int = 400):
        super().__init__(message)
        self.reason = reason
        self.code = code


def not_found(res, name: str) -> ApiError:
    """Returns kubectl's NotFound error for a resource and name."""
    return ApiError(f'Error from server (NotFound): {res.qualified} "{name}" not found', "NotFound", 404)


class APIServer:
    """Validates, defaults and persists objects; emits the request/etcd events of user requests."""

    def __init__(self, cluster):
        self.c = cluster

    # ------------------------------------------------------------------------------------------- helpers
    def new_uid(self) -> str:
        """Returns a random (seeded) UUID4-shaped uid."""
        r = self.c.rng.getrandbits(128)
        h = f"{r:032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def get(self, kind: str, namespace: str | None, name: str) -> dict | None:
        """Returns the stored object (shared, read-only) or None."""
        res = BY_KIND[kind]
        return self.c.store.get(etcd_key(res, namespace if res.namespaced else None, name))

    def check_namespace(self, namespace: str) -> None:
        """Raises NotFound when the namespace does not exist."""
        if self.c.store.get(etcd_key(BY_KIND["Namespace"], None, namespace)) is None:
            raise ApiError(
                f'Error from server (NotFound): namespaces "{namespace}" not found', "NotFound", 404
            )

    def admit(self, obj: dict, source: str = "STDIN") -> dict:
        """Returns a defaulted copy of a user-submitted object after strict decoding and validation."""
        kind = obj.get("kind") if isinstance(obj.get("kind"), str) else repr(obj.get("kind"))
        if not isinstance(obj.get("apiVersion"), str):
            obj = dict(obj, apiVersion=repr(obj.get("apiVersion")))
        res = BY_KIND.get(kind)
        name = (obj.get("metadata") or {}).get("name", "") if isinstance(obj.get("metadata"), dict) else ""
        if res is None or not validation.version_ok(kind, obj.get("apiVersion")):
            raise ApiError(
                f'error: resource mapping not found for name: "{name}" namespace: "" from "{source}": no matches '
                f'for kind "{kind}" in version "{obj.get("apiVersion")}"\nensure CRDs are installed first',
                "NotFound",
                404,
            )
        if kind in ("Node", "Endpoints"):
            raise ApiError(
                f'Error from server (Forbidden): error when creating "{source}": {res.plural} are '
                "managed by the simulator (kubelets register nodes, the endpoints controller writes "
                "endpoints)",
                "Forbidden",
                403,
            )
        shapes = validation.shape_errors(obj)
        if shapes:
            raise ApiError(
                f'error: error validating "{source}": error validating data: [{", ".join(shapes[:5])}]; if you '
                "choose to ignore these errors, turn validation off with --validate=false"
            )
        bad_quantity = quantity.first_error(obj)  # a Quantity that fails to decode (quantity.go)
        if bad_quantity:
            raise ApiError(
                f'Error from server (BadRequest): error when creating "{source}": {kind} in version '
                f'"{obj["apiVersion"].split("/")[-1]}" cannot be handled as a {kind}: {bad_quantity}'
            )
        unknown = validation.unknown_fields(obj)
        if unknown:
            fields = ", ".join(f'unknown field "{u}"' for u in unknown[:5])
            raise ApiError(
                f'Error from server (BadRequest): error when creating "{source}": {kind} in version '
                f'"{obj["apiVersion"].split("/")[-1]}" cannot be handled as a {kind}: strict decoding '
                f"error: {fields}"
            )
        obj = clone(obj)
        meta = obj["metadata"]
        if res.namespaced:
            meta.setdefault("namespace", "default")
            if not isinstance(meta["namespace"], str):
                meta["namespace"] = str(meta["namespace"])
        else:
            meta.pop("namespace", None)
        for f in (
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "generation",
            "managedFields",
            "selfLink",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ):
            meta.pop(f, None)
        if kind not in ("Pod",):
            obj.pop("status", None)
        quantity.canonicalize(obj)  # stored as the API server prints them back: 0.5 → 500m, 129e6 stays
        try:
            validation.apply_defaults(obj)
            causes = validation.validate(obj)
        except (TypeError, AttributeError, ValueError, KeyError, IndexError) as exc:
            # A value of the wrong type somewhere the checks above do not look: refuse it, never crash.
            causes = [f"Invalid value: a field has the wrong type ({type(exc).__name__}: {exc})"]
        if causes:
            title = f'The {kind} "{meta.get("name", "")}" is invalid: '
            if len(causes) == 1:
                raise ApiError(title + causes[0], "Invalid", 422)
            raise ApiError(title + "\n" + "\n".join(f"* {c}" for c in causes), "Invalid", 422)
        return obj

    # ------------------------------------------------------------------------------------------- writes
    def create(self, obj: dict, component: str, *, user: bool = False) -> dict:
        """Persists a new object (taking ownership of obj) and returns it; raises AlreadyExists."""
        c = self.c
        res = BY_KIND[obj["kind"]]
        meta = obj["metadata"]
        if res.namespaced:
            meta.setdefault("namespace", "default")
            self.check_namespace(meta["namespace"])
        if not meta.get("name") and meta.get("generateName"):
            for _ in range(10):
                candidate = generate_name(meta["generateName"], c.rng)
                if c.store.get(etcd_key(res, meta.get("namespace"), candidate)) is None:
                    meta["name"] = candidate
                    break
        key = key_of(obj)
        if c.store.get(key) is not None:
            raise ApiError(
                f'Error from server (AlreadyExists): {res.qualified} "{meta["name"]}" already exists',
                "AlreadyExists",
                409,
            )
        admission.admit_create(c, obj)  # NamespaceLifecycle, LimitRanger, ResourceQuota, DefaultIngressClass
        meta["uid"] = self.new_uid()
        meta["creationTimestamp"] = stamp(c.clock.now)
        if "spec" in obj and obj["kind"] not in ("Pod", "Node", "PersistentVolume", "PersistentVolumeClaim"):
            meta["generation"] = 1
        kind = obj["kind"]
        if kind == "Pod":
            self._admit_pod(obj)
        elif kind == "Service":
            self._allocate_service(obj)
        elif kind == "PersistentVolumeClaim":
            self._default_storage_class(obj)
        stored = c.store.put(obj, encrypted=kind == "Secret" and c.encrypt_at_rest)
        if user:
            c.emit_request("create", stored)
        return stored

    def update(self, obj: dict, component: str, *, user: bool = False, verb: str = "update") -> dict:
        """Persists a changed object (taking ownership); bumps generation when the spec changed."""
        c = self.c
        key = key_of(obj)
        old = c.store.get(key)
        if old is None:
            raise not_found(BY_KIND[obj["kind"]], obj["metadata"]["name"])
        rv = obj["metadata"].get("resourceVersion")
        if rv is not None and rv != old["metadata"]["resourceVersion"]:
            raise ApiError(
                f"Operation cannot be fulfilled on {BY_KIND[obj['kind']].qualified} "
                f'"{obj["metadata"]["name"]}": the object has been modified; please apply your changes '
                "to the latest version and try again",
                "Conflict",
                409,
            )
        admission.admit_update(c, obj, old)  # the namespace name label and lifecycle fields stay
        if obj["kind"] == "Service" and obj["spec"].get("clusterIP") not in (None, "", "None"):
            self._allocate_service(obj)
        if "generation" in old["metadata"]:
            gen = old["metadata"]["generation"]
            if obj.get("spec") != old.get("spec"):
                gen += 1
            obj["metadata"]["generation"] = gen
        stored = c.store.put(obj, encrypted=obj["kind"] == "Secret" and c.encrypt_at_rest)
        if user:
            c.emit_request(verb, stored)
        return stored

    def update_status(self, obj: dict, component: str) -> dict:
        """Persists a status change (no generation bump); used by controllers and kubelets."""
        stored = self.c.store.put(obj, encrypted=obj["kind"] == "Secret" and self.c.encrypt_at_rest)
        return stored

    def delete(
        self, obj: dict, component: str, *, user: bool = False, grace: int | None = None, force: bool = False
    ) -> str:
        """Deletes an object; pods on a node terminate gracefully first. Returns "deleted" or "terminating"."""
        c = self.c
        key = key_of(obj)
        if obj["kind"] == "Namespace" and admission.begin_namespace_termination(c, obj, user):
            return "terminating"
        if obj["kind"] == "Pod" and obj["spec"].get("nodeName") and not force:
            if obj["metadata"].get("deletionTimestamp"):
                return "terminating"
            period = (
                obj["spec"].get("terminationGracePeriodSeconds", 30) if grace is None or grace < 0 else grace
            )
            new = dict(obj)
            new["metadata"] = dict(obj["metadata"])
            new["metadata"]["deletionTimestamp"] = stamp(c.clock.now + period)
            new["metadata"]["deletionGracePeriodSeconds"] = period
            c.store.put(new)
            if user:
                c.emit_request("delete", new)
            return "terminating"
        removed = c.store.delete(key)
        if removed is not None and user:
            c.emit_request("delete", removed, deleted=True)
        return "deleted"

    def remove_finalized_pod(self, pod: dict, component: str) -> None:
        """Removes a pod whose containers have stopped (the kubelet's final delete with grace period 0)."""
        self.c.store.delete(key_of(pod))

    # ------------------------------------------------------------------------------------------- admission
    def _admit_pod(self, pod: dict) -> None:
        spec = pod["spec"]
        validation.default_pod_spec(spec)
        tolerations = spec.setdefault("tolerations", [])
        keys = {t.get("key") for t in tolerations if isinstance(t, dict)}
        # DefaultTolerationSeconds admission: tolerate not-ready/unreachable for 300 s.
        for t in DEFAULT_TOLERATIONS:
            if t["key"] not in keys:
                tolerations.append(dict(t))
        pod.setdefault("status", {"phase": "Pending", "qosClass": _qos(spec)})
        pod["status"].setdefault("phase", "Pending")

    def _allocate_service(self, svc: dict) -> None:
        c = self.c
        spec = svc["spec"]
        if spec.get("clusterIP") not in (None, ""):
            if spec["clusterIP"] == "None":
                spec["clusterIPs"] = ["None"]
                return
        else:
            used = {s["spec"].get("clusterIP") for s in c.store.list("Service")}
            while True:
                ip = f"10.96.{c.rng.randint(1, 254)}.{c.rng.randint(1, 254)}"
                if ip not in used and ip != "10.96.0.10":
                    break
            spec["clusterIP"] = ip
        spec["clusterIPs"] = [spec["clusterIP"]]
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
            me = (svc["metadata"].get("namespace"), svc["metadata"]["name"])
            used = {
                p.get("nodePort")
                for s in c.store.list("Service")
                if (s["metadata"].get("namespace"), s["metadata"]["name"]) != me
                for p in s["spec"].get("ports", [])
            }
            for p in spec.get("ports", []):
                if p.get("nodePort") in used and p.get("nodePort") is not None:
                    raise ApiError(
                        f'The Service "{svc["metadata"]["name"]}" is invalid: spec.ports[0].nodePort: '
                        f"Invalid value: {p['nodePort']}: provided port is already allocated",
                        "Invalid",
                        422,
                    )
                if p.get("nodePort") is None:
                    while True:
                        port = c.rng.randint(30000, 32767)
                        if port not in used:
                            break
                    p["nodePort"] = port
                used.add(p["nodePort"])
        else:
            spec.pop("externalTrafficPolicy", None)
            for p in spec.get("ports", []):
                p.pop("nodePort", None)

    def _default_storage_class(self, pvc: dict) -> None:
        spec = pvc["spec"]
        if "storageClassName" not in spec:
            for sc in self.c.store.list("StorageClass"):
                ann = sc["metadata"].get("annotations") or {}
                if ann.get("storageclass.kubernetes.io/is-default-class") == "true":
                    spec["storageClassName"] = sc["metadata"]["name"]
                    break
        pvc.setdefault("status", {"phase": "Pending"})


def _qos(spec: dict) -> str:
    """Returns the pod QoS class: Guaranteed, Burstable or BestEffort."""
    any_set = False
    guaranteed = True
    for ctr in spec.get("containers", []):
        res = ctr.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if req or lim:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim or req.get(r, lim.get(r)) != lim.get(r):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def etcd_value(obj: dict, encrypted: bool) -> str:
    """Returns how the object looks in etcd: JSON (secrets base64 only) or `k8s:enc:aescbc:v1:key1:...`."""
    if encrypted:
        digest = base64.b64encode(json.dumps(obj.get("data") or {}, sort_keys=True).encode()[::-1]).decode()
        return "k8s:enc:aescbc:v1:key1:" + "".join(chr(33 + (ord(ch) * 7) % 90) for ch in digest[:40])
    if obj["kind"] == "Secret":
        return json.dumps({"kind": "Secret", "data": obj.get("data") or {}}, separators=(",", ":"))
    summary = {"kind": obj["kind"]}
    if obj["kind"] == "Pod":
        summary |= {"nodeName": obj["spec"].get("nodeName"), "phase": obj.get("status", {}).get("phase")}
    elif "spec" in obj and isinstance(obj["spec"], dict) and "replicas" in obj["spec"]:
        summary |= {"replicas": obj["spec"]["replicas"]}
    return json.dumps(summary, separators=(",", ":"))
