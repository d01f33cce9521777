"""Namespace controller: empties a namespace that is being deleted, then removes it.

`kubectl delete namespace X` does not remove the object at once: the API server sets its `deletionTimestamp`
and phase `Terminating` (the `kubernetes` finalizer holds it). This controller deletes every object in the
namespace — controllers' objects first so that they do not recreate pods, pods last (they terminate
gracefully, as on any delete) — and once nothing is left it drops the finalizer and the namespace goes away.
While it is Terminating, creates into it are refused (`admission.py`).
Source: kubernetes pkg/controller/namespace/deletion/namespaced_resources_deleter.go;
kubernetes.io concepts/overview/working-with-objects/namespaces.md.
"""

from __future__ import annotations

from ..objects import BY_KIND, RESOURCES, etcd_key

COMPONENT = "controller-manager/namespace-controller"


class NamespaceController:
    """Deletes the contents of terminating namespaces and then the namespaces themselves."""

    def __init__(self, cluster):
        self.c = cluster

    def sync(self, name: str) -> None:
        """Reconciles one namespace: nothing to do unless it carries a deletionTimestamp."""
        c = self.c
        ns = c.store.get(etcd_key(BY_KIND["Namespace"], None, name))
        if ns is None or not ns["metadata"].get("deletionTimestamp"):
            return
        # Owners before what they own: a Deployment deleted after its pods would have its ReplicaSet recreate
        # them (and be refused, the namespace being terminated).
        kinds = [r.kind for r in RESOURCES if r.namespaced and r.kind != "Pod"] + ["Pod"]
        for kind in kinds:
            for obj in c.store.list(kind, name):
                if not obj["metadata"].get("deletionTimestamp"):
                    c.api.delete(obj, COMPONENT)
        # Pods on nodes stay until their kubelet has stopped them; each removal re-queues this namespace.
        if not any(c.store.list(kind, name) for kind in kinds):
            c.store.delete(etcd_key(BY_KIND["Namespace"], None, name))
