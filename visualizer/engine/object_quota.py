"""The simulator's object ceilings read as a ResourceQuota named `simulator-limits` in every namespace.

Over-ceiling creates are refused with ResourceQuota's words (admission.object_count_quota: `exceeded quota:
simulator-limits, requested: count/configmaps=1, …`), so what a student then types to find that quota must
find it: `kubectl get quota`, `get resourcequota -A`, `describe quota`, `describe namespace` (its "Resource
Quotas" section), `get quota simulator-limits -o yaml`, in the console and through the REST face alike.

The object is built at read time from the limits (admission.object_limit) and the store's counts
(admission.object_counts), never stored: nothing to keep in sync, no watch events, no saved state. It is
read-only: a write to it (create of that name, update, patch, delete) answers 403 Forbidden naming `sim limits`
(a quota of that name stored before the name was reserved, from an old save, shadows it and stays writable).
Users' own ResourceQuota objects are stored and work as before, beside it (admission.resource_quota counts
them per namespace; the ceiling here counts per cluster).

Shape: spec.hard and status.hard are `count/<resource>[.<group>]` keys, as real object-count quotas spell them
[D kubernetes.io concepts/policy/resource-quotas.md, "Object count quota"], status.used the current counts.
`used` is the cluster's count, as the ceiling counts it (and as the refusal's `used:` says), not the
namespace's: the annotation says so.
"""

from __future__ import annotations

import uuid

from .admission import OBJECT_QUOTA, object_counts
from .objects import BY_KIND, etcd_key
from .quantity import canonical

KIND = "ResourceQuota"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
DESCRIPTION = (
    "The simulator's object limits (sim limits): each applies to the whole cluster, so used counts every "
    "namespace. Read-only."
)
# Stable uids without storing anything: one per namespace uid (uuid5 is a hash of its inputs).
_UID_SPACE = uuid.UUID("8c1f5c52-5a0e-4d8e-9a57-6f0e1b7d2c11")


def is_object_quota(kind: str, name: str | None) -> bool:
    """True for the read-only `simulator-limits` ResourceQuota (any namespace)."""
    return kind == KIND and name == OBJECT_QUOTA


def build(c, namespace: dict, counts: list[tuple[str, str, int, int]] | None = None) -> dict:
    """Returns `simulator-limits` as a ResourceQuota of `namespace` (the Namespace object).

    `counts` is admission.object_counts(c), passed in when building several namespaces' quotas at once (the
    counts are per cluster: one pass over the store serves every namespace).
    """
    rows = object_counts(c) if counts is None else counts
    # quantities as the API server stores them (2000 → `2k`: resource.Quantity's canonical text)
    hard = {name: canonical(str(limit)) for _, name, _, limit in rows}
    ns_meta = namespace["metadata"]
    return {
        "apiVersion": "v1",
        "kind": KIND,
        "metadata": {
            "name": OBJECT_QUOTA,
            "namespace": ns_meta["name"],
            "uid": str(uuid.uuid5(_UID_SPACE, ns_meta.get("uid") or ns_meta["name"])),
            # the store's revision: the object is as of now (its counts change with every write)
            "resourceVersion": str(c.store.revision),
            "creationTimestamp": ns_meta.get("creationTimestamp"),
            "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION},
        },
        "spec": {"hard": dict(hard)},
        "status": {"hard": dict(hard), "used": {name: canonical(str(used)) for _, name, used, _ in rows}},
    }


def _namespaces(c, namespace: str | None) -> list[dict]:
    if namespace is None:
        return c.store.list("Namespace")
    ns = c.store.get(etcd_key(BY_KIND["Namespace"], None, namespace))
    return [] if ns is None else [ns]


def with_object_quotas(c, kind: str, namespace: str | None, objs: list[dict]) -> list[dict]:
    """Returns `objs` (a listing of `kind` in `namespace`, None for every namespace) with `simulator-limits`
    added for each namespace listed when `kind` is ResourceQuota; other kinds unchanged. Order is left to the
    caller (listings sort by namespace, then name)."""
    if kind != KIND:
        return objs
    spaces = _namespaces(c, namespace)
    if not spaces:
        return objs
    counts = object_counts(c)
    # a stored quota of that name (kept from before the name was reserved) shadows the built one
    stored = {o["metadata"].get("namespace") for o in objs if o["metadata"]["name"] == OBJECT_QUOTA}
    return list(objs) + [build(c, ns, counts) for ns in spaces if ns["metadata"]["name"] not in stored]


def lookup(c, kind: str, namespace: str | None, name: str) -> dict | None:
    """Returns the object `kind`/`name` in `namespace` as a read finds it: the stored one, or
    `simulator-limits` in an existing namespace; None when there is none."""
    res = BY_KIND[kind]
    obj = c.store.get(etcd_key(res, namespace if res.namespaced else None, name))
    if obj is None and is_object_quota(kind, name) and namespace:
        spaces = _namespaces(c, namespace)
        if spaces:
            return build(c, spaces[0])
    return obj


def read_only_message() -> str:
    """The 403's message for a write to `simulator-limits` (without kubectl's `Error from server` prefix)."""
    return (
        f'resourcequotas "{OBJECT_QUOTA}" is forbidden: {OBJECT_QUOTA} is the simulator\'s own object limits, '
        "read-only: they are set by the simulator, not by kubectl (`sim limits` shows them with their use)"
    )


def refuse_write():
    """Returns the ApiError 403 the API server answers a write to `simulator-limits`."""
    from .apiserver import ApiError  # the API server imports this module

    return ApiError(f"Error from server (Forbidden): {read_only_message()}", "Forbidden", 403)
