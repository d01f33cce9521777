"""Wires the namespace, resource-quota and ingress controllers onto one work queue (`policy`).

Keys are `namespace:<name>`, `quota:<namespace>` and `ingress:<etcd key>`. A store watcher enqueues them:
namespace changes and removals inside a terminating namespace; writes that change quota usage in a namespace
that has a ResourceQuota (creates, deletes, a pod becoming terminal); Ingress and IngressClass changes.
"""

from __future__ import annotations

from .ingress import IngressController
from .namespace import NamespaceController
from .resourcequota import ResourceQuotaController

QUEUE = "policy"
_TERMINAL = ("Succeeded", "Failed")


class PolicyControllers:
    """The three controllers and their shared queue."""

    def __init__(self, cluster):
        self.c = cluster
        self.namespaces = NamespaceController(cluster)
        self.quotas = ResourceQuotaController(cluster)
        self.ingresses = IngressController(cluster)
        cluster.store.watchers.append(self._on_change)

    def sync(self, key: str) -> None:
        """Runs the controller the key names."""
        kind, _, rest = key.partition(":")
        if kind == "namespace":
            self.namespaces.sync(rest)
        elif kind == "quota":
            self.quotas.sync(rest)
        elif kind == "ingress":
            self.ingresses.sync(rest)

    def _on_change(self, etype: str, key: str, old: dict | None, new: dict | None) -> None:
        obj = new if new is not None else old
        kind = obj["kind"]
        store = self.c.store
        if kind == "Pod" and old is not None and new is not None:
            # The hottest path (kubelet status writes): only a pod turning terminal changes quota usage.
            if not store.by_kind["ResourceQuota"]:
                return
            if ((old.get("status") or {}).get("phase") in _TERMINAL) == (
                (new.get("status") or {}).get("phase") in _TERMINAL
            ):
                return
        enqueue = self.c.enqueue  # bound after the fast path above, which most writes take
        if kind == "Namespace":
            enqueue(QUEUE, "namespace:" + obj["metadata"]["name"])
            return
        if kind == "Ingress":
            if etype != "DELETED":
                enqueue(QUEUE, "ingress:" + key)
        elif kind == "IngressClass":
            for k in store.by_kind["Ingress"]:
                enqueue(QUEUE, "ingress:" + k)
        ns = obj["metadata"].get("namespace")
        if ns is None:
            return
        if store.by_kind["ResourceQuota"]:
            prefix = f"/registry/resourcequotas/{ns}/"
            if any(k.startswith(prefix) for k in store.by_kind["ResourceQuota"]):
                enqueue(QUEUE, "quota:" + ns)
        if etype == "DELETED":
            owner = store.get(f"/registry/namespaces/{ns}")
            if owner is not None and owner["metadata"].get("deletionTimestamp"):
                enqueue(QUEUE, "namespace:" + ns)
