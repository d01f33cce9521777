"""The cluster's own objects: what kubeadm and the API server create in every cluster, as opposed to what
users create.

kubeadm's add-ons in kube-system carry the label `k8s-app`: kube-proxy (a DaemonSet) and CoreDNS (Deployment
`coredns`, its ReplicaSets and pods, Service `kube-dns`, ConfigMap `coredns`) [D kubernetes.io
docs/reference/setup-tools/kubeadm/implementation-details.md, "Install addons"]. The API server itself keeps
the namespaces default, kube-system, kube-public and kube-node-lease and the Service default/kubernetes
[S kubernetes pkg/controlplane/controller/systemnamespaces, kubernetesservice]. The snapshot leaves the add-ons
out (node cards show kube-proxy among their components); the simulator's object ceilings
(admission.OBJECT_LIMITS) count only what is not the cluster's own.
"""

from __future__ import annotations

ADDON_APPS = frozenset({"kube-proxy", "kube-dns"})
ADDON_NAMES = frozenset({"kube-proxy", "coredns", "kube-dns"})
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def is_cluster_addon(obj: dict) -> bool:
    """True for kubeadm's add-on objects in kube-system (kube-proxy, CoreDNS/kube-dns), by their `k8s-app`
    label or name; a student's own objects in kube-system (the docs' fluentd DaemonSet) are False."""
    meta = obj.get("metadata") or {}
    if meta.get("namespace") != "kube-system":
        return False
    return (meta.get("labels") or {}).get("k8s-app") in ADDON_APPS or meta.get("name") in ADDON_NAMES


def is_cluster_own(obj: dict) -> bool:
    """True for an object the cluster makes for itself: a kubeadm add-on (is_cluster_addon), one of the four
    system namespaces, or the Service default/kubernetes. Everything else (whoever made it) is False."""
    meta = obj.get("metadata") or {}
    kind = obj.get("kind")
    if kind == "Namespace":
        return meta.get("name") in SYSTEM_NAMESPACES
    if kind == "Service" and meta.get("namespace") == "default" and meta.get("name") == "kubernetes":
        return True
    return is_cluster_addon(obj)
